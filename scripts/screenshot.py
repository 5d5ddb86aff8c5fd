"""Takes the README's screenshots from the real app on a headless desktop.

    .venv/bin/python scripts/screenshot.py      # writes docs/*.png

1. docs/prompt-and-panel.png: a break prompt (dunst notification), the tray
   icon in its "break due" state, and the panel a click on the icon opens.
2. docs/panel-dark.png: the same panel in dark mode.
3. docs/tray-menu.png: the tray menu during a prompt, as a StatusNotifierItem
   host draws it (xfce4-panel's status tray, from our dbusmenu).
4. docs/checklist.png: the workspace checklist window, half answered.

The theme is set with POSTURE_THEME, so the pictures do not depend on the
light or dark mode of the machine that takes them.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.desktop import Desktop, returning_user, wait_for  # noqa: E402

DOCS = ROOT / "docs"
PANEL = "Posture Assistant"


def start_app(desktop: Desktop, tmp: Path, backend: str) -> subprocess.Popen:
    """The app with a prompt due, once its icon shows."""
    returning_user(tmp / backend)
    env = dict(desktop.env, POSTURE_DATA_DIR=str(tmp / backend), POSTURE_BREAK_INTERVAL="2s",
               POSTURE_REMINDER_INTERVAL="1h", POSTURE_TRAY_BACKEND=backend,
               POSTURE_THEME="light")
    proc = subprocess.Popen([sys.executable, "-m", "posture_assistant"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if backend == "sni":
        wait_for(desktop.sni_items, 15, what="the item in the panel")
    else:
        desktop.wait_tray_icon()
    time.sleep(3)  # the prompt is due after 2 s
    return proc


def sni_menu(tmp: Path) -> None:
    """On a desktop of its own, whose panel is a StatusNotifierItem host."""
    (tmp / "sni-desktop").mkdir()
    desktop = Desktop(tmp / "sni-desktop")
    try:
        desktop.start(tray=False)
        desktop.start_sni_panel()
        app = start_app(desktop, tmp, "sni")
        desktop.sni_panel_window()  # also opens the X connection toplevels() uses
        before = set(desktop.toplevels())
        desktop.click_sni_icon(3)
        menu = wait_for(lambda: next((g for i, g in desktop.toplevels().items()
                                      if i not in before and "Dunst" not in g[0]
                                      and g[5] > 60), None), 10, what="the menu")
        time.sleep(0.3)
        _, _, x, y, mw, mh = menu
        shot(desktop, tmp, "tray-menu.png", (0, 0, min(1024, x + mw + 40), y + mh + 10))
        app.terminate()
        app.wait(10)
    finally:
        desktop.stop()


def shot(desktop: Desktop, tmp: Path, name: str, box: tuple[int, int, int, int]) -> None:
    raw = desktop.screenshot(tmp / f"{name}-full.png")
    Image.open(raw).crop(box).save(DOCS / name, optimize=True)
    print(DOCS / name)


def window(desktop: Desktop, title: str) -> tuple:
    """The geometry (class, name, x, y, w, h) of our window titled `title`,
    once it is on screen and drawn."""
    wait_for(lambda: any(g[1].startswith(title) for g in desktop.toplevels().values()), 15,
             what=title)
    time.sleep(0.5)  # mapped at 200x200 first, then its real size and contents
    return next(g for g in desktop.toplevels().values() if g[1].startswith(title))


def dark_panel(desktop: Desktop, tmp: Path) -> None:
    """The panel of the prompt still pending, opened again in dark mode."""
    desktop.xdotool("key", "Escape")  # the light one, which has the focus
    wait_for(lambda: not any(g[1] == PANEL for g in desktop.toplevels().values()), 10,
             what="the light panel to close")
    env = dict(desktop.env, POSTURE_DATA_DIR=str(tmp / "xorg"), POSTURE_THEME="dark")
    panel = subprocess.Popen([sys.executable, "-m", "posture_assistant", "panel"], env=env)
    _, _, x, y, w, h = window(desktop, PANEL)
    shot(desktop, tmp, "panel-dark.png", (x, y, x + w, y + h))
    panel.terminate()
    panel.wait(10)


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        desktop = Desktop(tmp)
        try:
            desktop.start()
            app = start_app(desktop, tmp, "xorg")
            win, _, _, w, h = desktop.wait_tray_icon()[0]
            desktop.xdotool("mousemove", "--window", win, w // 2, h // 2, "click", 1)
            panel = window(desktop, PANEL)
            shot(desktop, tmp, "prompt-and-panel.png", (0, 0, 1024, max(panel[5], 160)))
            dark_panel(desktop, tmp)
            app.terminate()
            app.wait(10)
            wait_for(lambda: not desktop.tray_icons(), 10, what="the icon to go")
            desktop.run("dunstctl", "close-all")

            env = dict(desktop.env, POSTURE_DATA_DIR=str(tmp / "xorg"), POSTURE_THEME="light")
            checklist = subprocess.Popen([sys.executable, "-m", "posture_assistant", "checklist",
                                          "--window"], env=env)
            window(desktop, "Check my workspace")
            desktop.xdotool("key", "--delay", "50", "y", "n")
            time.sleep(0.3)
            _, _, x, y, w, h = window(desktop, "Check my workspace")
            shot(desktop, tmp, "checklist.png", (x, y, x + w, y + h))
            checklist.terminate()
            checklist.wait(10)
        finally:
            desktop.stop()
        sni_menu(tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
