"""Our StatusNotifierItem tray on a real SNI host: xfce4-panel's status tray,
which registers the item with its watcher, draws our pixmaps, renders our
dbusmenu as its own GTK menu and sends the clicks back."""
from __future__ import annotations

import time

import pytest
from PIL import Image

from .conftest import Desktop, PostureApp, _check_stack, unavailable, wait_for

FAST = dict(POSTURE_BREAK_INTERVAL="2s", POSTURE_REMINDER_INTERVAL="1h",
            POSTURE_SNOOZE_OPTIONS="3s,6s")


@pytest.fixture(scope="module")
def sni_desktop(tmp_path_factory):
    """A desktop of its own: xfce4-panel is an XEmbed tray too, and would
    fight trayer over the selection on the shared one."""
    _check_stack()
    import shutil

    if not shutil.which("xfce4-panel"):
        unavailable("xfce4-panel is not installed (scripts/system-packages test installs it)")
    d = Desktop(tmp_path_factory.mktemp("sni"))
    try:
        d.start(tray=False)
        d.start_sni_panel()
        yield d
    finally:
        d.stop()


@pytest.fixture
def sni_app(sni_desktop, tmp_path):
    apps: list[PostureApp] = []

    def make(**env: str) -> PostureApp:
        app = PostureApp(sni_desktop, tmp_path / f"app{len(apps)}", env, False)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.stop()
    # The item leaves the watcher with its app.
    wait_for(lambda: not sni_desktop.sni_items(), 10, what="the watcher to drop our item")


def shown(app) -> str | None:
    return app.status()["tray"]


def item_property(desktop, app, name: str) -> str:
    r = desktop.run("dbus-send", "--session", "--print-reply",
                    f"--dest=org.kde.StatusNotifierItem-{app.proc.pid}-1", "/StatusNotifierItem",
                    "org.freedesktop.DBus.Properties.Get", "string:org.kde.StatusNotifierItem",
                    f"string:{name}")
    return r.stdout


def test_auto_picks_sni_and_the_panel_draws_our_icon(sni_desktop, sni_app, tmp_path):
    app = sni_app(**FAST).start()
    status = wait_for(lambda: (lambda s: s if s["tray"] else None)(app.status()), 10,
                      what="the item to be shown")
    assert status["tray"] == "sni"
    assert "registered with org.kde.StatusNotifierWatcher" in status["tray_detail"]
    assert sni_desktop.sni_items() == [f"org.kde.StatusNotifierItem-{app.proc.pid}-1"
                                       "/StatusNotifierItem"]
    # The panel draws the pixmaps we sent: our icon's colours, in the panel.
    win, _cls, _name, x, y, w, h = sni_desktop.sni_panel_window()

    def drawn():
        shot = sni_desktop.screenshot(tmp_path / f"shot-{time.monotonic_ns()}.png")
        img = Image.open(shot).convert("RGB").crop((x, y, x + w, y + h))
        px = img.load()
        teal = sum(1 for i in range(img.width) for j in range(img.height)
                   if px[i, j][1] > 90 and px[i, j][2] > 70 and px[i, j][0] < 80)
        return teal > 40 or None

    wait_for(drawn, 10, what="our icon's teal in the panel")
    assert "Traceback" not in app.log()
    # The prompt puts the item in its attention state, with the pending picture.
    app.wait_state("pending")
    wait_for(lambda: "NeedsAttention" in item_property(sni_desktop, app, "Status"), 10,
             what="the item to ask for attention")
    assert "Time for a break" in item_property(sni_desktop, app, "ToolTip")


def test_the_panels_own_menu_answers_a_prompt(sni_desktop, sni_app):
    app = sni_app(**FAST).start()
    app.wait_state("pending")
    before = set(sni_desktop.toplevels())
    sni_desktop.click_sni_icon(3)
    wait_for(lambda: next((i for i, g in sni_desktop.toplevels().items()
                           if i not in before and g[5] > 60), None), 10,
             what="the panel's menu")
    time.sleep(0.3)  # let the menu grab the keyboard
    # The first entry that can be chosen (the title row cannot): Done.
    sni_desktop.xdotool("key", "Down", "Return")
    status = wait_for(lambda: (lambda s: s if s["today"]["done"] == 1 else None)(app.status()),
                      10, what="a break recorded from the menu")
    assert status["state"] == "counting"
    assert "done" in app.kinds()


def test_a_click_on_the_icon_opens_the_window(sni_desktop, sni_app, windows):
    app = sni_app(**FAST).start()
    sni_desktop.click_sni_icon(1)
    wait_for(lambda: next((i for i, g in sni_desktop.toplevels().items()
                           if g[1] == "Posture Assistant"), None), 15, what="our window")
    assert app.status()["running"]


def test_a_late_or_restarted_panel_gets_the_icon_back(sni_desktop, sni_app):
    sni_desktop.stop_sni_panel()
    try:
        app = sni_app().start()
        status = app.status()
        assert status["tray"] is None
        assert "appears by itself" in status["tray_detail"]
        assert "GNOME" not in app.log()  # not on XFCE: no extension to install here
        sni_desktop.start_sni_panel()
        t0 = time.monotonic()
        wait_for(lambda: shown(app) == "sni", 5, what="the icon back within 5 s of a late panel")
        late = time.monotonic() - t0
        # The panel is an XEmbed tray too; the app waited for either kind,
        # and with the item shown its XEmbed icon stands down: one icon.
        # (It may dock for a moment first: the two arrive in either order.)
        def one_icon():
            r = sni_desktop.run("xdotool", "search", "--onlyvisible", "--classname",
                                "SystemTrayIcon", check=False)
            return not r.stdout.strip()

        wait_for(one_icon, 5, interval=0.1, what="the XEmbed icon beside the item to go")
        time.sleep(1.0)
        assert one_icon(), "the XEmbed icon came back beside the item"
        sni_desktop.stop_sni_panel()
        wait_for(lambda: shown(app) is None, 5, what="status to say the tray has gone")
        sni_desktop.start_sni_panel()
        t0 = time.monotonic()
        wait_for(lambda: shown(app) == "sni", 5, what="the icon back within 5 s of a restart")
        print(f"re-registered {late:.2f} s after a late panel, "
              f"{time.monotonic() - t0:.2f} s after a restart")
        assert sni_desktop.sni_items() == [f"org.kde.StatusNotifierItem-{app.proc.pid}-1"
                                           "/StatusNotifierItem"]
        assert "Traceback" not in app.log()
    finally:
        if sni_desktop.sni_panel.poll() is not None:
            sni_desktop.start_sni_panel()
