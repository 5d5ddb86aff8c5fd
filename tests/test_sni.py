"""The StatusNotifierItem and its dbusmenu, over a real private bus: a
second connection plays the panel (host) and a stand-in watcher, and makes
the calls a panel makes. The real panel is in tests/e2e/test_sni_e2e.py."""
from __future__ import annotations

import queue

import pytest

from posture_assistant.adapters import _dbus
from posture_assistant.adapters.tray import _dbusmenu, _sni
from posture_assistant.adapters.tray.view import MenuEntry, TrayView
from posture_assistant.core.events import Command

MENU = (MenuEntry("Done: I took my break", Command.DONE),
        MenuEntry("Pause", None, children=(
            MenuEntry("For 1 hour", Command.PAUSE, {"seconds": 3600.0}),)),
        MenuEntry("Open Posture Assistant…", Command.PANEL, default=True, separated=True),
        MenuEntry("Quit_now", Command.QUIT))


class Watcher:
    """Just enough of org.kde.StatusNotifierWatcher to register with."""

    def __init__(self, bus: _dbus.Bus, host: bool = True) -> None:
        self.items: list[str] = []
        self.host = host
        bus.export(_sni.WATCHER_PATH, self._handle)
        bus.call(_dbus.BUS, _dbus.BUS_PATH, _dbus.BUS, "RequestName", "su",
                 ("org.kde.StatusNotifierWatcher", 0))

    def _handle(self, call):
        if call.header.fields[3] == "RegisterStatusNotifierItem":  # 3: the member field
            self.items.append(call.body[0])
            return _dbus.answer(call)
        return _dbus.properties(call, "org.kde.StatusNotifierWatcher", {
            "IsStatusNotifierHostRegistered": ("b", self.host),
            "RegisteredStatusNotifierItems": ("as", self.items)})


@pytest.fixture
def posted():
    return queue.Queue()


@pytest.fixture
def panel(private_bus, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus)
    bus = _dbus.connect()
    yield bus
    bus.close()


def make_tray(posted) -> _sni.SniTray:
    tray = _sni.SniTray(lambda command, **args: posted.put((command, args)),
                        bus=_dbus.connect())
    tray.show(TrayView("counting", "Next break in 58 min · 0 breaks today", MENU))
    return tray


def prop(panel, tray, name):
    return panel.call(tray.name, _sni.PATH, _dbus.PROPERTIES, "Get", "ss",
                      (_sni.INTERFACE, name))[0]


def test_without_a_watcher_nothing_is_shown_until_one_comes(panel, posted):
    tray = make_tray(posted)
    assert tray.shown() is None
    watcher = Watcher(panel)
    _wait(lambda: tray.shown())
    assert watcher.items == [tray.name]
    assert "org.kde.StatusNotifierWatcher" in tray.shown()


def test_a_watcher_without_a_host_shows_nothing(panel, posted):
    Watcher(panel, host=False)
    tray = make_tray(posted)
    assert tray.shown() is None


def test_the_item_has_an_icon_tooltip_and_attention_state(panel, posted):
    Watcher(panel)
    tray = make_tray(posted)
    assert tray.shown()
    pixmaps = prop(panel, tray, "IconPixmap")[1]
    assert [(w, h) for w, h, _data in pixmaps] == [(s, s) for s in _sni.SIZES]
    w, h, data = pixmaps[-1]
    assert len(data) == w * h * 4
    # ARGB in network order: the corner pixel is transparent (alpha first),
    # the middle one opaque.
    middle = ((h // 2) * w + w // 2) * 4
    assert data[0] == 0 and data[middle] == 255
    assert prop(panel, tray, "Status")[1] == "Active"
    assert prop(panel, tray, "ToolTip")[1][2:] == ("Posture Assistant",
                                                   "Next break in 58 min · 0 breaks today")
    assert prop(panel, tray, "ItemIsMenu")[1] is False

    signals = queue.Queue()
    panel.subscribe(signals.put, interface=_sni.INTERFACE)
    tray.show(TrayView("pending", "Time for a break! · 0 breaks today", MENU))
    got = {signals.get(timeout=3).header.fields[3] for _ in range(3)}
    assert got == {"NewIcon", "NewStatus", "NewToolTip"}
    assert prop(panel, tray, "Status")[1] == "NeedsAttention"


def test_a_click_runs_the_default_entry_and_without_one_the_icon_is_a_menu(panel, posted):
    tray = make_tray(posted)
    panel.call(tray.name, _sni.PATH, _sni.INTERFACE, "Activate", "ii", (0, 0))
    assert posted.get(timeout=3) == (Command.PANEL, {})
    tray.show(TrayView("counting", "x", tuple(e for e in MENU if not e.default)))
    assert prop(panel, tray, "ItemIsMenu")[1] is True
    panel.call(tray.name, _sni.PATH, _sni.INTERFACE, "Activate", "ii", (0, 0))
    assert posted.empty()


def test_the_menu_layout_and_a_click_in_it(panel, posted):
    tray = make_tray(posted)
    revision, (root, _props, children) = panel.call(
        tray.name, _dbusmenu.PATH, _dbusmenu.INTERFACE, "GetLayout", "iias", (0, -1, []))
    assert root == 0
    rows = [child[1] for child in children]
    labels = [props.get("label", ("s", "—"))[1] for _i, props, _c in rows]
    assert labels == ["Next break in 58 min · 0 breaks today", "—", "Done: I took my break",
                      "Pause", "—", "Open Posture Assistant…", "Quit__now"]
    assert rows[0][1]["enabled"] == ("b", False)  # the title row
    assert rows[1][1]["type"] == ("s", "separator")
    pause = rows[3]
    assert pause[1]["children-display"] == ("s", "submenu")
    one_hour = pause[2][0][1]
    assert one_hour[1]["label"] == ("s", "For 1 hour")

    panel.call(tray.name, _dbusmenu.PATH, _dbusmenu.INTERFACE, "Event", "isvu",
               (one_hour[0], "clicked", ("s", ""), 0))
    assert posted.get(timeout=3) == (Command.PAUSE, {"seconds": 3600.0})
    # Hovering is not choosing.
    panel.call(tray.name, _dbusmenu.PATH, _dbusmenu.INTERFACE, "Event", "isvu",
               (rows[2][0], "hovered", ("s", ""), 0))
    assert posted.empty()

    updates = queue.Queue()
    panel.subscribe(updates.put, interface=_dbusmenu.INTERFACE)
    tray.show(TrayView("counting", "Next break in 58 min · 0 breaks today", MENU))
    with pytest.raises(queue.Empty):  # nothing changed: the host is not bothered
        updates.get(timeout=0.5)
    # The countdown in the title row: only that row's label goes out.
    tray.show(TrayView("counting", "Next break in 57 min · 0 breaks today", MENU))
    message = updates.get(timeout=3)
    assert message.header.fields[3] == "ItemsPropertiesUpdated"
    assert message.body == ([(rows[0][0], {"label": ("s", "Next break in 57 min · 0 breaks "
                                                     "today"), "enabled": ("b", False)})], [])
    # Other rows: a new layout revision, and the entries the user saw keep
    # their ids.
    tray.show(TrayView("counting", "x", MENU[:2] + MENU[3:]))
    message = updates.get(timeout=3)
    assert message.header.fields[3] == "LayoutUpdated" and message.body == (revision + 1, 0)
    _rev, (_root, _p, again) = panel.call(
        tray.name, _dbusmenu.PATH, _dbusmenu.INTERFACE, "GetLayout", "iias", (0, -1, []))
    assert [c[1][0] for c in again][2:4] == [c[1][0] for c in children][2:4]


def test_the_objects_describe_themselves(panel, posted):
    tray = make_tray(posted)
    for path in (_sni.PATH, _dbusmenu.PATH):
        xml = panel.call(tray.name, path, _dbus.INTROSPECTABLE, "Introspect")[0]
        assert "<interface name=" in xml
    with pytest.raises(_dbus.DBusError) as e:
        panel.call(tray.name, _sni.PATH, _sni.INTERFACE, "Fly")
    assert e.value.name == "org.freedesktop.DBus.Error.UnknownMethod"


def _wait(predicate, timeout=5.0):
    import time

    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)
