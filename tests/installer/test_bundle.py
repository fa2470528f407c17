"""The Linux one-folder bundle, built for real once per module and used as a therapist would.

Builds with `installer/build.py` (what `python3 dev.py bundle` runs) into a temporary folder, then
runs the frozen `tandem` with nothing of the development environment around it: --version, the
vault commands (SQLCipher, Argon2id and AES-GCM through the bundled native modules) and the demo
window painted offscreen (and under X11 when Xvfb is installed). Checks that nothing that must not
ship is inside, and that the tarball, the AppImage folder and the per-user install work.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.home import home_env

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
MAX_COMPRESSED = 120_000_000  # performance target 9: compressed bundle <= 120 MB

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"),
                       reason="the Linux bundle; other platforms build theirs on their own CI"),
]


def load_build() -> ModuleType:
    path = ROOT / "installer" / "build.py"
    spec = importlib.util.spec_from_file_location("installer_build", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Built:
    dist: Path
    bundle: Path
    output: str
    seconds: float

    @property
    def exe(self) -> Path:
        return self.bundle / "tandem"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("bundle")
    env = dict(os.environ, PYINSTALLER_CONFIG_DIR=str(out / "pyinstaller-cache"))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "build.py"),
         "--dist", str(out / "dist"), "--work", str(out / "build")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stdout + result.stderr
    shutil.rmtree(out / "build", ignore_errors=True)  # PyInstaller's work files (~100 MB)
    shutil.rmtree(out / "pyinstaller-cache", ignore_errors=True)
    print(f"\n{result.stdout}(whole build.py run: {seconds:.1f} s)")
    return Built(out / "dist", out / "dist" / "Tandem", result.stdout, seconds)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a double-click gives the program: no venv, no PYTHONPATH, a fresh home."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen", **home_env(home)}
    env.update(extra)
    return env


def run(cmd: list[str], home: Path, stdin: str = "", timeout: float = 120,
        **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout,
                          env=clean_env(home, **extra), cwd=home, check=False)


def assert_real_window(png: Path) -> None:
    """A painted window, not a blank or black image: big enough and many distinct colours."""
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert not image.isNull(), f"{png} is not a readable PNG"
    assert image.width() >= 800 and image.height() >= 600, (image.width(), image.height())
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = memoryview(bytes(rgb.constBits())[: rgb.sizeInBytes()]).cast("I")
    colours = Counter(pixels)
    most_common_share = colours.most_common(1)[0][1] / len(pixels)
    assert len(colours) >= 64, f"only {len(colours)} colours: not a painted window"
    assert most_common_share < 0.95, f"{most_common_share:.0%} of the image is one colour"


# --- the build -------------------------------------------------------------------------------

def test_build_reports_time_and_sizes(built: Built) -> None:
    for label in ("build time:", "folder size:", "compressed size:", "audit: all checks passed",
                  "smoke test: Tandem"):
        assert label in built.output
    tarballs = list(built.dist.glob("Tandem-*-linux-*.tar.gz"))
    assert len(tarballs) == 1
    assert tarballs[0].stat().st_size <= MAX_COMPRESSED


def test_bundle_has_the_native_modules_and_qt_plugins(built: Built) -> None:
    internal = built.bundle / "_internal"
    for pattern in ("sqlcipher3/_sqlite3*.so", "_argon2_cffi_bindings/_ffi*.so",
                    "cryptography/hazmat/bindings/_rust*.so",
                    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
                    "PySide6/Qt/plugins/platforms/libqxcb.so",
                    "storage/migrations/0001_*.sql", "resources/icons/tandem.svg",
                    # PDFs: the preview's renderer, bidi reordering, the font, the templates
                    "pypdfium2_raw/libpdfium*", "bidi/*.so", "resources/fonts/DejaVuSans.ttf",
                    "resources/letters/progress.json"):
        assert list(internal.glob(pattern)), pattern
    # Qt modules and plugins Tandem does not use stayed out.
    for absent in ("PySide6/QtNetwork.abi3.so", "PySide6/QtQml.abi3.so",
                   "PySide6/QtQuick.abi3.so", "PySide6/Qt/plugins/qmltooling",
                   "PySide6/Qt/plugins/tls", "PySide6/Qt/lib/libQt6Network.so.6"):
        assert not (internal / absent).exists(), absent


def test_bundle_contains_nothing_that_must_not_ship(built: Built) -> None:
    build = load_build()
    found = build.audit(built.bundle)
    assert found.problems == []
    names = [p.relative_to(built.bundle) for p in built.bundle.rglob("*")]
    assert not [n for n in names if re.match(r"(test_.*|.*_test|conftest)\.py$", n.name)]
    assert not [n for n in names if {"tests", "pytest", "_pytest", "hypothesis", "keyrings",
                                     ".venv"} & set(n.parts)]
    assert not [n for n in names if n.name.lower().startswith(("keyrings.alt", "keyrings_alt",
                                                               "pytest", "hypothesis"))]
    venv_paths = [str(n) for n in names
                  if (built.bundle / n).is_file() and not (built.bundle / n).is_symlink()
                  and b"/.venv/" in (built.bundle / n).read_bytes()]
    assert venv_paths == []


def test_the_audit_would_catch_a_plaintext_keyring_or_tests(built: Built) -> None:
    build = load_build()
    internal = built.bundle / "_internal"
    assert (internal / "storage").is_dir() and not (internal / "keyrings").exists()
    planted = [internal / "keyrings" / "alt" / "file.py",
               internal / "storage" / "tests" / "test_leak.py"]
    try:
        for path in planted:
            path.parent.mkdir(parents=True)
            path.write_text("# planted\n")
        problems = " ".join(build.audit(built.bundle).problems)
        assert "keyrings" in problems
        assert "tests" in problems
    finally:
        shutil.rmtree(internal / "keyrings", ignore_errors=True)
        shutil.rmtree(internal / "storage" / "tests", ignore_errors=True)
    assert build.audit(built.bundle).problems == []


# --- running it ------------------------------------------------------------------------------

def test_version(built: Built, isolated_home: Path) -> None:
    from app.version import __version__

    result = run([str(built.exe), "--version"], isolated_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Tandem {__version__}"


def test_vault_commands_run_on_the_bundled_native_modules(built: Built, tmp_path: Path,
                                                          isolated_home: Path) -> None:
    vault = tmp_path / "Practice.tandem"
    secret = PASSPHRASE + "\n"
    created = run([str(built.exe), "vault", "create", str(vault), "--passphrase-stdin"],
                  isolated_home, stdin=secret)
    assert created.returncode == 0, created.stderr
    assert "Recovery key" in created.stdout
    verified = run([str(built.exe), "vault", "verify", str(vault), "--passphrase-stdin"],
                   isolated_home, stdin=secret)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Verdict: OK" in verified.stdout
    wrong = run([str(built.exe), "vault", "verify", str(vault), "--passphrase-stdin"],
                isolated_home, stdin="not the passphrase at all\n")
    assert wrong.returncode == 3, wrong.stderr
    assert "Traceback" not in wrong.stderr
    backup = run([str(built.exe), "backup", str(vault), "--to", str(tmp_path / "b"),
                  "--passphrase-stdin"], isolated_home, stdin=secret)
    assert backup.returncode == 0, backup.stderr
    restored = run([str(built.exe), "restore", str(next((tmp_path / "b").iterdir())),
                    str(tmp_path / "Restored.tandem"), "--passphrase-stdin"],
                   isolated_home, stdin=secret)
    assert restored.returncode == 0, restored.stderr


def test_letters_and_reports_from_the_bundle(built: Built, tmp_path: Path,
                                             isolated_home: Path) -> None:
    """reportlab, pypdf (AES), the fonts and the templates all made it into the bundle."""
    _needs_window()
    shot = run([str(built.exe), "--demo", "--screenshot", str(tmp_path / "demo.png")],
               isolated_home, timeout=180)
    assert shot.returncode == 0, shot.stderr
    demo = next(isolated_home.rglob("*.tandem"))
    secret = "tandem demo practice\n"
    letter = tmp_path / "letter.pdf"
    made = run([str(built.exe), "letter", str(demo), "--client", "1", "--template", "progress",
                "--to", str(letter), "--deidentified", "--password-stdin", "--passphrase-stdin"],
               isolated_home, stdin=secret + "correct horse 42\n", timeout=180)
    assert made.returncode == 0, made.stdout + made.stderr
    assert letter.read_bytes().startswith(b"%PDF-") and b"/AESV3" in letter.read_bytes()
    report = tmp_path / "caseload.pdf"
    made = run([str(built.exe), "report", "caseload", str(demo), "--to", str(report),
                "--passphrase-stdin"], isolated_home, stdin=secret, timeout=180)
    assert made.returncode == 0, made.stdout + made.stderr
    assert report.read_bytes().startswith(b"%PDF-")


def _needs_window() -> None:
    if not (ROOT / "ui" / "app.py").exists():
        pytest.skip("ui/app.py (the window) has not landed yet")


def test_demo_screenshot_offscreen_is_a_real_window(built: Built, tmp_path: Path,
                                                    isolated_home: Path) -> None:
    _needs_window()
    shot = tmp_path / "demo.png"
    cmd = [str(built.exe), "--demo", "--screenshot", str(shot)]
    trace = tmp_path / "strace.txt"
    if shutil.which("strace"):
        # The frozen app too opens no Internet socket (native code included).
        cmd = ["strace", "-f", "-qq", "-e", "trace=socket,connect", "-e", "signal=none",
               "-o", str(trace), *cmd]
    result = run(cmd, isolated_home, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_real_window(shot)
    if trace.exists():
        inet = [line for line in trace.read_text().splitlines() if re.search(r"AF_INET6?\b", line)]
        assert inet == []


@pytest.mark.skipif(shutil.which("xvfb-run") is None,
                    reason="Xvfb is not installed (apt-get install xvfb)")
def test_demo_screenshot_under_x11(built: Built, tmp_path: Path, isolated_home: Path) -> None:
    """The xcb platform plugin and its libraries load, as on a therapist's X11 desktop."""
    _needs_window()
    shot = tmp_path / "x11.png"
    result = run(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", str(built.exe), "--demo",
                  "--screenshot", str(shot)], isolated_home, timeout=180, QT_QPA_PLATFORM="xcb")
    assert result.returncode == 0, result.stdout + result.stderr
    assert_real_window(shot)


# --- the Linux deliverables ------------------------------------------------------------------

def test_tarball_layout(built: Built) -> None:
    tarball = next(built.dist.glob("Tandem-*-linux-*.tar.gz"))
    with tarfile.open(tarball) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert all(name == "Tandem" or name.startswith("Tandem/") for name in members)
    assert members["Tandem/tandem"].mode & 0o111
    assert members["Tandem/install.sh"].mode & 0o111
    for name in ("Tandem/share/applications/org.tandempractice.Tandem.desktop",
                 "Tandem/share/metainfo/org.tandempractice.Tandem.metainfo.xml",
                 "Tandem/share/icons/hicolor/48x48/apps/org.tandempractice.Tandem.png",
                 "Tandem/share/icons/hicolor/scalable/apps/org.tandempractice.Tandem.svg"):
        assert name in members, name


def test_appimage_folder_recipe(built: Built, isolated_home: Path) -> None:
    result = subprocess.run(["sh", str(ROOT / "installer" / "linux" / "build-appimage.sh"),
                             "--appdir-only"], env=dict(os.environ, DIST=str(built.dist)),
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    appdir = built.dist / "Tandem.AppDir"
    try:
        assert (appdir / "AppRun").stat().st_mode & 0o111
        assert (appdir / "org.tandempractice.Tandem.desktop").resolve().is_file()
        assert (appdir / ".DirIcon").resolve().is_file()
        assert (appdir / "usr/share/metainfo/org.tandempractice.Tandem.metainfo.xml").is_file()
        version = run([str(appdir / "AppRun"), "--version"], isolated_home)
        assert version.returncode == 0 and version.stdout.startswith("Tandem "), version.stderr
    finally:
        shutil.rmtree(appdir, ignore_errors=True)


def test_install_for_one_user_and_uninstall_keeps_the_vaults(built: Built,
                                                              isolated_home: Path) -> None:
    home = isolated_home
    install = run(["sh", str(built.bundle / "install.sh")], home, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    program = home / ".local/opt/Tandem"
    desktop = home / ".local/share/applications/org.tandempractice.Tandem.desktop"
    assert (program / "tandem").is_file()
    assert f'Exec="{program}/tandem"' in desktop.read_text()
    icons = home / ".local/share/icons/hicolor"
    assert (icons / "256x256/apps/org.tandempractice.Tandem.png").is_file()
    version = run([str(home / ".local/bin/tandem"), "--version"], home)
    assert version.returncode == 0, version.stderr

    # The user's records: the demo vault, a practice vault and a backup.
    keep = [home / ".local/share/Tandem/Demo.tandem/vault.db",
            home / "Documents/Practice.tandem/vault.db",
            home / ".local/share/Tandem/Backups/Practice-20260101-090000.tandembackup"]
    for path in keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"encrypted")

    reinstall = run(["sh", str(built.bundle / "install.sh")], home, timeout=300)  # an upgrade
    assert reinstall.returncode == 0, reinstall.stderr
    uninstall = run(["sh", str(program / "uninstall.sh")], home, timeout=300)
    assert uninstall.returncode == 0, uninstall.stdout + uninstall.stderr
    assert not program.exists()
    assert not desktop.exists()
    assert not (home / ".local/bin/tandem").exists()
    assert not list((home / ".local/share/icons").rglob("org.tandempractice.Tandem.*"))
    for path in keep:
        assert path.read_bytes() == b"encrypted", f"{path} was touched"
