"""Idle footprint of the real app on the headless desktop stack.

Not a test: it prints numbers for the closing notes and the README.

    .venv/bin/python bench/idle.py [--backend sni|xorg|gtk|appindicator|none]
                                   [--host trayer|xfce] [--settle 60] [--window 120] [--runs 5]
                                   [--active] [--panel] [--prompt]

The tray host is trayer (XEmbed) or xfce4-panel's status tray (a real
StatusNotifierItem watcher and host, and an XEmbed tray); sni runs on xfce.

Prints, for the chosen tray backend:
  - time from process start to the icon embedded in the tray, at its final
    size (median and max over --runs starts);
  - PSS and RSS of the app's process tree after --settle seconds idle;
  - CPU milliseconds and context switches per idle minute, measured over
    --window seconds (all threads, from /proc/<pid>/task/*/schedstat and
    status, so sub-tick CPU time is counted).

With --panel the app's window is open (asked for over the control channel,
as a click on the icon does) for the whole measurement; it is the app's
child, so its CPU and context switches are counted too. With --prompt a
break is due from the start and stays unanswered (this implies --active:
an away user's prompt is dropped).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.desktop import Desktop, returning_user, terminate as stop, wait_for  # noqa: E402


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def memory_kib(pids: list[int]) -> tuple[int, int, int]:
    """PSS, RSS and USS (private pages only). PSS moves with whatever else
    maps the same libraries at the time; USS is what the app alone costs."""
    pss = rss = uss = 0
    for p in pids:
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == "Pss":
                pss += int(value.split()[0])
            elif name == "Rss":
                rss += int(value.split()[0])
            elif name in ("Private_Clean", "Private_Dirty"):
                uss += int(value.split()[0])
    return pss, rss, uss


def cpu_and_switches(pids: list[int]) -> tuple[float, int]:
    """(CPU seconds, context switches) summed over every thread of `pids`."""
    cpu, switches = 0.0, 0
    for p in pids:
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                cpu += int((task / "schedstat").read_text().split()[0]) / 1e9
                for line in (task / "status").read_text().splitlines():
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        switches += int(line.split()[1])
            except OSError:
                pass  # a thread ended meanwhile
    return cpu, switches


def start(desktop: Desktop, data: Path, backend: str,
          host: str, prompt: bool = False) -> tuple[subprocess.Popen, float | None]:
    returning_user(data)
    env = dict(desktop.env, POSTURE_DATA_DIR=str(data))
    if prompt:
        env.update(POSTURE_BREAK_INTERVAL="1s", POSTURE_REMINDER_INTERVAL="1h")
    args = [sys.executable, "-m", "posture_assistant"]
    if backend == "none":
        args.append("--no-tray")
    else:
        env["POSTURE_TRAY_BACKEND"] = backend
    t0 = time.monotonic()
    proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if backend == "none":
        return proc, None
    if host == "xfce":
        wait_for(desktop.sni_items, 20, interval=0.005, what="the item in xfce4-panel")
        return proc, time.monotonic() - t0
    _, settled = desktop.wait_tray_icon(timeout=20)
    return proc, settled - t0


def open_panel(desktop: Desktop, data: Path) -> None:
    """Ask the running app to open its window, as a click on the icon does,
    and wait until it is on screen."""
    ask = ("import sys; from pathlib import Path; "
           "from posture_assistant.storage.control_client import request; "
           "sys.exit(0 if request(Path(sys.argv[1]), {'cmd': 'panel'}) else 1)")
    env = dict(desktop.env, POSTURE_DATA_DIR=str(data))
    wait_for(lambda: subprocess.run([sys.executable, "-c", ask, str(data)], env=env).returncode
             == 0, 20, interval=0.2, what="the app to take the `panel` command")
    wait_for(lambda: any(g[1] == "Posture Assistant" for g in desktop.toplevels().values()),
             20, what="the panel on screen")


def measure(desktop: Desktop, pid: int, window: float, active: bool) -> dict:
    """Memory now, then CPU and context switches per minute over `window`
    seconds, of `pid` and its children; `active` moves the pointer every
    10 s meanwhile, as a person at the computer would."""
    pids = tree(pid)
    pss, rss, uss = memory_kib(pids)
    cpu0, sw0 = cpu_and_switches(pids)
    end = time.monotonic() + window
    while time.monotonic() < end:
        time.sleep(min(10.0, max(0.0, end - time.monotonic())))
        if active:
            desktop.xdotool("mousemove_relative", "--", "1", "0")
    cpu1, sw1 = cpu_and_switches(pids)
    minutes = window / 60
    return {"pids": pids, "pss": pss, "rss": rss, "uss": uss,
            "cpu_ms": (cpu1 - cpu0) * 1000 / minutes, "switches": (sw1 - sw0) / minutes}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="xorg",
                    choices=["sni", "xorg", "gtk", "appindicator", "none"])
    ap.add_argument("--host", choices=["trayer", "xfce"],
                    help="the tray host (default: xfce for sni, trayer otherwise)")
    ap.add_argument("--settle", type=float, default=60.0, help="idle seconds before measuring")
    ap.add_argument("--window", type=float, default=120.0, help="seconds of idle to measure over")
    ap.add_argument("--runs", type=int, default=5, help="starts timed for the embed figure")
    ap.add_argument("--active", action="store_true",
                    help="move the pointer every 10 s, as a person at the computer would "
                         "(without it the person is away after break_duration)")
    ap.add_argument("--panel", action="store_true",
                    help="keep the app's window open while measuring")
    ap.add_argument("--prompt", action="store_true",
                    help="a break is due and unanswered while measuring (implies --active)")
    args = ap.parse_args()
    args.active = args.active or args.prompt
    host = args.host or ("xfce" if args.backend == "sni" else "trayer")

    with tempfile.TemporaryDirectory() as tmp:
        desktop = Desktop(Path(tmp))
        try:
            desktop.start(tray=host == "trayer")
            if host == "xfce":
                desktop.start_sni_panel()
            embeds = []
            for i in range(args.runs if args.backend != "none" else 0):
                proc, embed = start(desktop, Path(tmp) / f"data{i}", args.backend, host)
                embeds.append(embed)
                stop(proc)
                wait_for(lambda: not (desktop.sni_items() if host == "xfce"
                                      else desktop.tray_icons()), 10, what="the icon to leave")
            proc, _ = start(desktop, Path(tmp) / "data", args.backend, host, args.prompt)
            if args.panel:
                open_panel(desktop, Path(tmp) / "data")
            time.sleep(args.settle)
            m = measure(desktop, proc.pid, args.window, args.active)
            assert proc.poll() is None, "the app exited during the measurement"
            stop(proc)
        finally:
            desktop.stop()

    print(f"backend: {args.backend} on {host} ({'active' if args.active else 'away'} user"
          f"{', break due' if args.prompt else ''}{', window open' if args.panel else ''})")
    if embeds:
        print(f"icon embedded after start: median {statistics.median(embeds) * 1000:.0f} ms, "
              f"max {max(embeds) * 1000:.0f} ms over {len(embeds)} starts")
    n = len(m["pids"])
    print(f"after {args.settle:.0f} s idle: PSS {m['pss'] / 1024:.1f} MiB, RSS "
          f"{m['rss'] / 1024:.1f} MiB, USS {m['uss'] / 1024:.1f} MiB "
          f"({n} process{'es' if n > 1 else ''})")
    print(f"idle over {args.window:.0f} s: {m['cpu_ms']:.2f} ms CPU and "
          f"{m['switches']:.1f} context switches per minute")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
