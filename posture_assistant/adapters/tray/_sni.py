"""A StatusNotifierItem tray icon, spoken over D-Bus without GTK.

StatusNotifierItem is the tray of KDE Plasma (X11 and Wayland), GNOME with
the AppIndicator extension, XFCE's status tray, waybar, LXQt and others.
The item is an object on our bus connection; a watcher keeps the list of
items, and the hosts (the panels) read our icon, tooltip and menu from us
and call back when the user clicks. Compared with libappindicator through
PyGObject this costs no GTK and no GObject: about 2 MB for jeepney.

Panels come and go (a late start at login, a crash, a restart): we follow
the watcher's bus name and register again whenever a new watcher appears.
The bus tells us; nothing is polled.
"""
from __future__ import annotations

import os
import threading
from functools import cache

from posture_assistant import APP_ID, APP_NAME
from posture_assistant.adapters import _dbus
from posture_assistant.adapters.tray._dbusmenu import PATH as MENU_PATH, DBusMenu
from posture_assistant.adapters.tray.view import TrayView
from posture_assistant.i18n import _

PATH = "/StatusNotifierItem"
INTERFACE = "org.kde.StatusNotifierItem"
# KDE's names are the ones every host and watcher implements; the
# freedesktop spelling exists on paper and in a few watchers.
WATCHERS = ("org.kde.StatusNotifierWatcher", "org.freedesktop.StatusNotifierWatcher")
WATCHER_PATH = "/StatusNotifierWatcher"
# Hosts pick the pixmap nearest the size they draw; these cover panels from
# 16 px to HiDPI ones at 2x.
SIZES = (16, 22, 24, 32, 48, 64)

INTROSPECTION = f"""<node>
 <interface name="{INTERFACE}">
  <property name="Category" type="s" access="read"/>
  <property name="Id" type="s" access="read"/>
  <property name="Title" type="s" access="read"/>
  <property name="Status" type="s" access="read"/>
  <property name="WindowId" type="i" access="read"/>
  <property name="IconName" type="s" access="read"/>
  <property name="IconPixmap" type="a(iiay)" access="read"/>
  <property name="AttentionIconName" type="s" access="read"/>
  <property name="AttentionIconPixmap" type="a(iiay)" access="read"/>
  <property name="OverlayIconName" type="s" access="read"/>
  <property name="OverlayIconPixmap" type="a(iiay)" access="read"/>
  <property name="ToolTip" type="(sa(iiay)ss)" access="read"/>
  <property name="ItemIsMenu" type="b" access="read"/>
  <property name="Menu" type="o" access="read"/>
  <method name="ContextMenu"><arg type="i" direction="in"/><arg type="i" direction="in"/></method>
  <method name="Activate"><arg type="i" direction="in"/><arg type="i" direction="in"/></method>
  <method name="SecondaryActivate"><arg type="i" direction="in"/>
   <arg type="i" direction="in"/></method>
  <method name="Scroll"><arg type="i" direction="in"/><arg type="s" direction="in"/></method>
  <signal name="NewTitle"/><signal name="NewIcon"/><signal name="NewAttentionIcon"/>
  <signal name="NewOverlayIcon"/><signal name="NewToolTip"/>
  <signal name="NewStatus"><arg type="s"/></signal>
 </interface>
</node>"""  # not for users


@cache
def pixmaps(art: str) -> list[tuple[int, int, bytes]]:
    """The picture for `art` at every size, as SNI wants it: ARGB32 in
    network byte order."""
    from PIL import Image

    from posture_assistant.adapters.tray.images import icon_image

    out = []
    for size in SIZES:
        image = icon_image(art).resize((size, size), Image.LANCZOS)
        r, g, b, a = image.split()
        out.append((size, size, Image.merge("RGBA", (a, r, g, b)).tobytes()))
    return out


class SniTray:
    backend = "sni"  # not for users
    available = True

    def __init__(self, post, bus: _dbus.Bus | None = None, on_change=None) -> None:
        self._post = post
        # Told (on the bus thread) whenever shown() may have changed.
        self._on_change = on_change or (lambda: None)
        self._bus = bus or _dbus.session()
        self._view = TrayView("counting", APP_NAME, ())
        self._lock = threading.Lock()
        self._watcher = ""  # the name of the watcher we are registered with
        self._host = False  # a host (a panel) draws the watcher's items
        self._menu = DBusMenu(self._bus, post)
        self._bus.export(PATH, self._handle)
        # A well-known name per process, as the spec suggests: hosts that
        # look items up by name find us; two apps never clash.
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-1"
        self._bus.call(_dbus.BUS, _dbus.BUS_PATH, _dbus.BUS, "RequestName", "su", (self.name, 4))
        for watcher in WATCHERS:
            self._bus.watch_name(watcher, lambda owner, w=watcher: self._watcher_changed(w, owner))
            self._bus.subscribe(self._host_registered, interface=watcher,
                                member="StatusNotifierHostRegistered")
        for watcher in WATCHERS:
            if self._bus.has_owner(watcher):
                self._register_now(watcher)
                break

    # ---- the tray contract -----------------------------------------------

    def run(self, on_ready) -> None:
        # Everything happens on the bus thread; the caller's thread is free
        # to run the app's loop.
        on_ready()

    def show(self, view: TrayView) -> None:
        old, self._view = self._view, view
        signals = []
        if view.art != old.art:
            signals.append(("NewIcon", None, ()))
            if (view.art == "pending") != (old.art == "pending"):
                signals.append(("NewStatus", "s", (self._status(),)))
        if view.tooltip != old.tooltip:
            # Title is our name, which never changes; the countdown lives in
            # the tooltip.
            signals.append(("NewToolTip", None, ()))
        for member, signature, body in signals:
            self._bus.emit(PATH, INTERFACE, member, signature, body)
        self._menu.update(view)

    def shown(self) -> str | None:
        """What the user can see, in words; None if nothing."""
        with self._lock:
            if self._watcher and self._host:
                return _("StatusNotifierItem, registered with {watcher}").format(
                    watcher=self._watcher)
        return None

    # ---- registration ------------------------------------------------------

    def _register_now(self, watcher: str) -> None:
        """At start, on the caller's thread, so that shown() is true from
        the first moment if a panel shows us."""
        try:
            self._bus.call(watcher, WATCHER_PATH, watcher, "RegisterStatusNotifierItem", "s",
                           (self.name,))
        except (_dbus.DBusError, TimeoutError):
            return  # shown() says nothing shows; a new watcher gets us again
        try:
            host = bool(self._bus.call(watcher, WATCHER_PATH, _dbus.PROPERTIES, "Get", "ss",
                                       (watcher, "IsStatusNotifierHostRegistered"))[0][1])
        except (_dbus.DBusError, TimeoutError):
            host = True  # a watcher too old to have the property
        with self._lock:
            self._watcher, self._host = watcher, self._host or host
        self._on_change()

    def _register(self, watcher: str) -> None:
        """When a watcher appears later, from the bus thread: no waiting."""
        def registered(reply) -> None:
            if isinstance(reply, Exception):
                return  # a watcher that refuses us shows nothing; shown() says so
            with self._lock:
                self._watcher = watcher
            self._bus.call_soon(watcher, WATCHER_PATH, _dbus.PROPERTIES, "Get", "ss",
                                (watcher, "IsStatusNotifierHostRegistered"), on_reply=host)

        def host(reply) -> None:
            # A watcher too old to have the property is taken to have a host.
            value = True if isinstance(reply, Exception) else bool(reply[0][1])
            with self._lock:
                self._host = self._host or value
            self._on_change()

        self._bus.call_soon(watcher, WATCHER_PATH, watcher, "RegisterStatusNotifierItem", "s",
                            (self.name,), on_reply=registered)

    def _watcher_changed(self, watcher: str, owner: str) -> None:
        if owner:
            self._register(watcher)
        else:
            with self._lock:
                if self._watcher == watcher:
                    self._watcher, self._host = "", False
            self._on_change()

    def _host_registered(self, _message) -> None:
        with self._lock:
            self._host = True
        self._on_change()

    # ---- the host's calls (on the bus thread) ------------------------------

    def _status(self) -> str:
        return "NeedsAttention" if self._view.art == "pending" else "Active"

    def _properties(self) -> dict:
        view = self._view
        default = next((e for e in view.menu if e.default), None)
        return {
            "Category": ("s", "ApplicationStatus"),
            "Id": ("s", APP_ID),
            "Title": ("s", APP_NAME),
            "Status": ("s", self._status()),
            "WindowId": ("i", 0),
            "IconName": ("s", ""),
            "IconPixmap": ("a(iiay)", pixmaps(view.art)),
            "AttentionIconName": ("s", ""),
            "AttentionIconPixmap": ("a(iiay)", pixmaps("pending")),
            "OverlayIconName": ("s", ""),
            "OverlayIconPixmap": ("a(iiay)", []),
            "ToolTip": ("(sa(iiay)ss)", ("", [], APP_NAME, view.tooltip)),
            # Without a window to open, a click shows the menu instead.
            "ItemIsMenu": ("b", default is None),
            "Menu": ("o", MENU_PATH),
        }

    def _handle(self, call):
        reply = _dbus.common(call, INTERFACE, INTROSPECTION, self._properties)
        if reply is not None:
            return reply
        member = _dbus.member(call)
        if member in ("Activate", "ContextMenu", "SecondaryActivate"):
            # A click on the icon does what the menu's default entry does
            # (open the window); hosts that cannot draw our menu send
            # ContextMenu, and get the window with the same actions.
            default = next((e for e in self._view.menu if e.default), None)
            if default is not None and member != "SecondaryActivate":
                self._post(default.command, **default.args)
            return _dbus.answer(call)
        if member == "Scroll":
            return _dbus.answer(call)
        return _dbus.error(call, "org.freedesktop.DBus.Error.UnknownMethod", member)
