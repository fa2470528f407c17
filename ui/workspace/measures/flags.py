"""The client list's flag words from the ratings ("Deteriorating", "Alliance dropped"…).

After each page of the list arrives (and after a rating changes), the flags of the listed
clients are read off the UI thread and put into their rows; the flags column shows once some
row has a flag. Words, never colour alone.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from storage.ratings import RatingsStore
from ui.workspace.calls import Calls, ignore
from ui.workspace.client_list import COL_FLAGS, ClientListModel, ClientListPanel


class ClientFlags(QObject):
    """Keeps the rating flags in the client list up to date."""

    def __init__(self, store: RatingsStore, model: ClientListModel, panel: ClientListPanel,
                 calls: Calls, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._model = model
        self._panel = panel
        self._calls = calls
        self._generation = 0
        self.known: dict[int, tuple[str, ...]] = {}
        model.page_loaded.connect(self.refresh)

    def refresh(self) -> None:
        """Read the flags of every listed client again."""
        model = self._model
        ids = [row.id for row in (model.client_at(i) for i in range(model.rowCount())) if row]
        self._generation += 1
        generation = self._generation
        if not ids:
            return
        self._calls.run(lambda: self._store.flags(ids),
                        lambda flags: self._show(generation, ids, flags), ignore, self)

    def _show(self, generation: int, ids: list[int],
              flags: dict[int, tuple[str, ...]]) -> None:
        if generation != self._generation:
            return
        self.known.update({client_id: flags.get(client_id, ()) for client_id in ids})
        model = self._model
        for client_id in ids:
            row = model.row_of(client_id)
            current = model.client_at(row) if row >= 0 else None
            words = flags.get(client_id, ())
            if current is not None and current.flags != words:
                model.update_client(client_id, flags=words)
        self._panel.table.setColumnHidden(COL_FLAGS, not model.has_flags())
