"""A real, throw-away Linux desktop: for the end-to-end tests (through
tests/e2e/conftest.py), bench/idle.py and scripts/screenshot.py.

    Xvfb (a free display, picked with -displayfd)
    dbus-daemon (a private session bus with no service activation)
    dunst (a real notification server; read back with dunstctl)
    trayer (a real XEmbed system tray)

Every process is a child of
pytest and is stopped by its pid, never by name. Without the stack the tests
skip, unless POSTURE_E2E=required (CI), where a missing piece is a failure.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

NEEDED = ["Xvfb", "dbus-daemon", "dbus-send", "busctl", "dunst", "dunstctl", "trayer",
          "xdotool", "import", "openbox"]
REQUIRED = os.environ.get("POSTURE_E2E") == "required"

DBUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir={tmp}</listen>
  <auth>EXTERNAL</auth>{services}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# Notifications never expire on their own, so the tests can read them back.
# dunst's context menu (`dunstctl context`) runs FAKE_DMENU in place of
# dmenu: that is how a test presses a notification's button.
DUNSTRC = """[global]
    dmenu = {tmp}/fake-dmenu
    monitor = 0
    follow = none
    width = 300
    height = 100
    origin = top-right
    offset = 10x40
    font = Monospace 9
    mouse_left_click = do_action, close_current
    # Every notification of the session stays readable (dunst keeps 20).
    history_length = 0
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
"""

# dunst offers one line per action of every notification on screen, such as
# "#Snooze 5 min (Time to stand up) [4,snooze]"; this picks the first holding
# the text in dmenu-pick (none when it is empty: the menu is cancelled), and
# then, once dunst has its answer, keeps the lines for the test to read.
FAKE_DMENU = """#!/bin/sh
offered=$(cat)
pick=$(cat {tmp}/dmenu-pick 2>/dev/null)
[ -n "$pick" ] && printf '%s\\n' "$offered" | grep -F -m1 -- "$pick"
exec >&-
printf '%s\\n' "$offered" > {tmp}/dmenu-offered.new
mv {tmp}/dmenu-offered.new {tmp}/dmenu-offered
"""


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"POSTURE_E2E=required but {reason}", pytrace=False)
    pytest.skip(reason)


def wait_for(pred, timeout=10.0, interval=0.02, what="condition"):
    """`what` may be a callable, called at the timeout (to report the state then)."""
    end = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError(f"timed out after {timeout}s waiting for "
                               f"{what() if callable(what) else what}")
        time.sleep(interval)


def _read_line(fd: int, timeout: float, what: str) -> str:
    buf = b""
    end = time.monotonic() + timeout
    while not buf.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError(f"{what} did not report in {timeout}s")
        chunk = os.read(fd, 256)
        if not chunk:
            raise RuntimeError(f"{what} exited before reporting")
        buf += chunk
    return buf.decode().strip()


def start_bus(tmp: Path, spawn, services: Path | None = None,
              name: str = "dbus") -> tuple[subprocess.Popen, str]:
    """A private session bus: (its process, its address). Nothing is
    D-Bus-activated behind the test's back, unless `services` names a
    folder of .service files. `spawn` is Desktop._spawn or the like; the
    bus has a process group of its own, for stop_bus()."""
    conf = tmp / f"{name}.conf"
    conf.write_text(DBUS_CONF.format(
        tmp=tmp, services=f"\n  <servicedir>{services}</servicedir>" if services else ""))
    r, w = os.pipe()
    proc = spawn(name, ["dbus-daemon", f"--config-file={conf}", "--nofork",
                        f"--print-address={w}"], pass_fds=(w,), start_new_session=True)
    os.close(w)
    try:
        return proc, _read_line(r, 15, "dbus-daemon")
    finally:
        os.close(r)


def stop_bus(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


class Desktop:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY",
                                 "PYSTRAY_BACKEND", "SESSION_MANAGER", "XDG_RUNTIME_DIR")
                    and not k.startswith("POSTURE_")}
        runtime = tmp / "run"
        runtime.mkdir(mode=0o700)
        # No at-spi bus from GTK; our own runtime and config dirs, so neither
        # the machine's sockets nor a real user's config.toml leak in.
        self.env.update(NO_AT_BRIDGE="1", GDK_BACKEND="x11", XDG_RUNTIME_DIR=str(runtime),
                        XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"))
        self.x = None

    def _spawn(self, name: str, argv: list[str], **kw) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=kw.pop("env", self.env), **kw)
        self.procs.append((name, p))
        return p

    def start(self, tray: bool = True) -> None:
        r, w = os.pipe()
        self._spawn("xvfb", ["Xvfb", "-displayfd", str(w), "-screen", "0", "1024x768x24",
                             "-nolisten", "tcp", "-noreset"], pass_fds=(w,))
        os.close(w)
        try:
            self.display = ":" + _read_line(r, 15, "Xvfb")
        finally:
            os.close(r)
        self.env["DISPLAY"] = self.display

        self.bus = start_bus(self.tmp, self._spawn)[1]
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus

        (self.tmp / "dunstrc").write_text(DUNSTRC.format(tmp=self.tmp))
        dmenu = self.tmp / "fake-dmenu"
        dmenu.write_text(FAKE_DMENU.format(tmp=self.tmp))
        dmenu.chmod(0o755)
        self.dunst = self._spawn("dunst", ["dunst", "-config", str(self.tmp / "dunstrc")])
        wait_for(lambda: self.name_has_owner("org.freedesktop.Notifications"), 15,
                 what="dunst to own org.freedesktop.Notifications")
        if tray:
            self.start_tray()

    def start_tray(self) -> None:
        self.trayer = self._spawn("trayer", [
            "trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
            "--height", "32", "--SetDockType", "true", "--SetPartialStrut", "false",
            "--transparent", "false"])
        import Xlib.display

        self.x = self.x or Xlib.display.Display(self.display)
        self.root = self.x.screen().root
        sel = self.x.intern_atom("_NET_SYSTEM_TRAY_S0")
        wait_for(lambda: self.x.get_selection_owner(sel) != 0, 15, what="trayer to own the tray")

    def stop_tray(self) -> None:
        self.trayer.terminate()
        self.trayer.wait(5)
        sel = self.x.intern_atom("_NET_SYSTEM_TRAY_S0")
        wait_for(lambda: self.x.get_selection_owner(sel) == 0, 5, what="the tray to go")

    def stop(self) -> None:
        if self.x is not None:
            self.x.close()
        for name, p in reversed(self.procs):
            if p.poll() is None:
                if name.startswith("dbus"):
                    stop_bus(p)
                    continue
                try:
                    p.terminate()
                    p.wait(5)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    p.kill()
                    p.wait(5)

    # ---- helpers ---------------------------------------------------------

    def run(self, *argv, check=True, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(argv, env=self.env, capture_output=True, text=True, check=check,
                              timeout=kw.pop("timeout", 20), **kw)

    def name_has_owner(self, name: str) -> bool:
        r = self.run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                     "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
                     f"string:{name}", check=False)
        return r.returncode == 0 and "boolean true" in r.stdout

    def notifications(self) -> list[dict]:
        """Every notification dunst has had so far, oldest first."""
        self.run("dunstctl", "close-all")
        time.sleep(0.05)
        data = json.loads(self.run("dunstctl", "history").stdout)["data"][0]
        return sorted(({k: v["data"] for k, v in n.items()} for n in data), key=lambda n: n["id"])

    def notification_actions(self, pick: str = "") -> list[str]:
        """The action lines dunst's context menu offers for the notifications
        on screen (see FAKE_DMENU); with `pick`, presses the first holding it,
        e.g. "[4,snooze]"."""
        if self.run("dunstctl", "count", "displayed").stdout.strip() == "0":
            return []  # dunst would not open the menu at all
        offered, log = self.tmp / "dmenu-offered", self.tmp / "dunst.log"
        (self.tmp / "dmenu-pick").write_text(pick)
        while True:
            offered.unlink(missing_ok=True)
            refused = log.read_text(errors="replace").count("refusing to rerun")
            self.run("dunstctl", "context")
            # dunst runs one menu at a time, and says at once when it will
            # not: the one before may still be finishing.
            if log.read_text(errors="replace").count("refusing to rerun") == refused:
                break
            time.sleep(0.05)
        wait_for(offered.exists, 15, what="dunst's context menu")
        return [line for line in offered.read_text().splitlines() if line]

    def screenshot(self, path: Path) -> Path:
        self.run("import", "-window", "root", str(path))
        return path

    def tray_icons(self) -> list[tuple[int, int, int, int, int]]:
        """Windows embedded in trayer: [(window id, abs x, abs y, w, h)]."""
        import Xlib.error

        out = []
        try:
            for top in self.root.query_tree().children:
                if "trayer" not in (top.get_wm_class() or ()) or top.get_wm_name() != "panel":
                    continue
                for socket in top.query_tree().children:
                    for client in socket.query_tree().children:
                        g = client.get_geometry()
                        pos = client.translate_coords(self.root, 0, 0)
                        out.append((client.id, -pos.x, -pos.y, g.width, g.height))
        except (Xlib.error.BadWindow, Xlib.error.BadDrawable):
            return []
        return out

    def describe_icons(self) -> list[tuple]:
        """tray_icons() with each window's WM_CLASS and owning pid (X-Resource)."""
        import Xlib.error
        from Xlib.ext import res

        out = []
        for icon in self.tray_icons():
            w = self.x.create_resource_object("window", icon[0])
            try:
                cls = w.get_wm_class()
                ids = self.x.res_query_client_ids(
                    [{"client": icon[0], "mask": res.LocalClientPIDMask}]).ids
                pid = ids[0].value[0] if ids else None
            except Xlib.error.XError:
                cls, pid = None, None
            out.append((*icon, cls, pid))
        return out

    def click_tray_icon(self, button: int = 1) -> None:
        win, _, _, w, h = self.wait_tray_icon()[0]
        self.xdotool("mousemove", "--window", win, w // 2, h // 2, "click", button)

    def open_tray_menu(self):
        """Right-click the icon; the menu's toplevel (id, geometry) once shown."""
        before = set(self.toplevels())
        self.click_tray_icon(3)
        menu = wait_for(lambda: next(((i, g) for i, g in self.toplevels().items()
                                      if i not in before and "Dunst" not in g[0]
                                      and g[5] > 60), None), 10, what="the tray menu")
        time.sleep(0.2)  # let the menu grab the keyboard
        return menu

    def wait_tray_icon(self, timeout=10.0, settle=0.15, min_size=16):
        """Exactly one icon, at least min_size px, unchanged for `settle` s
        (GTK embeds at 1 px and resizes; appindicator replaces its window)."""
        state = {"icon": None, "since": None}

        def stable():
            icons = self.tray_icons()
            icon = icons[0] if len(icons) == 1 and min(icons[0][3:]) >= min_size else None
            now = time.monotonic()
            if icon != state["icon"]:
                state.update(icon=icon, since=now)
                return None
            return icon if icon and now - state["since"] >= settle else None

        # The state at the timeout, with whose windows they are (an f-string
        # here would show the state at the start of the wait instead).
        icon = wait_for(stable, timeout, interval=0.01,
                        what=lambda: f"a settled icon in trayer (now: {self.describe_icons()})")
        return icon, state["since"]

    def toplevels(self) -> dict[int, tuple]:
        """Mapped top-level windows: {id: (wm_class, wm_name, x, y, w, h)}."""
        import Xlib.error

        res = {}
        for c in self.root.query_tree().children:
            try:
                if c.get_attributes().map_state != 2:
                    continue
                g = c.get_geometry()
                res[c.id] = (c.get_wm_class() or (), c.get_wm_name() or "", g.x, g.y,
                             g.width, g.height)
            except (Xlib.error.BadWindow, Xlib.error.BadDrawable):
                pass
        return res

    def xdotool(self, *args) -> subprocess.CompletedProcess:
        return self.run("xdotool", *map(str, args))


    # ---- a StatusNotifierItem host: xfce4-panel's status tray ---------------

    def start_sni_panel(self) -> subprocess.Popen:
        """xfce4-panel with nothing but its systray plugin, which is an SNI
        watcher and host (it draws our icon and our dbusmenu itself) and an
        XEmbed tray; returns once the watcher is on the bus. The panel is
        a top bar that shrinks to its one item."""
        conf = self.tmp / "config" / "xfce4" / "xfconf" / "xfce-perchannel-xml"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "xfce4-panel.xml").write_text(XFCE_PANEL_XML)
        if getattr(self, "xfconfd", None) is None or self.xfconfd.poll() is not None:
            # Our bus activates nothing, so the settings daemon is started here.
            self.xfconfd = self._spawn("xfconfd", [_xfconfd()])
            wait_for(lambda: self.name_has_owner("org.xfce.Xfconf"), 15, what="xfconfd")
        self.sni_panel = self._spawn("xfce4-panel", ["xfce4-panel", "--disable-wm-check"])
        wait_for(lambda: self.name_has_owner("org.kde.StatusNotifierWatcher"), 20,
                 what="xfce4-panel's StatusNotifierWatcher")
        return self.sni_panel

    def stop_sni_panel(self) -> None:
        self.sni_panel.terminate()
        self.sni_panel.wait(10)
        wait_for(lambda: not self.name_has_owner("org.kde.StatusNotifierWatcher"), 10,
                 what="the watcher to go")

    def sni_items(self) -> list[str]:
        """The items xfce4-panel's watcher has registered."""
        r = self.run("dbus-send", "--session", "--print-reply",
                     "--dest=org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                     "org.freedesktop.DBus.Properties.Get",
                     "string:org.kde.StatusNotifierWatcher",
                     "string:RegisteredStatusNotifierItems", check=False)
        return [line.split('"')[1] for line in r.stdout.splitlines() if 'string "' in line]

    def sni_panel_window(self) -> tuple:
        """The panel's toplevel: (id, wm_class, wm_name, x, y, w, h)."""
        import Xlib.display

        self.x = self.x or Xlib.display.Display(self.display)
        self.root = self.x.screen().root
        return wait_for(lambda: next(((i, *g) for i, g in self.toplevels().items()
                                      if "xfce4-panel" in g[0] and g[5] > 8), None), 15,
                        what="xfce4-panel's window")

    def click_sni_icon(self, button: int = 1) -> None:
        """Click our item, the panel's only one, in the middle."""
        win, _cls, _name, _x, _y, w, h = self.sni_panel_window()
        self.xdotool("mousemove", "--window", win, w // 2, h // 2, "click", button)


def _xfconfd() -> str:
    found = shutil.which("xfconfd")
    if found:
        return found
    for root in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib",
                 "/usr/libexec"):
        path = Path(root) / "xfce4" / "xfconf" / "xfconfd"
        if path.exists():
            return str(path)
    unavailable("xfconfd (package xfconf) is not installed")
    raise AssertionError("unreachable")  # not for users


XFCE_PANEL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="1"/>
      <property name="length-adjust" type="bool" value="true"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"""


def terminate(proc: subprocess.Popen, wait: float = 10) -> None:
    """End a child we started: politely, then for sure; never leave a zombie."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _check_stack() -> None:
    missing = [b for b in NEEDED if not shutil.which(b)]
    if missing:
        unavailable(f"the desktop stack is missing {missing} (scripts/test installs it "
                    "with apt-get when run as root)")
    try:
        import Xlib  # noqa: F401
    except ImportError:
        unavailable("python-xlib is not installed")


def returning_user(data_dir: Path) -> None:
    """Make `data_dir` a returning user's: the one-time checklist offer was
    made already, so no checklist window pops up (and takes the focus)."""
    from posture_assistant.features.checklist import reminders
    from posture_assistant.storage.store import Store

    with Store.open(data_dir)[0] as store:
        reminders.offer_made(store)


class PostureApp:
    """The real `posture-assistant`, started as a process with its own data dir."""

    def __init__(self, desktop: Desktop, tmp: Path, env: dict[str, str], first_start: bool):
        self.desktop = desktop
        tmp.mkdir(parents=True, exist_ok=True)
        self.data_dir = tmp / "appdata"
        if not first_start:
            returning_user(self.data_dir)
        self.env = dict(desktop.env, POSTURE_DATA_DIR=str(self.data_dir), **env)
        self.log_path = tmp / "app.log"
        self.proc: subprocess.Popen | None = None
        # How to run it (the installed-wheel test runs the console script)
        # and from where.
        self.argv = [sys.executable, "-m", "posture_assistant"]
        self.cwd: Path | None = None

    @property
    def db(self) -> Path:
        return self.data_dir / "events.sqlite3"

    def start(self, *args: str) -> "PostureApp":
        # The user sits at the desk: Xvfb has had no input since whatever
        # test last moved the pointer, minutes ago on a long run, and an app
        # that starts with the X server idle past break_duration begins
        # away (a natural break under way) instead of counting.
        # (A headless app's stand-in desktop has no X server to nudge.)
        if isinstance(self.desktop, Desktop):
            self.desktop.xdotool("mousemove_relative", "--", "1", "0")
            self.desktop.xdotool("mousemove_relative", "--", "-1", "0")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([*self.argv, *args], cwd=self.cwd,
                                     env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: self.status(check=False).get("running") or
                     self.proc.poll() is not None, 20, interval=0.05,
                     what="the app to answer `status`")
        except TimeoutError:
            last = self.cli("status", "--json")
            raise AssertionError(f"app did not come up; status said {last.stdout!r} "
                                 f"{last.stderr!r}; app log: {self.log()!r}") from None
        assert self.proc.poll() is None, self.log()
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def cli(self, *args: str, env: dict | None = None, timeout: float = 30):
        return subprocess.run([*self.argv, *args], cwd=self.cwd,
                              env=dict(self.env, **(env or {})), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def status(self, check: bool = True) -> dict:
        r = self.cli("status", "--json")
        if r.returncode != 0:
            if check:
                raise AssertionError(r.stderr)
            return {}
        return json.loads(r.stdout)

    def wait_state(self, state: str, timeout: float = 15) -> dict:
        return wait_for(lambda: (lambda s: s if s.get("state") == state else None)(self.status()),
                        timeout, interval=0.1, what=f"state {state!r}")

    def events(self) -> list[tuple[str, float | None]]:
        """Every recorded event as (kind, seconds), read straight from SQLite."""
        if not self.db.exists():
            return []
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return con.execute("SELECT kind, seconds FROM events ORDER BY id").fetchall()
        finally:
            con.close()

    def kinds(self) -> list[str]:
        return [k for k, _ in self.events()]

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc)
