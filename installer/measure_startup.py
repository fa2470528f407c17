"""Start-up time of the bundle against the same Tandem run as a script, on this machine, same run.

    .venv/bin/python installer/measure_startup.py [--runs 11] [--bundle dist/Tandem]

Commands, each run --runs times, interleaved (A B C A B C ...) so that machine noise hits every
side alike; the first round is a warm-up and not counted. Prints medians and the ratio to the
script (performance target 9: bundle start <= 1.1x the script):

  bundle --version            dist/Tandem/tandem --version
  script --version            .venv/bin/tandem --version (the console script)
  dev.py run --version        python3 dev.py run --version (set-up check, then the script)
  bundle/script --screenshot  --demo --screenshot: Qt up, demo vault unlocked (KDF profile
                              "minimum"), window painted and saved: the whole GUI start

Everything runs in a throw-away HOME with QT_QPA_PLATFORM=offscreen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(key, None)
    env.update(HOME=str(home), TANDEM_DATA_DIR=str(home / "data"),
               TANDEM_CONFIG_DIR=str(home / "config"), TANDEM_KDF_PROFILE="minimum",
               QT_QPA_PLATFORM="offscreen", LANG=env.get("LANG") or "C.UTF-8")
    return env


def _time(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"measure_startup: {' '.join(cmd)} failed: {result.stderr.decode()}")
    return elapsed


def main(argv: list[str]) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "Tandem")
    parser.add_argument("--no-gui", action="store_true", help="only the --version commands")
    args = parser.parse_args(argv)

    exe = args.bundle / ("tandem-cli.exe" if os.name == "nt" else "tandem")
    bindir = ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin")
    script = bindir / ("tandem.exe" if os.name == "nt" else "tandem")
    for path in (exe, script):
        if not path.exists():
            raise SystemExit(f"measure_startup: {path} is missing (python3 dev.py bundle / run)")

    home = Path(tempfile.mkdtemp(prefix="tandem-startup-"))
    env = _env(home)
    shot = str(home / "shot.png")
    commands = {
        "bundle --version": [str(exe), "--version"],
        "script --version": [str(script), "--version"],
        "dev.py run --version": [sys.executable if os.name == "nt" else "python3",
                                 str(ROOT / "dev.py"), "run", "--version"],
    }
    if not args.no_gui:
        commands["bundle --demo --screenshot"] = [str(exe), "--demo", "--screenshot", shot]
        commands["script --demo --screenshot"] = [str(script), "--demo", "--screenshot", shot]

    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(args.runs + 1):
        for name, cmd in commands.items():
            elapsed = _time(cmd, env)
            if round_:  # round 0 warms the page cache and creates the demo vault
                times[name].append(elapsed)

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"start-up, median of {args.runs} runs (min .. max), {sys.platform}, "
          f"{os.cpu_count()} cores:")
    for name, values in times.items():
        base = name.replace("bundle", "script")
        ratio = (f"  = {medians[name] / medians[base]:.2f}x the script"
                 if name.startswith("bundle") and base in medians else "")
        print(f"  {name:<28} {medians[name] * 1000:7.0f} ms  "
              f"({min(values) * 1000:.0f} .. {max(values) * 1000:.0f}){ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
