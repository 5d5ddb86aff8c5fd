"""The tray menu as `com.canonical.dbusmenu`, the menu protocol of
StatusNotifierItem hosts (KDE Plasma, GNOME's AppIndicator extension,
XFCE's status tray, waybar): the host asks for the layout and draws the
menu itself, in the desktop's own style, and tells us which item was
clicked. Built from the same TrayView as every other tray.
"""
from __future__ import annotations

from typing import Any

from posture_assistant.adapters import _dbus
from posture_assistant.adapters.tray.view import MenuEntry, TrayView

INTERFACE = "com.canonical.dbusmenu"
PATH = "/MenuBar"

INTROSPECTION = f"""<node>
 <interface name="{INTERFACE}">
  <method name="GetLayout"><arg type="i" direction="in"/><arg type="i" direction="in"/>
   <arg type="as" direction="in"/><arg type="u" direction="out"/>
   <arg type="(ia{{sv}}av)" direction="out"/></method>
  <method name="GetGroupProperties"><arg type="ai" direction="in"/>
   <arg type="as" direction="in"/><arg type="a(ia{{sv}})" direction="out"/></method>
  <method name="GetProperty"><arg type="i" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="out"/></method>
  <method name="Event"><arg type="i" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="in"/><arg type="u" direction="in"/></method>
  <method name="EventGroup"><arg type="a(isvu)" direction="in"/>
   <arg type="ai" direction="out"/></method>
  <method name="AboutToShow"><arg type="i" direction="in"/><arg type="b" direction="out"/></method>
  <method name="AboutToShowGroup"><arg type="ai" direction="in"/><arg type="ai" direction="out"/>
   <arg type="ai" direction="out"/></method>
  <signal name="ItemsPropertiesUpdated"><arg type="a(ia{{sv}})"/><arg type="a(ias)"/></signal>
  <signal name="LayoutUpdated"><arg type="u"/><arg type="i"/></signal>
  <property name="Version" type="u" access="read"/>
  <property name="TextDirection" type="s" access="read"/>
  <property name="Status" type="s" access="read"/>
  <property name="IconThemePath" type="as" access="read"/>
 </interface>
</node>"""  # not for users

PROPERTIES = {"Version": ("u", 3), "TextDirection": ("s", "ltr"), "Status": ("s", "normal"),
              "IconThemePath": ("as", [])}


class Item:
    """One row: its dbusmenu properties, what a click posts, its children."""

    def __init__(self, props: dict[str, tuple[str, Any]], entry: MenuEntry | None = None,
                 children: list[int] | None = None) -> None:
        self.props = props
        self.entry = entry
        self.children = children or []


class DBusMenu:
    def __init__(self, bus: _dbus.Bus, post) -> None:
        self._bus = bus
        self._post = post
        self.revision = 0
        # Ids stay with an item while it is on offer, so a host that cached
        # the layout still clicks what the user saw.
        self._ids: dict[tuple, int] = {}
        self._items: dict[int, Item] = {0: Item({"children-display": ("s", "submenu")})}
        bus.export(PATH, self._handle)

    def update(self, view: TrayView) -> None:
        """Show `view`'s menu; the host hears of it if anything changed."""
        items = {0: Item({"children-display": ("s", "submenu")})}
        top = items[0].children
        top.append(self._add(items, ("title",),
                             Item({"label": ("s", _escape(view.tooltip)),
                                   "enabled": ("b", False)})))
        top.append(self._add(items, ("separator", 0), Item({"type": ("s", "separator")})))
        for n, entry in enumerate(view.menu):
            if entry.separated:
                top.append(self._add(items, ("separator", n + 1),
                                     Item({"type": ("s", "separator")})))
            top.append(self._entry(items, entry))
        old, self._items = self._items, items  # whole: the bus thread sees one or the other
        if _tree(items) != _tree(old):
            self.revision += 1
            self._bus.emit(PATH, INTERFACE, "LayoutUpdated", "ui", (self.revision, 0))
            return
        # Same rows, new words (the title row counts down every minute):
        # the host updates those rows without fetching the whole menu.
        changed = [(i, item.props) for i, item in items.items() if item.props != old[i].props]
        if changed:
            self._bus.emit(PATH, INTERFACE, "ItemsPropertiesUpdated", "a(ia{sv})a(ias)",
                           (changed, []))

    def _entry(self, items: dict[int, Item], entry: MenuEntry) -> int:
        props: dict[str, tuple[str, Any]] = {"label": ("s", _escape(entry.label))}
        if entry.children:
            props["children-display"] = ("s", "submenu")
        item = Item(props, entry if entry.command else None,
                    [self._entry(items, child) for child in entry.children])
        return self._add(items, (entry.label, entry.command, tuple(sorted(entry.args.items()))),
                         item)

    def _add(self, items: dict[int, Item], key: tuple, item: Item) -> int:
        ident = self._ids.setdefault(key, len(self._ids) + 1)
        items[ident] = item
        return ident

    # ---- the host's calls (on the bus thread) ------------------------------

    def _handle(self, call):
        reply = _dbus.common(call, INTERFACE, INTROSPECTION, lambda: PROPERTIES)
        if reply is not None:
            return reply
        member = _dbus.member(call)
        items, args = self._items, call.body
        if member == "GetLayout":
            parent, depth = args[0], args[1]
            if parent not in items:
                return _dbus.error(call, "org.freedesktop.DBus.Error.InvalidArgs",
                                   "no such item")  # not for users
            return _dbus.answer(call, "u(ia{sv}av)",
                                (self.revision, _node(items, parent, depth)))
        if member == "GetGroupProperties":
            wanted = args[0] or list(items)
            return _dbus.answer(call, "a(ia{sv})",
                                ([(i, items[i].props) for i in wanted if i in items],))
        if member == "GetProperty":
            item = items.get(args[0])
            if item is None or args[1] not in item.props:
                return _dbus.error(call, "org.freedesktop.DBus.Error.InvalidArgs",
                                   "no such property")  # not for users
            return _dbus.answer(call, "v", (item.props[args[1]],))
        if member == "Event":
            self._event(items, args[0], args[1])
            return _dbus.answer(call)
        if member == "EventGroup":
            missing = [i for i, event, _data, _time in args[0] if i not in items]
            for i, event, _data, _time in args[0]:
                self._event(items, i, event)
            return _dbus.answer(call, "ai", (missing,))
        if member == "AboutToShow":
            return _dbus.answer(call, "b", (False,))
        if member == "AboutToShowGroup":
            return _dbus.answer(call, "aiai", ([], [i for i in args[0] if i not in items]))
        return _dbus.error(call, "org.freedesktop.DBus.Error.UnknownMethod", member)

    def _event(self, items: dict[int, Item], ident: int, event: str) -> None:
        item = items.get(ident)
        if event == "clicked" and item is not None and item.entry is not None:
            self._post(item.entry.command, **item.entry.args)


def _node(items: dict[int, Item], ident: int, depth: int) -> tuple:
    item = items[ident]
    children = [] if depth == 0 else [
        ("(ia{sv}av)", _node(items, child, depth - 1)) for child in item.children]
    return (ident, item.props, children)


def _tree(items: dict[int, Item]) -> list:
    return [(i, item.children) for i, item in sorted(items.items())]


def _escape(label: str) -> str:
    # dbusmenu reads "_" as the mnemonic marker; "__" is a plain underscore.
    return label.replace("_", "__")
