"""The one event loop: sleep until the next deadline or input, feed the
scheduler, carry out what it returns.

Everything that happens (a timer, a tray click, a CLI command, a signal)
arrives on one queue and is handled on one thread, so the scheduler, the
store and the tray are never touched concurrently.
"""
from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
import traceback
from datetime import datetime
from dataclasses import dataclass
from typing import Any, Callable

from posture_assistant import APP_NAME
from posture_assistant.storage.content import Suggestion
from posture_assistant.storage.control import ControlError, Server
from posture_assistant.features.checklist import model as checklist
from posture_assistant.core import clocks as clockwatch
from posture_assistant.core import hours
from posture_assistant.core.events import (
    BreakNow, ClockJump, Done, Fullscreen, Hours, Idle, NoticeKind, Notify, Pause, Quit, RecheckAt, Record, Rejected,
    Resume, Skip, Snooze, Start, State, Step, Tick, TimeAway,
)
from posture_assistant.core.scheduler import Scheduler, SchedulerConfig
from posture_assistant.core.durations import format_countdown, format_duration
from posture_assistant.adapters.fullscreen import FullscreenSource
from posture_assistant.adapters.idle import IdleSource, Unavailable
from posture_assistant.adapters.notify import Notifier
from posture_assistant.storage.settings import Settings
from posture_assistant.app.status import build_status
from posture_assistant.storage.store import Store, local_day_bounds
from posture_assistant.adapters.tray.icon import Tray, TrayView

# The tooltip counts down in whole minutes; nothing else wakes an idle app.
REFRESH = 60.0
REPLY_WAIT = 5.0
WINDOW_CLOSE_WAIT = 2.0

TITLES = {
    NoticeKind.PROMPT: "Time to stand up and stretch",
    NoticeKind.REMINDER: "Reminder: time to stand up",
    NoticeKind.SNOOZE_OVER: "Snooze over: time to stand up",
    NoticeKind.BREAK_STARTED: "Enjoy your break",
    NoticeKind.RECHECK: "Time to re-check your workspace",
    NoticeKind.RESUMED: "Posture Assistant is back on",
}
RECHECK_BODY = ("A few yes/no questions about your chair, desk and screen: choose "
                "“Check my workspace…” in the tray menu, or run `posture-assistant checklist`.")
OFFER_BODY = ("Want to check your workspace? A few yes/no questions, each with a fix: choose "
              "“Check my workspace…” in the tray menu, or run `posture-assistant checklist`.")
INPUTS: dict[str, Callable[..., Any]] = {
    "done": Done, "skip": Skip, "break": BreakNow, "quit": Quit, "snooze": Snooze,
    "pause": Pause, "resume": Resume,
}


@dataclass
class _Command:
    name: str
    args: dict
    reply: queue.Queue | None  # None: from the tray or a signal, nobody waits


def snooze_label(seconds: float) -> str:
    if seconds % 60 == 0:
        return f"Snooze {int(seconds // 60)} min"
    return f"Snooze {format_duration(seconds)}"


class App:
    def __init__(self, settings: Settings, store: Store, *, tray_backend: str | None,
                 windows: str, child_argv: list[str],
                 log: Callable[[str], None],
                 suggestions: list[Suggestion],
                 idle: IdleSource | Unavailable | None = None,
                 fullscreen: FullscreenSource | None = None) -> None:
        self.settings = settings
        self.store = store
        self.log = log
        # Whether our own windows can open: "ok", "off" (headless) or
        # "unavailable: <why>" (no tkinter).
        self.windows = windows
        self._child_argv = child_argv  # how to run our own CLI in a child process
        self._windows_open: dict[str, subprocess.Popen] = {}
        self._queue: queue.Queue[_Command] = queue.Queue()
        self._suggestions = random.sample(suggestions, len(suggestions))
        self.core = Scheduler(SchedulerConfig(
            interval=settings.break_interval,
            reminder_interval=settings.reminder_interval,
            max_snoozes=settings.max_snoozes,
            break_duration=settings.break_duration,
            max_deferral=settings.max_deferral))
        self.notifier = Notifier(settings.notifications, log)
        self.tray = Tray(tray_backend, self.post) if tray_backend else None
        self._server: Server | None = None
        self._idle = idle or Unavailable("not set up")
        self._fullscreen = fullscreen
        self._fullscreen_on = False

    # ---- entry points ----------------------------------------------------

    def run(self) -> int:
        try:
            self._server = Server(self.settings.data_dir, self._on_request)
        except (OSError, ControlError) as e:
            self.log(f"cannot open the command channel ({e}); `posture-assistant status` "
                     "and the other commands will not reach this app")
        for sig in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                signal.signal(sig, lambda *_: self.post("quit"))
        if self.tray is None:
            return self._run_loop()
        try:
            self.tray.run(on_ready=self._run_loop_then_exit)
        except Exception as e:  # e.g. GLib.Error when the session bus is gone
            self.log(f"the tray icon failed ({type(e).__name__}: {e}); "
                     "running without it")
            self.tray = None
            self._run_loop_then_exit()
        return 0

    def post(self, name: str, **args: Any) -> None:
        """Called from any thread (tray callbacks, signal handlers)."""
        self._queue.put(_Command(name, args, None))

    # ---- the loop --------------------------------------------------------

    def _run_loop(self) -> int:
        code = 0
        try:
            self._loop()
        except Exception:
            # A bug, not a user error: say so with the traceback, and exit
            # rather than leave a tray icon that no longer does anything.
            traceback.print_exc()
            self.log("internal error; please report it with the lines above")
            code = 70
        self._close()
        return code

    def _run_loop_then_exit(self) -> None:
        code = self._run_loop()
        # pystray keeps non-daemon threads that can outlive stop() (xorg under
        # load, and after run() raised); every event is already committed, so
        # leaving now loses nothing.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    def _loop(self) -> None:
        now = time.time()
        self._apply(self.core.handle(Start(now)))
        self._report_hours(now)
        self._sample_idle(now)
        self._look_for_fullscreen(now)
        self._offer_checklist(now)
        self._apply(self.core.handle(RecheckAt(now, self._recheck_at())))
        clock = clockwatch.read()
        self._show()
        while self.core.state is not State.STOPPED:
            try:
                command = self._queue.get(timeout=max(0.0, self._wake_at() - time.time()))
            except queue.Empty:
                command = None
            now = time.time()
            # What happened meanwhile, before time may fire anything; the
            # fullscreen look first, since every input lets due timers fire.
            self._look_for_fullscreen(now)
            reading = clockwatch.read()
            change, clock = clockwatch.compare(clock, reading), reading
            if change.jump:
                self._apply(self.core.handle(ClockJump(now, change.jump)))
            if change.away:
                self._apply(self.core.handle(TimeAway(now, change.away)))
            self._report_hours(now)
            self._sample_idle(now)
            if command is None:
                self._apply(self.core.handle(Tick(now)))
            else:
                reply = self._run_command(command, now)
            # Once per wake-up (the tooltip reads today's counts from the
            # database), and before any reply: whoever reads "pending" in
            # `status` then finds the tray saying so too.
            self._show()
            if command is not None and command.reply is not None:
                reply["status"] = self.status(now)
                command.reply.put(reply)

    def _wake_at(self) -> float:
        now = time.time()
        snap = self.core.snapshot()
        refresh = now + REFRESH
        if snap.state is not State.PENDING and snap.next_break_at is not None:
            # Wake when the minute shown in the tooltip changes.
            refresh = now + ((snap.next_break_at - now) % 60 or 60)
        deadline = self.core.deadline
        return refresh if deadline is None else min(refresh, deadline)

    def _run_command(self, command: _Command, now: float) -> dict[str, Any]:
        """Carry out a command; the reply for whoever asked."""
        reply: dict[str, Any] = {"ok": True}
        if command.name == "panel":
            self._open_window("panel")
        elif command.name == "checklist":
            reply["message"] = "Opening the workspace checklist…"
            if not self._open_window("checklist", "--window"):
                reply = {"ok": False, "message": "no window can open here; run "
                                                 "`posture-assistant checklist` in a terminal"}
        elif command.name == "checklist_saved":
            self._apply(self.core.handle(RecheckAt(now, self._recheck_at())))
        elif command.name in INPUTS:
            if command.name == "snooze":
                seconds = command.args.get("seconds") or self.settings.snooze_options[0]
                event = Snooze(now, float(seconds))
            elif command.name == "pause":
                event = Pause(now, self._pause_end(now, command.args))
            else:
                event = INPUTS[command.name](now)
            step = self.core.handle(event)
            rejected = [a.reason for a in step.actions if isinstance(a, Rejected)]
            self._apply(step)
            if rejected:
                reply = {"ok": False, "message": rejected[0]}
                if command.reply is None:
                    self.log(rejected[0])
            else:
                reply["message"] = self._confirmation(command.name, event)
        elif command.name != "status":
            reply = {"ok": False, "message": f"unknown command {command.name!r}"}
        return reply

    def _apply(self, step: Step) -> None:
        for action in step.actions:
            if isinstance(action, Record):
                self.store.record(action.kind, action.at, action.seconds, action.detail)
            elif isinstance(action, Notify):
                self._notify(action)

    def _notify(self, action: Notify) -> None:
        kind = action.kind
        if kind is NoticeKind.RESUMED:
            left = format_countdown(self.settings.break_interval)
            self.notifier.show(TITLES[kind], f"Your pause is over. Next break in {left}.",
                               timeout=10)
            return
        if kind is NoticeKind.RECHECK:
            self.notifier.show(TITLES[kind], RECHECK_BODY, timeout=30)
            # Once per period: the next one is due a whole period from now.
            self.store.set_meta(checklist.REMIND_KEY,
                                str(time.time() + self.settings.checklist_reminder))
            self._queue.put(_Command("checklist_saved", {}, None))
            return
        text = self.suggestion(action.prompt_id)
        if kind is NoticeKind.BREAK_STARTED:
            self.notifier.show(TITLES[kind], text, timeout=10)
            return
        # Short enough for small notification bubbles; how to answer is in
        # the tray menu and the panel.
        body = f"{text} (about {format_countdown(self.settings.break_duration)})"
        shown = self.notifier.show(TITLES[kind], body,
                                   timeout=min(self.settings.reminder_interval, 600))
        if self.tray is None or not shown:
            self._open_window("panel")

    # ---- what the user sees ----------------------------------------------

    def suggestion(self, prompt_id: int) -> str:
        if not self._suggestions:
            return "Stand up, walk a little and stretch."
        return self._suggestions[(prompt_id - 1) % len(self._suggestions)].text

    def _show(self) -> None:
        snap = self.core.snapshot()
        if self.tray is None or snap.state is State.STOPPED:
            return
        pending = snap.state in (State.PENDING, State.SNOOZED)
        snoozes = () if not snap.snoozes_left else tuple(
            (snooze_label(s), s) for s in self.settings.snooze_options)
        self.tray.show(TrayView(state=snap.state.value, tooltip=self.tooltip(time.time()),
                                pending=pending, snoozes=snoozes,
                                paused=snap.state is State.PAUSED))

    def tooltip(self, now: float) -> str:
        snap = self.core.snapshot()
        done = self.store.day_counts(now)["done"]
        breaks = f"{done} break{'' if done == 1 else 's'} today"
        if snap.state is State.PENDING:
            return f"Time for a break! · {breaks}"
        left = format_countdown(max(0.0, (snap.next_break_at or now) - now))
        if snap.state is State.SNOOZED:
            return f"Snoozed: break in {left} · {breaks}"
        if snap.state is State.AWAY:
            return f"Away: a natural break · {breaks}"
        if snap.state is State.OFF_HOURS:
            return f"Outside working hours · {breaks}"
        if snap.state is State.PAUSED:
            until = (datetime.fromtimestamp(snap.paused_until).strftime("%H:%M")
                     if snap.paused_until else "you resume")
            return f"Paused until {until} · {breaks}"
        return f"Next break in {left} · {breaks}"

    def status(self, now: float) -> dict[str, Any]:
        snap = self.core.snapshot()
        pending = snap.state in (State.PENDING, State.SNOOZED)
        notifications = ("off" if not self.notifier.enabled
                          else "failing" if self.notifier.failing else "ok")
        return build_status(
            now=now, counts=self.store.day_counts(now), data_dir=str(self.settings.data_dir),
            running=True, pid=os.getpid(), state=snap.state.value,
            next_break_at=snap.next_break_at, paused_until=snap.paused_until,
            snoozes_left=snap.snoozes_left,
            snooze_options=self.settings.snooze_options,
            suggestion=self.suggestion(snap.prompt_id) if pending else None,
            tray=self.tray.backend if self.tray else None, notifications=notifications,
            activity_detection=self.activity_detection,
            working_hours=str(self.settings.working_hours or "always"),
            windows=self.windows)

    def _confirmation(self, name: str, event: Any) -> str:
        snap = self.core.snapshot()
        left = format_countdown(max(0.0, (snap.next_break_at or event.now) - event.now))
        if name == "snooze":
            return f"Snoozed for {format_countdown(event.seconds)}."
        if name == "skip":
            return f"Break skipped. Next break in {left}."
        if name == "quit":
            return f"{APP_NAME} is quitting."
        if name == "pause":
            until = snap.paused_until
            return (f"Paused until {datetime.fromtimestamp(until):%H:%M}." if until
                    else "Paused until you resume (posture-assistant resume).")
        if name == "resume":
            return f"Resumed. Next break in {left}."
        return f"Break recorded. Next break in {left}."

    # ---- helpers ---------------------------------------------------------

    def _on_request(self, request: dict) -> dict:
        """Runs in the control thread: hand over to the loop and wait."""
        name = str(request.get("cmd", ""))
        reply: queue.Queue = queue.Queue(maxsize=1)
        self._queue.put(_Command(name, dict(request.get("args") or {}), reply))
        try:
            return reply.get(timeout=REPLY_WAIT)
        except queue.Empty:
            return {"ok": False, "message": "the app is busy; try again"}

    def _open_window(self, name: str, *args: str) -> bool:
        """Run one of our windows (`panel`, `checklist`) in a child process,
        unless it is open already; False if no window can open here."""
        if self.windows != "ok":
            return False
        running = self._windows_open.get(name)
        if running is not None and running.poll() is None:
            return True
        env = dict(os.environ, POSTURE_DATA_DIR=str(self.settings.data_dir))
        try:
            child = subprocess.Popen([*self._child_argv, name, *args], env=env,
                                     stdin=subprocess.DEVNULL)
        except OSError as e:
            self.log(f"cannot open the {APP_NAME} window: {e}")
            return False
        self._windows_open[name] = child
        # Reap it when it closes, so no zombie is left behind.
        threading.Thread(target=child.wait, daemon=True).start()
        return True

    def _report_hours(self, now: float) -> None:
        if self.settings.working_hours is not None:
            inside, until = hours.where(now, self.settings.working_hours)
            self._apply(self.core.handle(Hours(now, inside, until)))

    def _sample_idle(self, now: float) -> None:
        """Tell the core how long the user has been idle, when we can know."""
        if isinstance(self._idle, Unavailable):
            return
        try:
            seconds = self._idle.seconds()
        except Exception as e:  # the display or the bus went away
            self._idle = Unavailable(f"{self._idle.name} stopped working ({e})")
            self.log(f"activity detection unavailable: {self._idle.reason}")
            return
        self._apply(self.core.handle(Idle(now, seconds)))

    def _look_for_fullscreen(self, now: float) -> None:
        # Only when it could matter: a prompt falls due now, or one is already
        # held back. That keeps two X round trips off every other wake.
        if self._fullscreen is None or not (self.core.prompt_due(now) or self._fullscreen_on):
            return
        try:
            on = self._fullscreen.active()
        except Exception:  # the display went away: stop deferring for good
            self._fullscreen, on = None, False
        if on != self._fullscreen_on:
            self._fullscreen_on = on
            self._apply(self.core.handle(Fullscreen(now, on)))

    @property
    def activity_detection(self) -> str:
        if isinstance(self._idle, Unavailable):
            return f"unavailable: {self._idle.reason}"
        return self._idle.name

    @staticmethod
    def _pause_end(now: float, args: dict) -> float | None:
        """{"seconds": s}, {"tomorrow": true} (next local midnight) or {} (until resumed)."""
        if args.get("tomorrow"):
            return local_day_bounds(now)[1]
        if args.get("seconds"):
            return now + float(args["seconds"])
        return None

    def _recheck_at(self) -> float | None:
        value = self.store.get_meta(checklist.REMIND_KEY)
        return float(value) if value else None

    def _offer_checklist(self, now: float) -> None:
        """On first start, offer the workspace check once, whatever the answer."""
        if self.store.get_meta(checklist.OFFER_KEY) or self.store.checklist_runs():
            return
        # The window records the offer once it is on screen.
        if not self._open_window("checklist", "--window", "--offer"):
            self.store.set_meta(checklist.OFFER_KEY, "offered")
            self.notifier.show("Welcome to Posture Assistant", OFFER_BODY, timeout=30)

    def _close(self) -> None:
        # The server first: it waits for a reply in flight (the answer to
        # `quit`) to go out before the process may end.
        if self._server is not None:
            self._server.close()
        self._close_windows()
        self.store.close()

    def _close_windows(self) -> None:
        """Windows we opened go with us: a panel or checklist left behind
        would talk to an app that is gone."""
        children = [c for c in self._windows_open.values() if c.poll() is None]
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(WINDOW_CLOSE_WAIT)
            except subprocess.TimeoutExpired:
                child.kill()
