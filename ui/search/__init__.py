"""Search everything (Ctrl+K): a palette over the main window that searches every note as you type.

`palette.SearchPalette` is the dialog, `model.SearchResultsModel` holds the hits of the current
query, `delegate.SearchHitDelegate` draws each hit with its matched words highlighted. Hits hold
client data, so the palette is closed, emptied and deleted whenever the vault locks.
"""
