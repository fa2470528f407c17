"""The practice workspace: the client list, the client record, notes and their dialogs."""
