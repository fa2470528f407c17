"""Run by test_kill.py in its own process: open the window, type into a note, print progress.

Usage: python -m tests.ui.workspace.typing_child VAULT CLIENT_ID SESSION_ID CHUNKS
Types "w000 ", "w001 "… every 100 ms into the note's first section, printing "typed N" after each
chunk, then "stopped", and keeps the event loop running until it is killed.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from pathlib import Path

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    from storage.vault import Secret, Vault
    from tests.conftest import PASSPHRASE
    from ui.app import application, build

    folder, client_id, session_id, chunks = (Path(sys.argv[1]), int(sys.argv[2]),
                                             int(sys.argv[3]), int(sys.argv[4]))
    app = application()
    session, window = build()
    window.save_geometry_on_close = False
    session.adopt_open_vault(Vault.open(folder, Secret(passphrase=PASSPHRASE)))
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.show()
    page = window.page
    deadline = time.monotonic() + 20
    while not page.client_model.loaded and time.monotonic() < deadline:
        app.processEvents()
    page.open_note(client_id, session_id)
    tab = page.record.sessions_tab
    while time.monotonic() < deadline and not (
            tab.editor is not None and tab.editor.session.id == session_id
            and tab.editor.mode.value == "new"):
        app.processEvents()
    field = next(iter(tab.editor.edits.values()))
    print("ready", flush=True)
    count = {"n": 0}
    timer = QTimer()

    def tick() -> None:
        n = count["n"]
        if n >= chunks:
            timer.stop()
            print("stopped", flush=True)
            return
        QTest.keyClicks(field, f"w{n:03d} ")
        count["n"] = n + 1
        print(f"typed {n}", flush=True)

    timer.timeout.connect(tick)
    timer.start(100)
    app.exec()


if __name__ == "__main__":
    main()
