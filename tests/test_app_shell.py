"""The running app's shell without a desktop: its texts, the order its
sensors speak in, the command mapping, and the loop's handling of commands
on an injected clock with a real database."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from posture_assistant.adapters._util import Unavailable
from posture_assistant.app import commands, texts
from posture_assistant.app.loop import App
from posture_assistant.app.sensors import Sensors
from posture_assistant.app.windows import Windows
from posture_assistant.cli import COMMANDS
from posture_assistant.core import clocks
from posture_assistant.core.events import (
    BreakNow, ClockJump, Command, Done, EventKind, Fullscreen, Hours, Idle, Pause, Quit,
    RejectReason, Resume, Skip, Snooze, State, TimeAway,
)
from posture_assistant.storage.hours import parse_working_hours
from posture_assistant.storage.settings import Settings
from posture_assistant.storage.store import Store

NOON = 1_780_000_000.0  # a fixed moment; texts compute only differences from it
SETTINGS = SimpleNamespace(break_duration=180.0, reminder_interval=600.0, break_interval=3600.0,
                           max_snoozes=3, snooze_options=[90.0, 300.0])


def situation(state: State, **kw) -> texts.Situation:
    return texts.Situation(state=state, now=NOON, **kw)


# ---- texts ----------------------------------------------------------------------


@pytest.mark.parametrize("state, words", [
    (State.COUNTING, "Next break in 42 min"),
    (State.PENDING, "Time for a break!"),
    (State.HELD, "fullscreen"),
    (State.SNOOZED, "Snoozed: break in 42 min"),
    (State.AWAY, "Away: a natural break"),
    (State.OFF_HOURS, "Outside working hours"),
    (State.PAUSED, "Paused until you resume"),
])
def test_the_tooltip_names_each_state_and_counts_breaks(state, words):
    s = situation(state, next_break_at=NOON + 42 * 60 - 5, done_today=1)
    assert texts.tooltip(s) == f"{texts.headline(s)} · 1 break today"
    assert words in texts.tooltip(s)
    assert texts.tooltip(situation(state, done_today=2)).endswith("· 2 breaks today")


def test_the_tray_and_the_panel_offer_the_same_actions_with_the_same_words():
    s = situation(State.PENDING, snoozes_left=2, snooze_options=(90.0, 300.0))
    tray = [e for e in texts.menu(s) if e.command is not Command.PANEL]
    panel = texts.menu(s, panel=True)
    assert [e.command for e in tray] == [e.command for e in panel]
    assert [e.label for e in tray][:-1] == [e.label for e in panel][:-1]  # Quit names the app
    snoozes = [e.label for e in panel if e.command is Command.SNOOZE]
    assert snoozes == ["Snooze 1 min 30 s", "Snooze 5 min"]


def test_a_prompts_notification_offers_the_menus_answers_in_short_words():
    s = situation(State.PENDING, snoozes_left=2, snooze_options=(90.0, 300.0))
    assert texts.prompt_actions(s, window=True) == (
        ("done", "Done"), ("snooze", "Snooze 1 min 30 s"), ("skip", "Skip"),
        ("default", "Open Posture Assistant…"))
    # The keys are the commands they post; no snooze once none is left, no
    # click-to-open where no window can open.
    last = texts.prompt_actions(situation(State.PENDING, snoozes_left=0,
                                          snooze_options=(300.0,)), window=False)
    assert last == (("done", "Done"), ("skip", "Skip"))
    assert all(Command(key) for key, _ in last)


def test_the_notification_buttons_speak_german():
    from posture_assistant.i18n import use_language

    use_language("de")
    try:
        s = situation(State.PENDING, snoozes_left=1, snooze_options=(300.0,))
        labels = [label for _, label in texts.prompt_actions(s, window=False)]
    finally:
        use_language(None)
    assert labels == ["Erledigt", "5 Min. aufschieben", "Überspringen"]


def test_the_menu_follows_the_state():
    def commands_in(state, **kw):
        return [e.command for e in texts.menu(situation(state, **kw), panel=True)]

    assert commands_in(State.COUNTING)[:2] == [Command.BREAK, None]  # None: the Pause submenu
    assert commands_in(State.PAUSED)[0] is Command.RESUME and None not in commands_in(
        State.PAUSED)
    held = commands_in(State.HELD, snoozes_left=1, snooze_options=(300.0,))
    assert held[:3] == [Command.DONE, Command.SNOOZE, Command.SKIP]
    assert Command.SNOOZE not in commands_in(State.PENDING, snoozes_left=0,
                                             snooze_options=(300.0,))


def test_every_reject_reason_has_words():
    for reason in RejectReason:
        assert texts.rejection(reason, SETTINGS).strip()
    assert "3 times" in texts.rejection(RejectReason.SNOOZE_LIMIT, SETTINGS)


def test_every_command_has_a_menu_label_and_a_cli_verb_where_it_should():
    menus = [texts.menu(situation(state, snoozes_left=1, snooze_options=(300.0,)), panel=panel)
             for state in State for panel in (False, True)]
    in_menus = {c.command for menu in menus for entry in menu
                for c in (entry, *entry.children)}
    # A saved checklist run, told by the feature itself; the panel's line
    # to the app's status, which it holds open while it is on screen.
    internal = {Command.CHECKLIST_SAVED, Command.WATCH}
    cli_only = {Command.STATUS}
    menu_only = {Command.PANEL}  # the tray opens the panel; from a terminal, use status
    assert set(Command) - internal - cli_only <= in_menus
    assert {c.value for c in set(Command) - internal - menu_only} <= set(COMMANDS)


def test_status_in_words_reads_times_from_the_report():
    from posture_assistant.app.status import build_status

    report = build_status(now=NOON, counts={"done": 1}, data_dir="/d", running=True, pid=7,
                          state="snoozed", next_break_at=NOON + 300, snoozes_left=1,
                          tray="xorg", notifications="ok", activity_detection="X11",
                          windows="ok")
    text = texts.describe_status(report)
    assert "Snoozed: the break comes back in 5 min" in text
    assert "1 break taken" in text and "pid 7" in text


# ---- sensors ----------------------------------------------------------------------


class Source:
    def __init__(self, name, value):
        self.name, self.value, self.available = name, value, True

    def seconds(self):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value

    active = seconds


class Core:
    def __init__(self, look: bool):
        self.look = look

    def wants_fullscreen_look(self, now):
        return self.look


def test_sensors_speak_in_the_documented_order():
    readings = iter([clocks.Reading(0, 0, 0), clocks.Reading(1000, 100, 700)])
    log = []
    sensors = Sensors(working_hours=parse_working_hours("mon-sun 00:00-23:59"),
                      idle=Source("idle", 5.0), fullscreen=Source("screen", True),
                      log=log.append, read=lambda: next(readings))
    inputs = sensors.sample(NOON, Core(look=True))
    assert [type(i) for i in inputs] == [Fullscreen, ClockJump, TimeAway, Hours, Idle]
    assert (inputs[1].seconds, inputs[2].seconds) == (300, 600) and not log


def test_fullscreen_is_looked_at_only_when_a_prompt_could_be_held():
    readings = iter([clocks.Reading(0, 0, 0)] * 3)
    screen = Source("screen", True)
    sensors = Sensors(working_hours=None, idle=Unavailable("none here"), fullscreen=screen,
                      log=print, read=lambda: next(readings))
    assert sensors.sample(NOON, Core(look=False)) == []
    screen.value = RuntimeError("display gone")
    assert sensors.sample(NOON, Core(look=False)) == []  # not asked, so not noticed


def test_a_sensor_that_breaks_is_dropped_once_and_said_once():
    readings = iter([clocks.Reading(0, 0, 0)] * 4)
    log = []
    sensors = Sensors(working_hours=None, idle=Source("X11", OSError("gone")),
                      fullscreen=Unavailable("none"), log=log.append,
                      read=lambda: next(readings))
    assert sensors.sample(NOON, Core(look=False)) == []
    assert sensors.sample(NOON + 1, Core(look=False)) == []
    assert not sensors.idle.available and "X11 stopped working (gone)" in sensors.idle.reason
    assert len(log) == 1 and "activity detection unavailable" in log[0]


# ---- commands --------------------------------------------------------------------


@pytest.mark.parametrize("command, args, kind", [
    (Command.DONE, {}, Done), (Command.SKIP, {}, Skip), (Command.BREAK, {}, BreakNow),
    (Command.QUIT, {}, Quit), (Command.RESUME, {}, Resume), (Command.SNOOZE, {}, Snooze),
    (Command.PAUSE, {"seconds": 60}, Pause),
])
def test_each_command_becomes_its_input(command, args, kind):
    event = commands.to_input(command, args, NOON, SETTINGS)
    assert type(event) is kind and event.now == NOON


def test_snooze_and_pause_arguments():
    assert commands.to_input(Command.SNOOZE, {}, NOON, SETTINGS).seconds == 90.0
    assert commands.to_input(Command.SNOOZE, {"seconds": 600}, NOON, SETTINGS).seconds == 600
    assert commands.pause_end(NOON, {}) is None
    assert commands.pause_end(NOON, {"seconds": 1800}) == NOON + 1800
    assert commands.pause_end(NOON, {"tomorrow": True}) > NOON
    assert commands.parse("snooze") is Command.SNOOZE and commands.parse("dance") is None


# ---- the loop on an injected clock -------------------------------------------------


@pytest.fixture
def app(tmp_path):
    settings = Settings(data_dir=tmp_path, break_interval=3600, snooze_options="5m",
                        notifications=False)
    store, _ = Store.open(tmp_path)
    clock = [NOON]
    sensors = Sensors(working_hours=None, idle=Unavailable("test"),
                      fullscreen=Unavailable("test"), log=print, read=lambda: clocks.Reading(
                          clock[0], clock[0], clock[0]))
    app = App(settings, store, tray=Unavailable("test"),
              windows=Windows("off", [], tmp_path, print), sensors=sensors, log=print,
              suggestions=[], clock=lambda: clock[0])
    app.clock_value = clock
    yield app
    store.close()


def ask(app, name, **args):
    return app._run(commands.Request(name, args, None), app.clock())


def test_answers_come_back_in_words_and_go_to_the_database(app):
    from posture_assistant.core.events import Start

    app.feed(Start(NOON))
    assert ask(app, "snooze") == {"ok": False, "message": "no break is due right now"}
    reply = ask(app, "break")
    assert reply["ok"] and reply["message"] == "Break recorded. Next break in 1 h."
    app.clock_value[0] += 3600
    app.feed(*app.sensors.sample(app.clock(), app.core))
    from posture_assistant.core.events import Tick

    app.feed(Tick(app.clock()))
    assert app.core.state is State.PENDING
    assert ask(app, "snooze")["message"] == "Snoozed for 5 min."
    assert ask(app, "done")["ok"]
    kinds = [e.kind for e in app.store.events()]
    assert kinds == ["app_started", "done", "prompted", "snoozed", "done"]
    assert all(kind in {k.value for k in EventKind} for kind in kinds)
    assert ask(app, "dance") == {"ok": False, "message": "unknown command 'dance'"}


def test_a_start_after_a_kill_records_the_crash_and_ends_its_prompt(app):
    """The run before was killed with a prompt pending (no app_stopped): the
    next start says so in the history, at the time of that run's last row."""
    import threading

    from tests.history import assert_every_prompt_ends_once, read_rows

    store = app.store
    store.record("app_started", NOON - 900)
    store.record("prompted", NOON - 800, detail={"prompt": 1})
    store.record("reminded", NOON - 200, detail={"prompt": 1})
    loop = threading.Thread(target=app._run_loop, daemon=True)
    loop.start()
    app.post(Command.QUIT)
    loop.join(10)
    assert not loop.is_alive()
    rows = read_rows(store.path)
    assert [k for k, _ in rows] == ["app_started", "prompted", "reminded", "app_crashed",
                                    "app_started", "app_stopped"]
    with Store.open(store.path.parent, readonly=True)[0] as after:  # the app closed its own
        crash, = after.events(kinds=["app_crashed"])
    assert crash.ts == NOON - 200 and crash.detail == {"prompt": 1, "detected": NOON}
    assert_every_prompt_ends_once(rows)


def test_the_app_wakes_for_the_tooltips_minute_not_more(app):
    from posture_assistant.core.events import Start

    app.feed(Start(NOON))
    assert app._wake_at(NOON) == NOON + 60  # the countdown's minute changes
    assert app._wake_at(NOON + 30) == NOON + 60


def test_without_windows_the_menu_offers_nothing_that_would_open_one():
    for state in State:
        s = situation(state, snoozes_left=1, snooze_options=(300.0,))
        commands = [e.command for e in texts.menu(s, windows=False)]
        assert Command.PANEL not in commands and Command.CHECKLIST not in commands
        assert commands[-1] is Command.QUIT
        assert not any(e.default for e in texts.menu(s, windows=False))
    pending = situation(State.PENDING, snoozes_left=1, snooze_options=(300.0,))
    assert [e.command for e in texts.menu(pending, windows=False)][:3] == [
        Command.DONE, Command.SNOOZE, Command.SKIP]


def test_wayland_without_xwayland_says_once_that_windows_need_it(monkeypatch, capsys):
    from posture_assistant.cli import run

    monkeypatch.setattr(run.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    mode = run._windows_mode(headless=False)
    assert mode.startswith("unavailable: windows need XWayland")
    err = capsys.readouterr().err
    assert err.count("XWayland") == 1 and "checklist" in err


def test_the_checklist_hint_names_the_tray_menu_only_where_a_tray_shows():
    assert "tray menu" in texts.recheck_notice(tray=True).body
    assert "tray menu" not in texts.recheck_notice(tray=False).body
    assert "checklist" in texts.recheck_notice(tray=False).body
    assert "tray menu" not in texts.offer_notice(tray=False).body


# ---- what an open window hears -----------------------------------------------------


@pytest.fixture
def running(app, monkeypatch):
    """The app's real loop in a thread, with its real control channel; the
    clock stays where the test puts it. Yields (app, the data dir, the
    wake-ups so far, the messages published so far)."""
    import shutil
    import tempfile
    import threading
    from pathlib import Path

    from posture_assistant.storage.control import Server

    run = Path(tempfile.mkdtemp(prefix="pa-run-"))  # short enough for a socket path
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    wakes, published = [], []
    sample = app.sensors.sample
    app.sensors.sample = lambda now, core: wakes.append(now) or sample(now, core)
    app._server = server = Server(app.settings.data_dir, app._on_request)
    publish = server.publish
    server.publish = lambda message: published.append(message) or publish(message)
    codes = []
    loop = threading.Thread(target=lambda: codes.append(app._run_loop()), daemon=True)
    loop.start()
    try:
        yield app, app.settings.data_dir, wakes, published
    finally:
        app.post(Command.QUIT)
        loop.join(10)
        shutil.rmtree(run, ignore_errors=True)
    assert codes == [0]


def test_a_watching_window_hears_only_of_changes_and_only_on_wake_ups_made_anyway(running):
    from posture_assistant.storage.control_client import request, watch

    app, data, wakes, published = running
    assert request(data, {"cmd": "break"})["ok"]
    assert published == []  # nobody watches: nothing is worked out, nothing sent
    watching = watch(data)
    assert watching.first["status"]["state"] == "counting"
    woke = len(wakes)
    with pytest.raises(TimeoutError):
        watching.next(0.5)
    assert len(wakes) == woke  # watching wakes nobody

    # A wake-up that changes nothing a window shows (a CLI `status`) tells it nothing.
    told = len(published)
    assert request(data, {"cmd": "status"})["ok"] and len(wakes) == woke + 1
    with pytest.raises(TimeoutError):
        watching.next(0.3)
    assert len(published) == told

    # A command that changes it: told on that very wake-up.
    assert request(data, {"cmd": "pause", "args": {}})["ok"]
    assert watching.next(5)["status"]["state"] == "paused"
    assert request(data, {"cmd": "resume"})["ok"]
    assert watching.next(5)["status"]["seconds_to_next_break"] == 3600

    # The countdown's minute: told on the wake-up that moves the tooltip on
    # (posted here, as the loop sleeps on real time while its clock stands still).
    app.clock_value[0] += 60
    app.post(Command.STATUS)
    assert watching.next(5)["status"]["seconds_to_next_break"] == 3540
    app.clock_value[0] += 20  # the same minute shown: nothing to tell
    app.post(Command.STATUS)
    with pytest.raises(TimeoutError):
        watching.next(0.5)

    # A window that closed is dropped, and the next one is told afresh.
    watching.close()
    assert request(data, {"cmd": "pause", "args": {}})["ok"]
    again = watch(data)
    assert again.first["status"]["state"] == "paused"
    assert request(data, {"cmd": "resume"})["ok"]
    assert again.next(5)["status"]["state"] == "counting"

    # The app quits: the window reads the end and closes.
    assert request(data, {"cmd": "quit"})["ok"]
    assert again.next(5) is None


def test_lengths_past_the_bounds_are_refused_not_fatal(app):
    # What a client that skips the CLI's checks could send (issue 10):
    # before, a pause past the year 9999 crashed the app.
    from posture_assistant.core.events import Start

    app.feed(Start(NOON))
    reply = ask(app, "pause", seconds=4e11)
    assert reply["ok"] is False and reply["message"] == "pause: must be at most 366d"
    assert ask(app, "pause", seconds="soon")["ok"] is False
    assert ask(app, "pause", seconds=3600)["ok"] is True
    assert ask(app, "resume")["ok"] is True
    assert app.status(app.clock())["state"] == "counting"
