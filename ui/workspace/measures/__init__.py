"""The client's ORS/SRS ratings in the workspace: the Measures tab, client mode, flags.

- `forms.py`: which form suits the client's age; the shared definitions and store.
- `model.py`: the table of every administration (voided rows struck through *and* "void").
- `chart.py`: the trajectory chart (matplotlib imported the first time it draws).
- `dialogs.py`: Enter from paper, Void, Discussed with client, the client-screen choice.
- `tab.py`: the Measures tab.
- `client_mode.py`: starting client mode from a session and coming back (the main window).
- `flags.py`: the client list's flag words.
"""
