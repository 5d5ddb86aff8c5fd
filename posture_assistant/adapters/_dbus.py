"""The app's one connection to the D-Bus session bus, shared by every
adapter that speaks D-Bus (the StatusNotifierItem tray, notifications with
actions, GNOME's idle monitor, the desktop portal).

It is jeepney (pure Python, no compiler, about 2 MB) on one daemon thread of
our own that receives everything: replies go to whoever waits for them,
method calls to the objects we export, signals to their subscribers. That
thread only ever sleeps on the socket, so an idle app is not woken by it.

Handlers run on that thread. They must not wait for a reply themselves (the
reply would arrive on the very thread that is waiting): they use
`call_soon`, which sends and hands the reply to a callback later.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from typing import Any, Callable

from posture_assistant.adapters._util import Unusable, first_line
from posture_assistant.i18n import _

BUS = "org.freedesktop.DBus"
BUS_PATH = "/org/freedesktop/DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
# Seconds to wait for a reply: a desktop service that has not answered by
# then is hung, and the app must go on without it.
TIMEOUT = 3.0

Handler = Callable[[Any], Any]  # an incoming message -> a reply Message, or None


class DBusError(Exception):
    """A call failed: `name` is the D-Bus error name, str(e) its message."""

    def __init__(self, name: str, message: str = "") -> None:
        super().__init__(f"{name}: {message}" if message else name)
        self.name = name


class Bus:
    def __init__(self, connection) -> None:
        self._conn = connection
        self.unique_name: str = connection.unique_name
        self._lock = threading.Lock()
        self._waiting: dict[int, Callable[[Any], None]] = {}
        self._objects: dict[str, Handler] = {}
        self._subscriptions: list[tuple[Any, Callable[[Any], None]]] = []
        self.closed = False
        self._thread = threading.Thread(target=self._receive, name="dbus", daemon=True)
        self._thread.start()

    # ---- sending ---------------------------------------------------------

    def call(self, destination: str, path: str, interface: str, member: str,
             signature: str | None = None, body: tuple = (), timeout: float = TIMEOUT) -> tuple:
        """Call a method and wait for its reply's body; DBusError if it
        fails, TimeoutError if no reply comes. Not on the bus thread."""
        if threading.current_thread() is self._thread:
            raise RuntimeError(
                "call() on the bus thread would wait forever; use call_soon()")  # not for users
        future: Future = Future()
        self.call_soon(destination, path, interface, member, signature, body,
                       on_reply=future.set_result)
        try:
            result = future.result(timeout)
        except TimeoutError:
            raise TimeoutError(_("{name} did not answer within {seconds:.0f} s").format(
                name=destination, seconds=timeout)) from None
        if isinstance(result, Exception):
            raise result
        return result

    def call_soon(self, destination: str, path: str, interface: str, member: str,
                  signature: str | None = None, body: tuple = (),
                  on_reply: Callable[[Any], None] | None = None) -> None:
        """Send a method call; `on_reply` gets its body, or a DBusError,
        on the bus thread. Safe on any thread."""
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(path, bus_name=destination, interface=interface)
        message = new_method_call(address, member, signature, body)
        if on_reply is None:
            from jeepney.low_level import MessageFlag

            message.header.flags |= MessageFlag.no_reply_expected
            self._send(message)
            return
        # jeepney's own counter, so our serials never collide with those it
        # gives the messages we send without waiting.
        serial = next(self._conn.outgoing_serial)
        with self._lock:
            self._waiting[serial] = on_reply
        if not self._send(message, serial):
            with self._lock:
                self._waiting.pop(serial, None)
            on_reply(DBusError("org.freedesktop.DBus.Error.Disconnected", _("the bus is gone")))

    def emit(self, path: str, interface: str, member: str, signature: str | None = None,
             body: tuple = ()) -> None:
        from jeepney import DBusAddress, new_signal

        self._send(new_signal(DBusAddress(path, interface=interface), member, signature, body))

    def reply(self, message) -> None:
        """Send the answer to a method call (from a handler, or later)."""
        self._send(message)

    def _send(self, message, serial: int | None = None) -> bool:
        if self.closed:
            return False
        try:
            self._conn.send(message, serial=serial)
            return True
        except OSError:
            return False

    # ---- receiving -------------------------------------------------------

    def export(self, path: str, handler: Handler) -> None:
        """Answer method calls to `path` with `handler` (on the bus thread)."""
        self._objects[path] = handler

    def subscribe(self, callback: Callable[[Any], None], **rule: str) -> None:
        """Call `callback(message)` on the bus thread for every signal that
        matches `rule` (jeepney MatchRule fields: interface, member, path,
        sender, arg0, ...)."""
        from jeepney import MatchRule

        args = {k: v for k, v in rule.items() if not k.startswith("arg")}
        match = MatchRule(type="signal", **args)
        for key, value in rule.items():
            if key.startswith("arg"):
                match.add_arg_condition(int(key[3:]), value)
        self._subscriptions.append((match, callback))
        self.call_soon(BUS, BUS_PATH, BUS, "AddMatch", "s", (match.serialise(),),
                       on_reply=lambda _body: None)

    def watch_name(self, name: str, callback: Callable[[str], None]) -> None:
        """`callback(owner)` whenever `name` changes hands; owner "" when
        it is gone. The bus tells us: nothing is polled."""
        self.subscribe(lambda msg: callback(msg.body[2]), sender=BUS, interface=BUS,
                       member="NameOwnerChanged", path=BUS_PATH, arg0=name)

    def has_owner(self, name: str) -> bool:
        return bool(self.call(BUS, BUS_PATH, BUS, "NameHasOwner", "s", (name,))[0])

    def _receive(self) -> None:
        from jeepney.io.threading import ReceiveStopped

        while True:
            try:
                message = self._conn.receive()
            except (ReceiveStopped, OSError, ValueError):
                break  # closed by us, or the bus went away
            try:
                self._dispatch(message)
            except Exception:  # a handler's bug must not stop every other one
                import traceback

                traceback.print_exc()
        self.closed = True
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for on_reply in waiting.values():
            on_reply(DBusError("org.freedesktop.DBus.Error.Disconnected", _("the bus is gone")))

    def _dispatch(self, message) -> None:
        from jeepney import HeaderFields, MessageType

        kind = message.header.message_type
        fields = message.header.fields
        if kind in (MessageType.method_return, MessageType.error):
            with self._lock:
                on_reply = self._waiting.pop(fields.get(HeaderFields.reply_serial), None)
            if on_reply is None:
                return
            if kind is MessageType.error:
                text = message.body[0] if message.body and isinstance(message.body[0], str) else ""
                on_reply(DBusError(fields.get(HeaderFields.error_name, "?"), text))
            else:
                on_reply(message.body)
        elif kind is MessageType.signal:
            for match, callback in list(self._subscriptions):
                if match.matches(message):
                    callback(message)
        elif kind is MessageType.method_call:
            handler = self._objects.get(fields.get(HeaderFields.path))
            unknown = "no such object"  # not for users
            answer = handler(message) if handler else error(
                message, "org.freedesktop.DBus.Error.UnknownObject", unknown)
            if answer is not None:
                self._send(answer)

    def close(self) -> None:
        self.closed = True
        try:
            self._conn.close()
        except OSError:
            pass


def error(call, name: str, text: str = ""):
    """The error reply to a method call."""
    from jeepney import new_error

    return new_error(call, name, "s", (text,))


def answer(call, signature: str | None = None, body: tuple = ()):
    """The successful reply to a method call."""
    from jeepney import new_method_return

    return new_method_return(call, signature, body)


def properties(call, interface: str, values: dict[str, tuple[str, Any]]):
    """The reply to an org.freedesktop.DBus.Properties call on an object
    whose properties are `values` ({name: (signature, value)}), all
    read-only."""
    method = member(call)
    if method == "GetAll":
        return answer(call, "a{sv}", (values if call.body[0] in ("", interface) else {},))
    if method == "Get" and call.body[1] in values:
        return answer(call, "v", (values[call.body[1]],))
    if method == "Set":
        return error(call, "org.freedesktop.DBus.Error.PropertyReadOnly",
                     "read-only")  # not for users
    return error(call, "org.freedesktop.DBus.Error.UnknownProperty",
                 str(call.body[1:2]))  # not for users


def member(call) -> str:
    from jeepney import HeaderFields

    return call.header.fields.get(HeaderFields.member) or ""


def common(call, interface: str, introspection: str, values: Callable[[], dict]):
    """The reply to what every object we export answers alike (Introspect,
    and Properties with `values()`), or None for the object's own methods."""
    from jeepney import HeaderFields

    asked = call.header.fields.get(HeaderFields.interface)
    if asked == INTROSPECTABLE:
        return answer(call, "s", (introspection,))
    if asked == PROPERTIES:
        return properties(call, interface, values())
    return None


def connect() -> Bus:
    """A new connection to the session bus; Unusable with the reason if
    there is none. Never starts a bus of its own (as libdbus's autolaunch
    would, leaving one behind)."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS") or _user_bus()
    if not address:
        raise Unusable(_("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"))
    try:
        from jeepney.io.threading import open_dbus_connection
    except ImportError as e:
        raise Unusable(_("jeepney is not installed ({error})").format(error=e)) from None
    try:
        return Bus(open_dbus_connection(address, auth_timeout=TIMEOUT))
    except Exception as e:  # KeyError (no address), OSError, auth failures...
        raise Unusable(_("cannot reach the D-Bus session bus ({error})").format(
            error=first_line(e))) from None


def _user_bus() -> str:
    """systemd's per-user bus, which sessions started without the variable
    (a login over ssh, some autostart paths) still have."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    path = os.path.join(runtime, "bus") if runtime else ""
    return f"unix:path={path}" if path and os.path.exists(path) else ""  # not for users


_shared: Bus | None = None
_shared_lock = threading.Lock()


def session() -> Bus:
    """The process's shared session-bus connection, opened on first use and
    opened again if the bus went away."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.closed:
            _shared = connect()
        return _shared
