"""Run-time hook replacing PyInstaller's `pyi_rth_pyside6`: the same set-up, minus importing Qt.

PyInstaller's hook imports PySide6.QtCore at every start, only to add an embedded qt.conf when
the bindings did not make one (PyPI's PySide6 does, when QtCore is imported). That costs ~50 ms
of Qt and shiboken start-up on every `tandem --version`, `tandem backup` from a scheduler, and so
on, which never show a window. Here only the plugin folder is set; Qt loads when the window does.
"""


def _tandem_qt_rthook() -> None:
    import os
    import sys
    from pathlib import Path  # Tandem imports it anyway

    base = Path(sys._MEIPASS) / "PySide6"  # type: ignore[attr-defined]
    if not sys.platform.startswith("win"):
        base = base / "Qt"
    os.environ["QT_PLUGIN_PATH"] = str(base / "plugins")


_tandem_qt_rthook()
del _tandem_qt_rthook
