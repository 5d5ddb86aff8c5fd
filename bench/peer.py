"""The same idle measurement as bench/idle.py, for another program: a peer
such as Workrave, started on the same headless desktop, so the README can
put their figures beside ours.

    .venv/bin/python bench/peer.py [--host xfce|trayer] [--settle 60] [--window 120] -- workrave

Prints PSS, RSS and USS of the program's process tree after --settle
seconds, and its CPU milliseconds and context switches per idle minute over
--window seconds, while the pointer moves every 10 s (a person at the
computer, as `bench/idle.py --active`).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.idle import measure  # noqa: E402
from tests.desktop import Desktop, terminate  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", choices=["trayer", "xfce"], default="xfce")
    ap.add_argument("--settle", type=float, default=60.0)
    ap.add_argument("--window", type=float, default=120.0)
    ap.add_argument("argv", nargs="+", help="the program to measure, with its arguments")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        desktop = Desktop(Path(tmp))
        try:
            desktop.start(tray=args.host == "trayer")
            if args.host == "xfce":
                desktop.start_sni_panel()
            env = dict(desktop.env, HOME=tmp)
            proc = subprocess.Popen(args.argv, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(args.settle)
            assert proc.poll() is None, f"{args.argv[0]} exited (status {proc.returncode})"
            m = measure(desktop, proc.pid, args.window, active=True)
            terminate(proc)
        finally:
            desktop.stop()
    print(f"{' '.join(args.argv)} on {args.host}: PSS {m['pss'] / 1024:.1f} MiB, RSS "
          f"{m['rss'] / 1024:.1f} MiB, USS {m['uss'] / 1024:.1f} MiB ({len(m['pids'])} "
          f"processes); {m['cpu_ms']:.2f} ms CPU and {m['switches']:.1f} context switches per "
          "idle minute")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
