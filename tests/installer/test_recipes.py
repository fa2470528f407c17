"""The installer recipes that cannot be built here are still checked: consistent, valid, safe.

Fast (no build): the PyInstaller spec's exclusions against the code's imports, the Linux desktop
entry and AppStream metainfo, the Inno Setup script, the macOS entitlements and Info.plist keys,
the icons and the shell scripts.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import json
import plistlib
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
ICONS = ROOT / "resources" / "icons"
APP = json.loads((ROOT / "resources" / "app.json").read_text(encoding="utf-8"))
APP_ID = APP["id"]
SPEC_TEXT = (INSTALLER / "tandem.spec").read_text(encoding="utf-8")
ISS_TEXT = (INSTALLER / "windows" / "tandem.iss").read_text(encoding="utf-8")


def load_script(name: str) -> ModuleType:
    """Import installer/NAME.py (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"installer_{name}", INSTALLER / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def spec_literal(name: str) -> object:
    """A top-level literal (list/tuple) assigned in the spec file."""
    for node in ast.parse(SPEC_TEXT).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            assert node.value is not None
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in tandem.spec")


def imported_modules(package: str) -> dict[str, set[str]]:
    """Module name -> the files under ROOT/package importing it."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


# --- the PyInstaller spec --------------------------------------------------------------------

def test_spec_is_one_folder_never_one_file() -> None:
    assert "exclude_binaries=True" in SPEC_TEXT
    assert "COLLECT(" in SPEC_TEXT
    assert "onefile" not in SPEC_TEXT.lower().replace("one-file", "")
    assert "runtime_tmpdir" not in SPEC_TEXT


@pytest.mark.parametrize("package", ["app", "storage", "reports", "ui"])
def test_no_excluded_qt_module_is_imported(package: str) -> None:
    """Excluding a Qt module the code uses would only fail at run time, in the bundle."""
    excluded = {f"PySide6.{name}" for name in spec_literal("EXCLUDED_QT")}  # type: ignore[union-attr]
    used = imported_modules(package)
    offenders = {name: sorted(files) for name, files in used.items() if name in excluded}
    assert offenders == {}


@pytest.mark.parametrize("package", ["app", "storage", "reports", "ui"])
def test_no_excluded_python_package_is_imported(package: str) -> None:
    excluded = set(spec_literal("EXCLUDED_PYTHON"))  # type: ignore[arg-type]
    used = imported_modules(package)
    offenders = {name: sorted(files) for name, files in used.items()
                 if name in excluded or name.split(".")[0] in excluded - {"http.server"}}
    assert offenders == {}


def test_spec_never_ships_a_plaintext_keyring_or_dev_tools() -> None:
    excluded = set(spec_literal("EXCLUDED_PYTHON"))  # type: ignore[arg-type]
    assert {"keyrings", "keyrings.alt", "pytest", "_pytest", "hypothesis", "mypy", "ruff",
            "setuptools", "tkinter", "PyInstaller", "tests"} <= excluded
    for name in ("QtQuick", "QtQml", "QtWebEngineCore", "Qt3DCore", "QtMultimedia", "QtCharts",
                 "QtNetwork"):
        assert name in spec_literal("EXCLUDED_QT")  # type: ignore[operator]


def test_spec_collects_resources_and_migrations() -> None:
    assert '(str(RESOURCES), "resources")' in SPEC_TEXT
    assert '"storage" / "migrations" / "*.sql"), "storage/migrations"' in SPEC_TEXT
    assert list((ROOT / "storage" / "migrations").glob("*.sql"))


def test_spec_mac_bundle_settings() -> None:
    for key in ("bundle_identifier=APP[\"id\"]", '"NSHighResolutionCapable": True',
                '"LSMinimumSystemVersion"', '"CFBundleShortVersionString"',
                '"NSRequiresAquaSystemAppearance": False'):
        assert key in SPEC_TEXT
    # PySide6 6.12's macOS wheels are built for macOS 14 and later.
    assert APP["macos_minimum_system_version"] == "14.0"
    # A bundle identifier may hold letters, digits, '-' and '.' only (no '_').
    assert re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", APP_ID)


def test_the_launch_script_runs_the_console_entry_point() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["tandem"] == "ui.entry:main"
    launch = (INSTALLER / "launch.py").read_text()
    assert "from ui.entry import main" in launch
    assert "sys.exit(main())" in launch


def test_build_script_names_the_natives_it_checks() -> None:
    build = load_script("build")
    required = " ".join(build.REQUIRED.values())
    for needle in ("sqlcipher3/_sqlite3", "_argon2_cffi_bindings/_ffi",
                   "cryptography/hazmat/bindings/_rust", "qoffscreen"):
        assert needle in required
    if sys.platform.startswith("linux"):
        assert "qxcb" in required


# --- Linux ---------------------------------------------------------------------------------

def test_desktop_entry() -> None:
    path = INSTALLER / "linux" / f"{APP_ID}.desktop"
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == APP["name"]
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == APP["executable"]
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True,
                                text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_appstream_metainfo() -> None:
    path = INSTALLER / "linux" / f"{APP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP["name"]
    assert root.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]
    assert root.find("provides/binary").text == APP["executable"]  # type: ignore[union-attr]
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.find("content_rating") is not None
    from app.version import __version__

    assert __version__ in [r.get("version") for r in root.iter("release")], \
        "add a <release> for the current version"
    if shutil.which("appstreamcli"):
        result = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", ["install.sh", "uninstall.sh", "build-appimage.sh"])
def test_linux_shell_scripts_parse(script: str) -> None:
    path = INSTALLER / "linux" / script
    result = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert path.stat().st_mode & 0o111, f"{script} is not executable"


def test_uninstall_removes_only_the_program_and_its_desktop_files() -> None:
    """Static half of the promise; test_bundle.py installs, plants a vault and uninstalls."""
    text = (INSTALLER / "linux" / "uninstall.sh").read_text()
    targets = sorted(
        target
        for line in text.splitlines() if re.match(r"\s*(\S.*&& )?rm ", line)
        for target in re.findall(r'"([^"]+)"', line.split("rm ", 1)[1]))
    assert targets == sorted([
        "$dest", "$bin/tandem", "$data/applications/$app_id.desktop",
        "$data/metainfo/$app_id.metainfo.xml"])
    assert "-exec rm -f" in text and '-name "$app_id.*"' in text  # the icons, by exact name


# --- Windows -------------------------------------------------------------------------------

def iss_setup() -> dict[str, str]:
    section = ISS_TEXT.split("[Setup]", 1)[1].split("\n[", 1)[0]
    pairs = {}
    for line in section.splitlines():
        line = line.strip()
        if line and not line.startswith((";", "#")) and "=" in line:
            key, value = line.split("=", 1)
            pairs[key.strip()] = value.strip()
    return pairs


def test_inno_setup_identity_and_privileges() -> None:
    setup = iss_setup()
    assert setup["AppId"] == "{" + APP["windows_app_id"]  # "{{" escapes the brace
    assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", APP["windows_app_id"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"].startswith("{autopf}")
    assert setup["ArchitecturesInstallIn64BitMode"] == "x64compatible"
    assert setup["SetupIconFile"].endswith("tandem.ico")


def test_inno_setup_refuses_to_run_over_a_running_tandem() -> None:
    setup = iss_setup()
    assert f'#define AppMutexName "{APP["windows_mutex"]}"' in ISS_TEXT
    assert setup["AppMutex"] == "{#AppMutexName},Global\\{#AppMutexName}"
    assert setup["CloseApplications"] == "no"
    assert "CheckForMutexes('{#AppMutexName},Global\\{#AppMutexName}')" in ISS_TEXT


def test_inno_setup_start_menu_and_no_user_data_deletion() -> None:
    assert re.search(r'^Name: "\{autoprograms\}\\\{#AppName\}"; Filename: "\{app\}\\Tandem.exe"',
                     ISS_TEXT, re.MULTILINE)
    sections = re.findall(r"^\[(\w+)\]", ISS_TEXT, re.MULTILINE)
    assert "UninstallDelete" not in sections
    # The only deletion at install time is the previous version's library folder.
    install_delete = ISS_TEXT.split("[InstallDelete]", 1)[1].split("\n[", 1)[0]
    targets = re.findall(r'Name: "([^"]+)"', install_delete)
    assert targets == ["{app}\\_internal"]
    for constant in ("{userappdata}", "{localappdata}", "{userdocs}", "{commonappdata}"):
        assert constant not in ISS_TEXT


# --- macOS ---------------------------------------------------------------------------------

def test_entitlements_grant_no_runtime_exceptions() -> None:
    entitlements = plistlib.loads((INSTALLER / "macos" / "entitlements.plist").read_bytes())
    assert isinstance(entitlements, dict)
    forbidden = {"com.apple.security.cs.disable-library-validation",
                 "com.apple.security.cs.allow-dyld-environment-variables",
                 "com.apple.security.get-task-allow",
                 "com.apple.security.network.client", "com.apple.security.network.server"}
    assert not forbidden & set(entitlements)


def test_mac_script_signs_notarizes_and_staples() -> None:
    script = (INSTALLER / "macos" / "sign-notarize-dmg.sh").read_text()
    for needle in ("--options runtime", "--timestamp", "notarytool submit", "--wait",
                   "stapler staple", "hdiutil create", "spctl --assess"):
        assert needle in script
    result = subprocess.run(["sh", "-n", str(INSTALLER / "macos" / "sign-notarize-dmg.sh")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


# --- icons ---------------------------------------------------------------------------------

def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_icon_svg_parses_and_every_png_size_exists() -> None:
    root = ET.parse(ICONS / "tandem.svg").getroot()
    assert root.get("viewBox") == "0 0 512 512"
    make_icons = load_script("make_icons")
    for size in make_icons.PNG_SIZES:
        assert png_size((ICONS / f"tandem-{size}.png").read_bytes()) == (size, size)
    assert {16, 22, 24, 32, 48, 64, 128, 256, 512} <= set(make_icons.PNG_SIZES)


def test_windows_icon_holds_every_size() -> None:
    data = (ICONS / "tandem.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for i in range(count):
        width, height, _c, _r, _planes, _bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        assert png_size(data[offset:offset + length]) == (width or 256, height or 256)
        sizes.add(width or 256)
    assert {16, 24, 32, 48, 256} <= sizes


def test_mac_icon_holds_every_size() -> None:
    data = (ICONS / "tandem.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    types, offset = {}, 8
    while offset < len(data):
        code, length = data[offset:offset + 4], struct.unpack(">I", data[offset + 4:offset + 8])[0]
        types[code] = png_size(data[offset + 8:offset + length])
        offset += length
    assert types[b"ic10"] == (1024, 1024)
    assert types[b"ic07"] == (128, 128)
    assert types[b"icp4"] == (16, 16)


def test_icon_renders_are_not_blank() -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(ICONS / "tandem-256.png"))
    assert image.width() == 256
    corner = image.pixelColor(0, 0)
    centre = image.pixelColor(128, 128)
    assert corner.alpha() == 0, "the tile's rounded corners are transparent"
    assert centre.alpha() == 255
