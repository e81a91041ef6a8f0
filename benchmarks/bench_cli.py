"""Start-up of the command line: ``aurum --version`` and a verb's ``--help`` against
``python -c "import click"`` (the floor: the command line cannot start before click loads).

Each command runs ``--repeat`` times as a fresh process, alternating with the floor so that a
change in the machine's load touches both; printed are the medians and the ratio to the floor
(issue 16 asks for ``aurum --version`` within 8×), with the machine's load average.

Run from the repository root::

    .venv/bin/python benchmarks/bench_cli.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
FLOOR = [sys.executable, "-c", "import click"]
COMMANDS = {
    "aurum --version": [str(BIN / "aurum"), "--version"],
    "aurum pit --help": [str(BIN / "aurum"), "pit", "--help"],
    "aurum ledger --help": [str(BIN / "aurum"), "ledger", "--help"],
    "aurum --help": [str(BIN / "aurum"), "--help"],
}


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs of each command")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs, "
          f"{args.repeat} runs each (median)")
    for name, command in COMMANDS.items():
        ours, floor = [], []
        for _ in range(args.repeat):
            ours.append(_seconds(command))
            floor.append(_seconds(FLOOR))
        ours_s, floor_s = statistics.median(ours), statistics.median(floor)
        print(f"{name:<22} {ours_s * 1000:7.0f} ms   import click {floor_s * 1000:5.0f} ms   "
              f"ratio {ours_s / floor_s:5.1f}×")


if __name__ == "__main__":
    main()
