"""Tandem opens no network socket, ever: checked in the code and in a whole session that runs.

Two layers watch a real session (vault create, backup, restore, verify, a backup that looks for
the OS keychain, and the demo window painted to a PNG), each command in its own process:

* a Python audit hook (installed before Tandem is imported) that REFUSES any AF_INET/AF_INET6
  socket, any connect/bind/send to an (host, port) address, any DNS lookup and any urllib/http/
  ftp/smtp connection, and logs every other socket (AF_UNIX: D-Bus for the keychain, X11);
* when `strace` is installed, the system calls of the whole process tree, which also sees sockets
  opened by native code (Qt, libdbus, OpenSSL) that Python's hook cannot.

Any AF_INET/AF_INET6 socket fails the test. AF_UNIX sockets are allowed (they never leave the
computer) and listed in the test's output, so a reviewer can see who opened them and why.
A static scan also keeps network modules out of app/, storage/, reports/ and ui/.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "correct horse battery staple"

# Imports that would let Tandem talk to a network. urllib.parse is plain string handling.
NETWORK_MODULES = {
    "socket", "ssl", "socketserver", "http", "urllib", "urllib3", "requests", "httpx", "aiohttp",
    "websocket", "websockets", "ftplib", "smtplib", "imaplib", "poplib", "nntplib", "telnetlib",
    "xmlrpc", "asyncio.streams", "PySide6.QtNetwork", "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets", "PySide6.QtWebSockets", "PySide6.QtHttpServer",
    "PySide6.QtNetworkAuth", "PySide6.QtRemoteObjects",
}
ALLOWED_MODULES = {"urllib.parse"}

GUARD = r'''
"""Network guard: an audit hook that refuses Internet sockets and logs every socket."""
import json, os, socket, sys

_LOG = os.environ["TANDEM_NET_LOG"]
_INET = {int(socket.AF_INET), int(socket.AF_INET6)}
_DNS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
        "socket.gethostbyaddr", "socket.getnameinfo"}
_CLIENTS = {"urllib.Request", "http.client.connect", "http.client.send", "ftplib.connect",
            "smtplib.connect", "poplib.connect", "imaplib.open", "nntplib.connect",
            "telnetlib.Telnet.open"}
_ADDRESSED = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}


class NetworkForbidden(RuntimeError):
    pass


def _record(kind, detail):
    with open(_LOG, "a", encoding="utf-8") as out:
        out.write(json.dumps({"kind": kind, "detail": detail, "argv": sys.argv[1:3]}) + "\n")


def _hook(event, args):
    if event == "socket.__new__":
        family = int(args[1])
        if family in _INET:
            _record("inet-socket", f"family {family}")
            raise NetworkForbidden(f"Tandem tried to open an Internet socket (family {family})")
        _record("socket", f"family {family}")
    elif event in _ADDRESSED:
        address = args[1] if len(args) > 1 else None
        if isinstance(address, tuple):
            _record("inet-address", f"{event} {address!r}")
            raise NetworkForbidden(f"{event} to {address!r}")
        _record("socket-address", f"{event} {address!r}")
    elif event in _DNS or event in _CLIENTS:
        _record("network", f"{event} {args[:1]!r}")
        raise NetworkForbidden(event)


sys.addaudithook(_hook)
_record("guard", "installed")

if sys.argv[1:2] == ["--exec"]:
    exec(sys.argv[2])
else:
    from ui.entry import main

    sys.exit(main(sys.argv[1:]))
'''

FORBIDDEN_KINDS = {"inet-socket", "inet-address", "network"}


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    probe = subprocess.run(["strace", "-f", "-qq", "-e", "trace=none", "true"],
                           capture_output=True, check=False)
    return probe.returncode == 0


STRACE = _strace_works()


class Session:
    """Runs `tandem ARGS` under the guard (and strace); collects what was seen."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.driver = tmp / "guarded_tandem.py"
        self.driver.write_text(GUARD, encoding="utf-8")
        self.log = tmp / "sockets.jsonl"
        self.traces: list[Path] = []
        self.runs = 0

    def env(self) -> dict[str, str]:
        env = dict(os.environ)  # conftest: isolated HOME, XDG and TANDEM_* folders
        env.update(TANDEM_NET_LOG=str(self.log), QT_QPA_PLATFORM="offscreen",
                   TANDEM_KDF_PROFILE="minimum", PYTHONDONTWRITEBYTECODE="1",
                   LANG=env.get("LANG") or "C.UTF-8")
        return env

    def run(self, *args: str, stdin: str = "", timeout: float = 120,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        self.runs += 1
        env = self.env() | (extra_env or {})
        cmd = [sys.executable, str(self.driver), *args]
        if STRACE:
            trace = self.tmp / f"strace-{self.runs}.txt"
            self.traces.append(trace)
            cmd = ["strace", "-f", "-qq", "-e", "trace=socket,connect,bind,sendto",
                   "-e", "signal=none", "-o", str(trace), *cmd]
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                              env=env, cwd=self.tmp, timeout=timeout, check=False)

    def events(self) -> list[dict[str, str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]

    def syscalls(self) -> list[str]:
        lines = []
        for trace in self.traces:
            if trace.exists():
                lines += [line for line in trace.read_text(errors="replace").splitlines()
                          if re.search(r"\b(socket|connect|bind|sendto)\(", line)]
        return lines


def _inet_syscalls(lines: list[str]) -> list[str]:
    return [line for line in lines if re.search(r"AF_INET6?\b|PF_INET6?\b", line)]


def test_the_guard_itself_refuses_internet_sockets_and_lookups(tmp_path: Path) -> None:
    """A guard that cannot fail proves nothing: make it catch a socket and a DNS lookup."""
    session = Session(tmp_path)
    code = ("import socket\n"
            "socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()\n"
            "for attempt in (lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM),\n"
            "                lambda: socket.getaddrinfo('localhost', 80)):\n"
            "    try:\n"
            "        attempt()\n"
            "    except RuntimeError as exc:\n"
            "        print('refused:', exc)\n")
    result = session.run("--exec", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("refused:") == 2
    kinds = [event["kind"] for event in session.events()]
    assert "inet-socket" in kinds and "network" in kinds
    assert "socket" in kinds, "a local (AF_UNIX) socket is allowed and logged"
    if STRACE:
        syscalls = session.syscalls()
        assert any("AF_UNIX" in line for line in syscalls), "strace sees native sockets"
        assert not _inet_syscalls(syscalls), "the refused socket was never created"


@pytest.mark.slow
def test_a_whole_session_opens_no_internet_socket(tmp_path: Path) -> None:
    session = Session(tmp_path)
    vault = tmp_path / "Practice.tandem"
    backups = tmp_path / "backups"
    secret = PASSPHRASE + "\n"

    steps = [("vault create", session.run("vault", "create", str(vault), "--passphrase-stdin",
                                          stdin=secret))]
    steps.append(("backup", session.run("backup", str(vault), "--to", str(backups),
                                        "--passphrase-stdin", stdin=secret)))
    made = sorted(backups.glob("*.tandembackup"))
    assert made, steps[-1][1].stdout + steps[-1][1].stderr
    restored = tmp_path / "Restored.tandem"
    steps.append(("restore", session.run("restore", str(made[-1]), str(restored),
                                         "--passphrase-stdin", stdin=secret)))
    steps.append(("vault verify", session.run("vault", "verify", str(restored),
                                              "--passphrase-stdin", stdin=secret)))
    for name, result in steps:
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"

    # A backup without --passphrase-stdin first asks the OS keychain (Secret Service over D-Bus
    # on Linux), then stops for want of a terminal: exit 2 is expected, a crash is not. A session
    # bus address (to a bus that is not there) makes the keychain probe really try D-Bus.
    keychain = session.run("backup", str(vault), "--to", str(backups), extra_env={
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-session-bus'}"})
    assert keychain.returncode in (0, 2), keychain.stderr
    steps.append(("backup via keychain", keychain))

    if (ROOT / "ui" / "app.py").exists():
        shot = tmp_path / "demo.png"
        result = session.run("--demo", "--screenshot", str(shot), timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
        assert shot.stat().st_size > 10_000
        steps.append(("demo window", result))

    events = session.events()
    assert sum(event["kind"] == "guard" for event in events) == session.runs, \
        "the guard was not active in every process"
    forbidden = [event for event in events if event["kind"] in FORBIDDEN_KINDS]
    assert forbidden == [], forbidden
    inet = _inet_syscalls(session.syscalls())
    assert inet == [], inet

    local = [event for event in events if event["kind"].startswith("socket")]
    native_unix = [line for line in session.syscalls() if "AF_UNIX" in line or "PF_LOCAL" in line]
    print(f"\nno-network: {session.runs} processes, no Internet socket; "
          f"strace {'on' if STRACE else 'not available'}; "
          f"local (AF_UNIX) sockets from Python: {len(local)}, from native code: "
          f"{len(native_unix)}")
    for event in local:
        print(f"  python  {event['argv']}: {event['kind']} {event['detail']}")
    for line in native_unix[:20]:
        print(f"  native  {line}")


@pytest.mark.parametrize("package", ["app", "storage", "reports", "ui"])
def test_no_network_module_is_imported(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                parts = name.split(".")
                prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
                if name not in ALLOWED_MODULES and prefixes & NETWORK_MODULES and not (
                        name.startswith("urllib.parse")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offenders == []


def test_the_scan_sees_network_imports() -> None:
    """The scan above must recognise the forms it is looking for."""
    source = ("import socket\nfrom urllib import request\nimport urllib.parse\n"
              "from PySide6.QtNetwork import QTcpSocket\nfrom http.client import HTTPConnection\n")
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    flagged = {n for n in names if n not in ALLOWED_MODULES and not n.startswith("urllib.parse")
               and {".".join(n.split(".")[:i]) for i in range(1, n.count(".") + 2)}
               & NETWORK_MODULES}
    assert {"socket", "urllib.request", "PySide6.QtNetwork", "http.client"} <= flagged
    assert "urllib.parse" not in flagged
