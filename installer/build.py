"""Build Tandem's one-folder bundle for this platform, check what is inside, and archive it.

    python3 dev.py bundle                      # = .venv/bin/python installer/build.py
    python3 dev.py bundle --dist DIR --work DIR --no-archive --strict
    .venv/bin/python installer/build.py --check-only dist/Tandem

Steps: PyInstaller runs installer/tandem.spec (one folder, never one file) into DIST/Tandem; the
bundle is audited (native modules and Qt platform plugins present; no tests, pytest, .venv paths
or keyrings.alt; every library's dependencies resolvable); `tandem --version` runs from it; on
Linux the desktop files go in (share/, install.sh) and DIST/Tandem-VERSION-linux-ARCH.tar.gz is
written. Prints the build time, the folder size and the compressed size. Exit status 0 when the
bundle is sound, 1 when a check failed (--strict: also when a warning was raised).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "tandem.spec"
APP = json.loads((ROOT / "resources" / "app.json").read_text(encoding="utf-8"))
NAME = APP["name"]

IS_WIN = sys.platform == "win32"
IS_MAC = sys.platform == "darwin"
IS_LINUX = sys.platform.startswith("linux")

# What the frozen app cannot work without (globs relative to the contents folder).
REQUIRED = {
    "SQLCipher (sqlcipher3 native module)": "sqlcipher3/_sqlite3*",
    "Argon2id (argon2-cffi native module)": "_argon2_cffi_bindings/_ffi*",
    "AES-GCM (cryptography's Rust module)": "cryptography/hazmat/bindings/_rust*",
    "cffi backend": "_cffi_backend*",
    "Qt offscreen platform plugin": "PySide6/**/platforms/*qoffscreen*",
    "schema migrations": "storage/migrations/0001_*.sql",
    "application icon": "resources/icons/tandem.svg",
    "application name and id": "resources/app.json",
}
if IS_LINUX:
    REQUIRED["Qt X11 (xcb) platform plugin"] = "PySide6/**/platforms/*qxcb*"
    REQUIRED["Qt Wayland platform plugin"] = "PySide6/**/platforms/*qwayland*"
elif IS_WIN:
    REQUIRED["Qt Windows platform plugin"] = "PySide6/**/platforms/qwindows*"
elif IS_MAC:
    REQUIRED["Qt Cocoa platform plugin"] = "PySide6/**/platforms/*qcocoa*"

# Names that must never appear as a folder or module in the bundle.
FORBIDDEN_PARTS = {"tests", "test", "pytest", "_pytest", "pytestqt", "hypothesis", "keyrings",
                   ".venv", "venv", "mypy", "ruff", "PyInstaller", "setuptools", "pip"}
FORBIDDEN_MODULES = FORBIDDEN_PARTS - {".venv", "venv"} | {"tkinter", "unittest", "conftest",
                                                          "PySide6.QtNetwork", "PySide6.QtQml",
                                                          "PySide6.QtQuick", "bench"}
FORBIDDEN_FILE = re.compile(r"^(test_.*\.py|.*_test\.py|conftest\.py|keyrings\.alt.*)$",
                            re.IGNORECASE)


@dataclass
class Audit:
    """What the checks found: problems fail the build; warnings fail it only with --strict."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def version() -> str:
    """Tandem's version, read from the one place it lives."""
    text = (ROOT / "app" / "version.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not match:
        raise SystemExit("build.py: no __version__ in app/version.py")
    return match.group(1)


def contents_dir(bundle: Path) -> Path:
    """The folder holding the libraries (PyInstaller 6: `_internal` next to the executable)."""
    internal = bundle / "_internal"
    return internal if internal.is_dir() else bundle


def executable(bundle: Path) -> Path:
    """The program to run from a terminal: `tandem`, or `tandem-cli.exe` on Windows."""
    if IS_WIN:
        return bundle / "tandem-cli.exe"
    if IS_MAC:
        return bundle / NAME
    return bundle / APP["executable"]


def folder_size(path: Path) -> int:
    """Bytes used by the files under `path` (symbolic links count as nothing)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mib(size: int) -> str:
    """A size for people."""
    return f"{size / 2**20:.1f} MiB"


def run_pyinstaller(dist: Path, work: Path, clean: bool, log: Path) -> float:
    """Run PyInstaller on the spec; returns the seconds it took. The log goes to `log`."""
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    if clean:
        cmd.insert(3, "--clean")
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
        raise SystemExit(f"build.py: PyInstaller failed ({result.returncode}); see {log}\n{tail}")
    return elapsed


def _pyz_modules(exe: Path) -> dict[str, object]:
    """Module name -> code object (None for packages' data) of the executable's PYZ archive."""
    from PyInstaller.archive.readers import CArchiveReader

    modules: dict[str, object] = {}
    pkg = CArchiveReader(str(exe))
    for name, entry in pkg.toc.items():
        if entry[-1] != "z":  # PKG_ITEM_PYZ
            continue
        pyz = pkg.open_embedded_archive(name)
        for module in pyz.toc:
            try:
                modules[module] = pyz.extract(module)
            except Exception:
                modules[module] = None
    return modules


def _code_filenames(code: object) -> set[str]:
    """Every co_filename in a code object and the code objects nested in it."""
    names = {getattr(code, "co_filename", "")}
    for const in getattr(code, "co_consts", ()):
        if hasattr(const, "co_filename"):
            names |= _code_filenames(const)
    return names


def _unresolved_libraries(internal: Path) -> dict[str, set[str]]:
    """Linux: library -> dependencies that neither the bundle nor this system provides."""
    if not IS_LINUX or shutil.which("ldd") is None:
        return {}
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    missing: dict[str, set[str]] = {}
    for path in sorted(internal.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        out = subprocess.run(["ldd", str(path)], env=env, capture_output=True, text=True,
                             check=False).stdout
        gone = {line.split("=>")[0].strip() for line in out.splitlines() if "not found" in line}
        if gone:
            missing[str(path.relative_to(internal))] = gone
    return missing


def audit(bundle: Path) -> Audit:
    """Check the bundle's contents; nothing is run."""
    found = Audit()
    if not bundle.is_dir():
        found.problems.append(f"no bundle at {bundle}")
        return found
    internal = contents_dir(bundle)
    for what, pattern in REQUIRED.items():
        if not any(internal.glob(pattern)):
            found.problems.append(f"missing {what} ({pattern})")

    for path in bundle.rglob("*"):
        rel = path.relative_to(bundle)
        parts = set(rel.parts)
        bad = parts & FORBIDDEN_PARTS
        if bad:
            found.problems.append(f"forbidden {sorted(bad)[0]!r} in {rel}")
        elif FORBIDDEN_FILE.match(path.name):
            found.problems.append(f"forbidden file {rel}")
        elif path.name.lower().startswith(("keyrings.alt", "keyrings_alt", "pytest-",
                                           "hypothesis-")):
            found.problems.append(f"forbidden distribution {rel}")

    exe = executable(bundle)
    if not exe.exists():
        found.problems.append(f"no executable {exe.name}")
        return found
    modules = _pyz_modules(exe)
    if not modules:
        found.problems.append("no Python modules found in the executable's archive")
    for module, code in modules.items():
        root = module.split(".")[0]
        parts = module.split(".")
        # A test suite shipped by a dependency: "pkg.tests", "pkg.test_x" (not "testing",
        # which numpy's public API imports, nor reportlab's "testshapes", excluded by name).
        if root in FORBIDDEN_MODULES or module in FORBIDDEN_MODULES or "tests" in parts[1:] \
                or parts[-1].startswith("test_"):
            found.problems.append(f"forbidden module {module}")
        for filename in _code_filenames(code) if code is not None else ():
            if Path(filename).is_absolute() or ".venv" in filename or str(ROOT) in filename:
                found.problems.append(f"build-machine path in {module}: {filename}")
                break
    for own in ("ui.entry", "ui.cli", "storage.vault", "app.version"):
        if own not in modules:
            found.problems.append(f"Tandem module {own} is missing")

    for library, gone in _unresolved_libraries(internal).items():
        found.warnings.append(f"{library} needs {', '.join(sorted(gone))}, which is neither in "
                              "the bundle nor on this build machine (see installer/README.md, "
                              "'Build machine')")
    return found


def smoke_test(bundle: Path) -> str:
    """Run `tandem --version` from the bundle; returns its output or raises SystemExit."""
    exe = executable(bundle)
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                            timeout=120, check=False)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or output != f"{NAME} {version()}":
        raise SystemExit(f"build.py: {exe.name} --version failed ({result.returncode}): "
                         f"{output!r}")
    return output


def add_linux_desktop_files(bundle: Path) -> None:
    """Put the .desktop entry, AppStream metainfo, hicolor icons and install.sh in the bundle."""
    app_id = APP["id"]
    share = bundle / "share"
    for sub, source in (("applications", INSTALLER / "linux" / f"{app_id}.desktop"),
                        ("metainfo", INSTALLER / "linux" / f"{app_id}.metainfo.xml")):
        (share / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, share / sub / source.name)
    icons = ROOT / "resources" / "icons"
    for png in icons.glob("tandem-*.png"):
        size = png.stem.split("-")[1]
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{app_id}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, target)
    scalable = share / "icons" / "hicolor" / "scalable" / "apps" / f"{app_id}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(icons / "tandem.svg", scalable)
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy2(INSTALLER / "linux" / script, bundle / script)
        (bundle / script).chmod(0o755)


def archive_name() -> str:
    """Tandem-VERSION-OS-ARCH.tar.gz."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    machine = platform.machine().lower().replace("amd64", "x86_64")
    return f"{NAME}-{version()}-{system}-{machine}.tar.gz"


def make_archive(bundle: Path, dest: Path) -> Path:
    """The bundle folder as a .tar.gz (permissions and symbolic links kept)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    tmp.replace(dest)
    return dest


def report(title: str, found: Audit) -> None:
    """Print the audit."""
    for problem in found.problems:
        print(f"  PROBLEM  {problem}")
    for warning in found.warnings:
        print(f"  warning  {warning}")
    if found.ok and not found.warnings:
        print(f"  {title}: all checks passed")


def main(argv: list[str]) -> int:
    """Build (or just check) the bundle."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build",
                        help="PyInstaller's work folder (default: build/)")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz")
    parser.add_argument("--strict", action="store_true",
                        help="fail on warnings too (release builds)")
    parser.add_argument("--check-only", type=Path, metavar="BUNDLE",
                        help="audit an existing bundle folder; build nothing")
    args = parser.parse_args(argv)

    if args.check_only:
        found = audit(args.check_only.resolve())
        report("audit", found)
        return 0 if found.ok and not (args.strict and found.warnings) else 1

    dist, work = args.dist.resolve(), args.work.resolve()
    bundle = dist / NAME
    print(f"build.py: building {NAME} {version()} for {sys.platform} ({platform.machine()}) "
          f"into {bundle}", flush=True)
    seconds = run_pyinstaller(dist, work, args.clean, work / "pyinstaller.log")
    if IS_LINUX:
        add_linux_desktop_files(bundle)
    found = audit(bundle)
    report("audit", found)
    if not found.ok:
        return 1
    print(f"  smoke test: {smoke_test(bundle)}")
    size = folder_size(bundle)
    print(f"build time:      {seconds:.1f} s")
    print(f"folder size:     {mib(size)}  ({bundle})")
    if IS_MAC and (dist / f"{NAME}.app").is_dir():
        print(f"app bundle:      {mib(folder_size(dist / f'{NAME}.app'))}  "
              f"({dist / f'{NAME}.app'})")
    if not args.no_archive:
        started = time.perf_counter()
        tarball = make_archive(bundle, dist / archive_name())
        print(f"compressed size: {mib(tarball.stat().st_size)}  ({tarball.name}, tar.gz, "
              f"{time.perf_counter() - started:.1f} s)")
    return 0 if not (args.strict and found.warnings) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
