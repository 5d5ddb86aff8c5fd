"""The one event loop: sleep until the next deadline or input, feed the
scheduler, carry out what it returns.

Everything that happens (a timer, a tray click, a CLI command, a signal)
arrives on one queue and is handled on one thread, so the scheduler, the
store and the tray are never touched concurrently. The clock is read in
one place, `self.clock`, once per wake-up; tests hand in their own.
"""
from __future__ import annotations

import os
import queue
import random
import signal
import sys
import time
import traceback
from typing import Any, Callable

from posture_assistant.adapters._util import Unavailable
from posture_assistant.adapters.notify import Notifier
from posture_assistant.adapters.tray.view import TrayView
from posture_assistant.app import commands, texts
from posture_assistant.app.sensors import Sensors
from posture_assistant.app.status import build_status
from posture_assistant.app.windows import Windows
from posture_assistant.core.events import (
    Command, NoticeKind, Notify, RecheckAt, Record, Rejected, Start, State, Step, Tick,
)
from posture_assistant.core.scheduler import Scheduler, SchedulerConfig, unclean_stop
from posture_assistant.features.checklist import reminders
from posture_assistant.i18n import _
from posture_assistant.storage.content import Suggestion
from posture_assistant.storage.control import ControlError, Server
from posture_assistant.storage.settings import Settings
from posture_assistant.storage.store import Store

# The tooltip counts down in whole minutes; nothing else wakes an idle app.
REFRESH = 60.0
# Below the clients' own limit (storage/control_client.py CLIENT_TIME), so they
# hear "busy" from the app rather than time out.
REPLY_WAIT = 4.0
# The notification slot a prompt, its reminders and its snooze-over share:
# each replaces the last, and it goes when the prompt is answered.
PROMPT = "prompt"  # not for users
# While the core is in one of these, a prompt's notification is still current.
PROMPT_OUT = (State.PENDING, State.HELD)


class App:
    def __init__(self, settings: Settings, store: Store, *, tray: Any, windows: Windows,
                 sensors: Sensors, log: Callable[[str], None], suggestions: list[Suggestion],
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.store = store
        self.log = log
        self.clock = clock
        # A pystray backend's name, or Unavailable with the reason there is none.
        self.tray = self._tray(tray)
        self.windows = windows
        self.sensors = sensors
        self._queue: queue.Queue[commands.Request] = queue.Queue()
        self._suggestions = random.sample(suggestions, len(suggestions))
        self.core = Scheduler(SchedulerConfig(
            interval=settings.break_interval,
            reminder_interval=settings.reminder_interval,
            max_snoozes=settings.max_snoozes,
            break_duration=settings.break_duration,
            max_deferral=settings.max_deferral))
        self.notifier = Notifier(settings.notifications, log, lambda: texts.elsewhere(
            tray=bool(self.tray_shown()), windows=windows.available),
            on_action=self._answer_from_notification)
        self._server: Server | None = None
        # What a watching window was last told it shows (None: nobody watched).
        self._told: texts.PanelView | None = None
        # The kind of storage trouble last told (None: writes go through).
        self._trouble_told: str | None = None

    def _tray(self, choice: str | Unavailable) -> Any:
        if isinstance(choice, Unavailable):
            return choice
        if choice in ("sni", "either"):
            from posture_assistant.adapters._util import Unusable

            try:
                if choice == "either":
                    from posture_assistant.adapters.tray.either import EitherTray

                    return EitherTray(self.post)
                from posture_assistant.adapters.tray._sni import SniTray

                return SniTray(self.post)
            except Unusable as e:
                self.log(_("the tray icon cannot start ({reason}); running without it").format(
                    reason=e))
                return Unavailable(str(e))
        from posture_assistant.adapters.tray.icon import Tray  # imports pystray

        return Tray(choice, self.post)

    def tray_shown(self) -> str | None:
        """What tray icon the user can see right now, in words; None if none
        (then prompts open the window, as with no tray at all)."""
        return self.tray.shown() if self.tray.available else None

    # ---- entry points ----------------------------------------------------

    def run(self) -> int:
        try:
            self._server = Server(self.settings.data_dir, self._on_request)
        except (OSError, ControlError) as e:
            self.log(texts.no_control_channel(e))
        for sig in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                signal.signal(sig, lambda *args: self.post(Command.QUIT))
        if not self.tray.available:
            return self._run_loop()
        # The StatusNotifierItem knows at once whether a panel shows it; an
        # XEmbed icon docks a moment after its loop starts, and is chosen
        # only where a tray is there to dock into.
        if self.tray.backend == "sni" and not self.tray_shown():
            self.log(_("{reason}; until then prompts open the window").format(
                reason=self._no_tray()))
        try:
            self.tray.run(on_ready=self._run_loop_then_exit)
        except Exception as e:  # e.g. GLib.Error when the session bus is gone
            self.log(_("the tray icon failed ({error}); running without it").format(
                error=f"{type(e).__name__}: {e}"))
            self.tray = Unavailable(_("the tray icon failed"))
            self._run_loop_then_exit()
        return 0

    def post(self, name: str, **args: Any) -> None:
        """Called from any thread (tray callbacks, signal handlers)."""
        self._queue.put(commands.Request(name, args, None))

    def _answer_from_notification(self, key: str) -> None:
        """A button on a prompt's notification: one of texts.prompt_actions'
        keys, posted like the same entry of the tray menu."""
        self.post(Command.PANEL if key == "default" else key)  # not for users

    # ---- the loop --------------------------------------------------------

    def _run_loop(self) -> int:
        code = 0
        try:
            self._loop()
        except Exception:
            # A bug, not a user error: say so with the traceback, and exit
            # rather than leave a tray icon that no longer does anything.
            traceback.print_exc()
            self.log(_("internal error; please report it with the lines above"))
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
        now = self.clock()
        # A run killed before it could write app_stopped is closed first, so
        # that every prompt in the history ends once (scheduler rule 8).
        last_run = [(e.kind, e.ts, e.detail) for e in self.store.last_run()]
        self.feed(Start(now, unclean_stop(last_run)))
        self.feed(*self.sensors.first(now, self.core))
        self._offer_checklist()
        self.feed(RecheckAt(now, reminders.next_recheck(self.store)))
        self._show(now)
        self._tell_storage()
        while self.core.state is not State.STOPPED:
            try:
                request = self._queue.get(timeout=max(0.0, self._wake_at(now) - self.clock()))
            except queue.Empty:
                request = None
            now = self.clock()
            # Answers kept in memory while the disk failed: tried on every
            # wake-up (at least once a minute, for the tooltip) and with
            # every write, so no timer of its own.
            self.store.flush()
            self.feed(*self.sensors.sample(now, self.core))
            reply = self._run(request, now) if request else self.feed(Tick(now))
            # Once per wake-up (the tooltip reads today's counts from the
            # database), and before any reply: whoever reads "pending" in
            # `status` then finds the tray and the panel saying so too.
            self._show(now)
            self._tell_storage()
            if request is not None and request.reply is not None:
                reply["status"] = self.status(now)
                request.reply.put(reply)

    def _wake_at(self, now: float) -> float:
        snap = self.core.snapshot()
        refresh = now + REFRESH
        if snap.state is not State.PENDING and snap.next_break_at is not None:
            # Wake when the minute shown in the tooltip changes.
            refresh = now + ((snap.next_break_at - now) % 60 or 60)
        deadline = self.core.deadline
        return refresh if deadline is None else min(refresh, deadline)

    def feed(self, *inputs: Any) -> list[Rejected]:
        """Hand inputs to the core and carry out its actions; what it refused."""
        refused: list[Rejected] = []
        for event in inputs:
            step: Step = self.core.handle(event)
            for action in step.actions:
                if isinstance(action, Record):
                    self.store.record(action.kind, action.at, action.seconds, action.detail)
                elif isinstance(action, Notify):
                    self._notify(action, event.now)
                elif isinstance(action, Rejected):
                    refused.append(action)
        if self.core.state not in PROMPT_OUT:
            # Answered (here or anywhere), a natural break, a pause, quit:
            # "time to stand up" would only be stale now.
            self.notifier.withdraw(PROMPT)
        return refused

    def _run(self, request: commands.Request, now: float) -> dict[str, Any]:
        """Carry out a command; the reply for whoever asked."""
        command = commands.parse(request.name)
        if command is None:
            return {"ok": False, "message": texts.unknown_command(request.name)}
        if command is Command.PANEL:
            self.windows.open("panel")
        elif command is Command.CHECKLIST:
            if not self.windows.open("checklist", "--window"):
                return {"ok": False, "message": texts.no_window_for_checklist()}
            return {"ok": True, "message": texts.confirmation(command, self._situation(now))}
        elif command is Command.CHECKLIST_SAVED:
            self.feed(RecheckAt(now, reminders.next_recheck(self.store)))
        elif command in commands.INPUTS:
            try:
                event = commands.to_input(command, request.args, now, self.settings)
            except ValueError as e:  # a client that skipped the CLI's checks
                return {"ok": False, "message": f"{command.value}: {e}"}
            refused = self.feed(event)
            if refused:
                message = texts.rejection(refused[0].reason, self.settings)
                if request.reply is None:
                    self.log(message)
                return {"ok": False, "message": message}
            return {"ok": True, "message": texts.confirmation(
                command, self._situation(now), getattr(event, "seconds", None))}
        return {"ok": True}  # STATUS, and WATCH: the status goes with every reply

    def _notify(self, action: Notify, now: float) -> None:
        kind = action.kind
        if kind is NoticeKind.RESUMED:
            self._show_notice(texts.resumed_notice(self.settings))
        elif kind is NoticeKind.RECHECK:
            self._show_notice(texts.recheck_notice(tray=bool(self.tray_shown())))
            # Once per period: the next one is due a whole period from now.
            at = reminders.reminded(self.store, now, self.settings.checklist_reminder)
            self.feed(RecheckAt(now, at))
        elif kind is NoticeKind.BREAK_STARTED:
            self._show_notice(texts.prompt_notice(
                kind, self.suggestion(action.prompt_id), self.settings))
        else:
            notice = texts.prompt_notice(kind, self.suggestion(action.prompt_id), self.settings)
            shown = self.notifier.show(
                notice.title, notice.body, notice.timeout, slot=PROMPT,
                actions=texts.prompt_actions(self._situation(now),
                                             window=self.windows.available))
            if not self.tray_shown() or not shown:
                self.windows.open("panel")

    def _show_notice(self, notice: texts.Notice) -> bool:
        return self.notifier.show(notice.title, notice.body, timeout=notice.timeout)

    def _tell_storage(self) -> None:
        """Say once when the database stops taking writes (again when the
        reason changes, e.g. from a full disk to an unmounted one), and once
        when it takes them again."""
        for line in self.store.take_news():
            self.log(line)
        trouble = self.store.trouble
        kind = trouble.kind if trouble is not None else None
        if trouble is not None and kind != self._trouble_told:
            line = texts.storage_trouble(trouble.line)
            self.log(line)
            self._show_notice(texts.storage_notice(line))
        self._trouble_told = kind

    # ---- what the user sees ----------------------------------------------

    def suggestion(self, prompt_id: int | None) -> str:
        if not self._suggestions:
            return _(texts.FALLBACK_SUGGESTION)
        return self._suggestions[((prompt_id or 1) - 1) % len(self._suggestions)].text

    def _situation(self, now: float) -> texts.Situation:
        snap = self.core.snapshot()
        return texts.Situation(
            state=snap.state, now=now, next_break_at=snap.next_break_at,
            paused_until=snap.paused_until, snoozes_left=snap.snoozes_left,
            snooze_options=tuple(self.settings.snooze_options),
            done_today=self.store.day_counts(now)["done"])

    def _show(self, now: float) -> None:
        if self.core.state is State.STOPPED:
            return
        if self.tray.available:
            s = self._situation(now)
            self.tray.show(TrayView(art=texts.art(s.state), tooltip=texts.tooltip(s),
                                    menu=texts.menu(s, windows=self.windows.available)))
        self._tell_windows(now)

    def _tell_windows(self, now: float) -> None:
        """Publish the status to watching windows (the panel) when what they
        show has changed. Only here, on a wake-up the app makes anyway (a
        deadline, a command, the tooltip's minute), so an open window adds
        no wake-up; the minute wake-up also moves its countdown on."""
        server = self._server
        if server is None or not server.watched:
            self._told = None  # whoever watches next is told afresh
            return
        status = self.status(now)
        view = texts.panel_view(status, now)
        if view != self._told:
            self._told = view
            server.publish({"ok": True, "status": status})

    def status(self, now: float) -> dict[str, Any]:
        snap = self.core.snapshot()
        notifications = ("off" if not self.notifier.enabled
                         else "failing" if self.notifier.failing else "ok")
        return build_status(
            now=now, counts=self.store.day_counts(now), data_dir=str(self.settings.data_dir),
            running=True, pid=os.getpid(), state=snap.state.value,
            next_break_at=snap.next_break_at, paused_until=snap.paused_until,
            snoozes_left=snap.snoozes_left,
            snooze_options=self.settings.snooze_options,
            suggestion=self.suggestion(snap.prompt_id) if texts.answering(snap.state) else None,
            tray=self.tray.backend if self.tray_shown() else None,
            # Nothing to explain when the user turned the tray off.
            tray_detail=None if self._tray_off() else self.tray_shown() or self._no_tray(),
            notifications=notifications,
            activity_detection=_detection(self.sensors.idle),
            fullscreen_detection=_detection(self.sensors.fullscreen),
            working_hours=str(self.settings.working_hours or "always"),
            windows=self.windows.mode)

    # ---- helpers ---------------------------------------------------------

    def _on_request(self, request: dict) -> dict:
        """Runs in the control thread: hand over to the loop and wait."""
        reply: queue.Queue = queue.Queue(maxsize=1)
        name = request.get("cmd", "")
        self._queue.put(commands.Request(name if isinstance(name, str) else repr(name),
                                         dict(request.get("args") or {}), reply))
        try:
            return reply.get(timeout=REPLY_WAIT)
        except queue.Empty:
            return {"ok": False, "message": texts.busy()}

    def _tray_off(self) -> bool:
        return isinstance(self.tray, Unavailable) and self.tray.name == "off"

    def _no_tray(self) -> str:
        if self.tray.available:
            from posture_assistant.adapters.tray.detect import missing_tray_hint

            return _("no tray is showing the icon yet; {hint}").format(hint=missing_tray_hint())
        return self.tray.reason

    def _offer_checklist(self) -> None:
        """On first start, offer the workspace check once, whatever the answer."""
        if not reminders.offer_due(self.store):
            return
        # The window records the offer once it is on screen.
        if not self.windows.open("checklist", "--window", "--offer"):
            reminders.offer_made(self.store)
            self._show_notice(texts.offer_notice(tray=bool(self.tray_shown())))

    def _close(self) -> None:
        # The server first: it waits for a reply in flight (the answer to
        # `quit`) to go out before the process may end.
        if self._server is not None:
            self._server.close()
        self.windows.close_all()
        if not self.store.flush():
            # Only now are they lost; the user was told at the first failure.
            self.log(texts.storage_lost(self.store.kept, self.store.trouble.line))
        for line in self.store.take_news():
            self.log(line)
        self.store.close()


def _detection(source: Any) -> str:
    return source.name if source.available else f"unavailable: {source.reason}"
