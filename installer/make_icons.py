"""Render Tandem's icon (resources/icons/tandem.svg) to every size and format the platforms want.

    .venv/bin/python installer/make_icons.py              # PNGs, tandem.ico, tandem.icns
    .venv/bin/python installer/make_icons.py --iconset D  # also D/tandem.iconset for `iconutil`

Only Qt (already a dependency) and the standard library: QSvgRenderer draws the SVG into
transparent QImages; the .ico (Windows) and .icns (macOS) containers are written here, both holding
PNG images, which Windows Vista+ and macOS 10.7+ read. On a Mac the canonical .icns can instead be
made with Apple's tool from the iconset this script writes:

    iconutil --convert icns --output resources/icons/tandem.icns tandem.iconset

The renders are committed, so building a bundle never needs this script; re-run it after editing
the SVG.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "tandem.svg"

# freedesktop hicolor sizes (also used for the Windows/macOS containers below).
PNG_SIZES = (16, 22, 24, 32, 48, 64, 96, 128, 256, 512)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
# (type code, pixel size) in the order Apple's iconutil writes PNG-based entries.
ICNS_ENTRIES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
    (b"ic09", 512), (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256),
    (b"ic14", 512),
)
# iconutil's .iconset file names: (name, pixel size).
ICONSET = tuple(
    item
    for base in (16, 32, 128, 256, 512)
    for item in ((f"icon_{base}x{base}.png", base), (f"icon_{base}x{base}@2x.png", base * 2))
)


def _app() -> object:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication([])


def render_png(size: int, svg: Path = SVG) -> bytes:
    """The SVG drawn at size x size pixels, as PNG bytes (antialiased, transparent corners)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG per size (ICONDIR + ICONDIRENTRY records)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        blob = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in the directory
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG entries (the layout iconutil writes)."""
    body = b"".join(code + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for code, size in ICNS_ENTRIES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str]) -> int:
    """Write the renders next to the SVG (and an iconset when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iconset", metavar="DIR", type=Path,
                        help="also write DIR/tandem.iconset for Apple's iconutil")
    args = parser.parse_args(argv)
    _app()
    needed = set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_ENTRIES}
    pngs = {size: render_png(size) for size in sorted(needed)}
    for size in PNG_SIZES:
        (ICONS / f"tandem-{size}.png").write_bytes(pngs[size])
    (ICONS / "tandem.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (ICONS / "tandem.icns").write_bytes(icns_bytes(pngs))
    if args.iconset:
        iconset = args.iconset / "tandem.iconset"
        iconset.mkdir(parents=True, exist_ok=True)
        for name, size in ICONSET:
            (iconset / name).write_bytes(pngs[size])
        print(f"make_icons: wrote {iconset}")
    print(f"make_icons: wrote {len(PNG_SIZES)} PNGs, tandem.ico and tandem.icns in "
          f"{ICONS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
