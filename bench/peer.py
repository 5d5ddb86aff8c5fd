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

from bench.idle import cpu_and_switches, memory_kib, stop, tree  # noqa: E402
from tests.desktop import Desktop  # noqa: E402


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
            pids = tree(proc.pid)
            pss, rss, uss = memory_kib(pids)
            cpu0, sw0 = cpu_and_switches(pids)
            end = time.monotonic() + args.window
            while time.monotonic() < end:
                time.sleep(min(10.0, max(0.0, end - time.monotonic())))
                desktop.xdotool("mousemove_relative", "--", "1", "0")
            cpu1, sw1 = cpu_and_switches(pids)
            stop(proc)
        finally:
            desktop.stop()
    minutes = args.window / 60
    print(f"{' '.join(args.argv)} on {args.host}: PSS {pss / 1024:.1f} MiB, RSS "
          f"{rss / 1024:.1f} MiB, USS {uss / 1024:.1f} MiB ({len(pids)} processes); "
          f"{(cpu1 - cpu0) * 1000 / minutes:.2f} ms CPU and {(sw1 - sw0) / minutes:.1f} "
          "context switches per idle minute")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
