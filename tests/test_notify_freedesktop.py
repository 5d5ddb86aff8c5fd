"""Notifications with actions over org.freedesktop.Notifications: the
adapter and the Notifier on a real private dbus-daemon, against a stand-in
notification server (tests/dbus_standin.py: the spec's behaviour, with the
capabilities each test asks for) or against none. dunst itself is driven
in tests/e2e/test_notification_actions_e2e.py."""
from __future__ import annotations

import queue

import pytest

from posture_assistant.adapters.notify import Notifier, _freedesktop
from tests.dbus_standin import NotificationServer, connect
from tests.desktop import wait_for

ACTIONS = (("done", "Done"), ("snooze", "Snooze 5 min"), ("skip", "Skip"))


@pytest.fixture
def client(private_bus):
    """open(): the adapter on a connection of its own to the private bus;
    its on_action keys arrive in `.pressed`."""
    made = []

    def open():
        pressed: queue.Queue[str] = queue.Queue()
        bus = connect(private_bus)
        made.append(bus)
        notifier = _freedesktop.open(pressed.put, bus=bus)
        notifier.pressed = pressed
        # The match rules are in place once a call made after them returns.
        bus.has_owner("org.example.Nobody")
        return notifier

    yield open
    for bus in made:
        bus.close()


@pytest.fixture
def server(private_bus):
    made = []

    def start(caps=("actions", "body")):
        made.append(NotificationServer(private_bus, caps))
        return made[-1]

    yield start
    for s in made:
        s.close()


def test_a_prompt_carries_its_actions_and_the_reminder_replaces_it(client, server):
    srv, notifier = server(), client()
    notifier.show("Time to stand up", "Walk to the window", 600, "prompt", ACTIONS)
    notifier.show("Reminder: time to stand up", "Walk to the window", 600, "prompt", ACTIONS)
    first, second = srv.notifies(2)
    assert first["actions"] == ["done", "Done", "snooze", "Snooze 5 min", "skip", "Skip"]
    assert first["app_name"] == "Posture Assistant" and first["expire_timeout"] == 600_000
    assert first["app_icon"].endswith("app.png")
    assert first["replaces_id"] == 0 and second["replaces_id"] == 1
    assert srv.wait_call("GetCapabilities") == [()]  # asked once, not per notification
    # A notice without a slot neither replaces nor is replaced.
    notifier.show("Posture Assistant is back on", "Next break in 1 h.", 10, None, ())
    notifier.show("Time to stand up", "Stretch", 600, "prompt", ACTIONS)
    assert [n["replaces_id"] for n in srv.notifies(4)[2:]] == [0, 1]


def test_a_pressed_action_comes_back_once_and_only_if_we_offered_it(client, server):
    srv, notifier = server(), client()
    notifier.show("Time to stand up", "Stretch", 600, "prompt", ACTIONS)
    srv.press(1, "snooze")
    assert notifier.pressed.get(timeout=10) == "snooze"
    srv.press(1, "quit")  # a key we never offered
    srv.press(7, "done")  # someone else's notification
    notifier.withdraw("prompt")
    srv.press(1, "done")  # a late press on a prompt answered elsewhere
    srv.wait_call("CloseNotification")
    with pytest.raises(queue.Empty):
        notifier.pressed.get(timeout=0.5)


def test_withdraw_closes_what_is_on_screen_and_nothing_else(client, server):
    srv, notifier = server(), client()
    notifier.withdraw("prompt")  # nothing shown yet: no call
    notifier.show("Time to stand up", "Stretch", 600, "prompt", ACTIONS)
    notifier.withdraw("prompt")
    notifier.withdraw("prompt")
    assert srv.wait_call("CloseNotification") == [(1,)]
    # Gone from the screen: the next prompt is a new notification.
    notifier.show("Time to stand up", "Stretch", 600, "prompt", ACTIONS)
    assert srv.notifies(2)[1]["replaces_id"] == 0
    assert [m for m, _ in srv.calls].count("CloseNotification") == 1


def test_a_notification_the_user_dismissed_is_not_replaced_but_shown_anew(client, server):
    srv, notifier = server(), client()
    notifier.show("Time to stand up", "Stretch", 600, "prompt", ACTIONS)
    srv.notifies(1)
    srv.closed(1, 2)
    wait_for(lambda: not notifier._slots, 10, what="NotificationClosed to arrive")
    notifier.show("Reminder: time to stand up", "Stretch", 600, "prompt", ACTIONS)
    assert srv.notifies(2)[1]["replaces_id"] == 0


def test_no_buttons_where_the_server_has_no_actions_and_markup_is_escaped(client, server):
    srv, notifier = server(caps=("body", "body-markup")), client()
    notifier.show("Time to stand up", "Chair & desk <check>", 60, "prompt", ACTIONS)
    (sent,) = srv.notifies(1)
    assert sent["actions"] == []
    assert sent["body"] == "Chair &amp; desk &lt;check&gt;"


def test_a_new_server_is_asked_again_and_knows_none_of_our_ids(client, server):
    first, notifier = server(caps=("body",)), client()
    notifier.show("Time to stand up", "Stretch", 600, "prompt", ACTIONS)
    assert first.notifies(1)[0]["actions"] == []
    first.close()
    wait_for(lambda: notifier._caps is None, 10, what="the old server to go")
    second = server(caps=("actions", "body"))
    notifier.show("Reminder: time to stand up", "Stretch", 600, "prompt", ACTIONS)
    (sent,) = second.notifies(1)
    assert sent["replaces_id"] == 0 and sent["actions"][::2] == ["done", "snooze", "skip"]


# ---- the Notifier on the app's shared connection -----------------------------------


def test_no_server_is_said_once_and_a_server_that_comes_is_used(private_bus, session_bus,
                                                                 server):
    session_bus(private_bus)
    log: list[str] = []
    notifier = Notifier(True, log.append, "prompts still show elsewhere")
    assert [notifier.show("t", "m", 5, slot="prompt") for _ in range(3)] == [False] * 3
    assert notifier.failing
    assert log == ["notifications are not working (no notification server is running); "
                   "prompts still show elsewhere"]
    srv = server()
    assert notifier.show("t", "m", 5, slot="prompt", actions=ACTIONS) is True
    assert srv.notifies(1)[0]["summary"] == "t"
    assert log[1:] == ["notifications work again"] and not notifier.failing


def test_a_server_that_fails_to_start_is_said_once(buses, session_bus, tmp_path):
    """D-Bus activation of a notification server that exits at once: the
    dbus-daemon's real error, one line, and nothing else is affected."""
    services = tmp_path / "services"
    services.mkdir()
    (services / "notifications.service").write_text(
        "[D-BUS Service]\nName=org.freedesktop.Notifications\nExec=/bin/false\n")
    address = buses.start(services)
    session_bus(address)
    log: list[str] = []
    notifier = Notifier(True, log.append, "prompts still show elsewhere")
    assert notifier.show("t", "m", 5) is False and notifier.show("t", "m", 5) is False
    (line,) = log
    assert line.startswith("notifications are not working (the notification server failed "
                           "to start (") and "prompts still show elsewhere" in line
    # The shared connection is still fine for everyone else on it.
    from posture_assistant.adapters import _dbus

    assert _dbus.session().has_owner("org.freedesktop.DBus")


def test_a_bus_that_goes_away_is_said_once_and_a_new_one_is_used(buses, session_bus,
                                                                 private_bus, server):
    from posture_assistant.adapters import _dbus

    session_bus(private_bus)
    srv = server()
    log: list[str] = []
    notifier = Notifier(True, log.append, "prompts still show elsewhere")
    assert notifier.show("t", "m", 5, slot="prompt") is True
    srv.notifies(1)
    bus = _dbus.session()
    buses.stop(private_bus)
    wait_for(lambda: bus.closed, 10, what="the connection to notice")
    notifier.withdraw("prompt")  # on a closed bus: nothing, and no error
    assert notifier.show("t", "m", 5, slot="prompt") is False
    assert len(log) == 1 and "notifications are not working" in log[0]
    address = buses.start()
    session_bus(address)
    again = NotificationServer(address)
    try:
        assert notifier.show("t", "m", 5, slot="prompt") is True
        assert again.notifies(1)[0]["replaces_id"] == 0
    finally:
        again.close()
    assert log[1:] == ["notifications work again"]
