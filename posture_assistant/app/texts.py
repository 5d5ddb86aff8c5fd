"""Every word the running app shows: notifications, the tooltip, the menu
shared by the tray and the panel, answers to commands and the `status`
report. Pure functions of the core's snapshot and the settings, so they
are tested without a desktop, and the one place a translator's words land.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from posture_assistant import APP_ID as PROG
from posture_assistant import APP_NAME
from posture_assistant.adapters.tray.view import MenuEntry
from posture_assistant.core.events import Command, NoticeKind, RejectReason, State
from posture_assistant.i18n import (
    N_, _, format_countdown, format_length, format_time, ngettext, pgettext,
)

TITLES = {
    NoticeKind.PROMPT: N_("Time to stand up and stretch"),
    NoticeKind.REMINDER: N_("Reminder: time to stand up"),
    NoticeKind.SNOOZE_OVER: N_("Snooze over: time to stand up"),
    NoticeKind.BREAK_STARTED: N_("Enjoy your break"),
    NoticeKind.RECHECK: N_("Time to re-check your workspace"),
    NoticeKind.RESUMED: N_("Posture Assistant is back on"),
}
# The `notifications` values of `status`, in words.
NOTIFICATIONS = {"ok": N_("ok"), "off": N_("off"), "failing": N_("failing")}
FALLBACK_SUGGESTION = N_("Stand up, walk a little and stretch.")
DISCLAIMER = N_("General wellness tips, not medical advice. Stop any stretch that hurts, "
                "and see a health professional if pain lasts or spreads.")
# The pause choices, in the tray menu and the panel alike: (label, arguments
# of the `pause` command).
PAUSES = ((N_("30 minutes"), {"seconds": 1800}), (N_("1 hour"), {"seconds": 3600}),
          (N_("2 hours"), {"seconds": 7200}), (N_("Until tomorrow"), {"tomorrow": True}),
          (N_("Until I resume"), {}))


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    timeout: float


@dataclass(frozen=True)
class Situation:
    """What the texts need from the core and the settings at one moment."""

    state: State
    now: float
    next_break_at: float | None = None
    paused_until: float | None = None
    snoozes_left: int = 0
    snooze_options: tuple[float, ...] = ()
    done_today: int = 0

    @property
    def left(self) -> str:
        return format_countdown(max(0.0, (self.next_break_at or self.now) - self.now))


def title(kind: NoticeKind) -> str:
    return _(TITLES[kind])


def snooze_label(seconds: float) -> str:
    return _("Snooze {length}").format(length=format_length(seconds))


def answering(state: State | str) -> bool:
    """A prompt is out and waiting for Done, Snooze or Skip."""
    return State(state) in (State.PENDING, State.SNOOZED, State.HELD)


# ---- notifications ------------------------------------------------------------


def prompt_notice(kind: NoticeKind, suggestion: str, settings: Any) -> Notice:
    if kind is NoticeKind.BREAK_STARTED:
        return Notice(title(kind), suggestion, 10)
    # Short enough for small notification bubbles; how to answer is in its
    # buttons, the tray menu and the panel.
    body = _("{suggestion} (about {length})").format(
        suggestion=suggestion, length=format_countdown(settings.break_duration))
    # On screen until the next reminder, and a little longer: where the
    # server replaces notifications, the reminder takes this one's place
    # rather than showing after a gap. Never for hours, though.
    return Notice(title(kind), body, min(settings.reminder_interval, 600) + 30)


def prompt_actions(s: Situation, *, window: bool) -> tuple[tuple[str, str], ...]:
    """The buttons on a prompt's notification, as (key, label): the menu's
    answers in short words, the key being the command each posts. Snooze
    is the first length on offer, as `snooze` without one on the command
    line. "default" is a click on the notification itself: it opens the
    window, where there is one."""
    short = {Command.DONE: pgettext("notification button", "Done"),
             Command.SKIP: pgettext("notification button", "Skip")}
    actions: dict[str, str] = {}
    for entry in menu(s):
        if entry.command in (Command.DONE, Command.SNOOZE, Command.SKIP):
            actions.setdefault(entry.command.value, short.get(entry.command, entry.label))
    if window:
        actions["default"] = _("Open {app}…").format(app=APP_NAME)
    return tuple(actions.items())


def resumed_notice(settings: Any) -> Notice:
    body = _("Your pause is over. Next break in {left}.").format(
        left=format_countdown(settings.break_interval))
    return Notice(title(NoticeKind.RESUMED), body, 10)


def _how_to_check(tray: bool) -> str:
    # "In the tray menu" only where a tray shows one.
    return (_("choose “Check my workspace…” in the tray menu, or run `{prog} checklist`") if tray
            else _("run `{prog} checklist`")).format(prog=PROG)


def recheck_notice(*, tray: bool) -> Notice:
    how = _how_to_check(tray)
    return Notice(title(NoticeKind.RECHECK), _(
        "A few yes/no questions about your chair, desk and screen: {how}.").format(how=how), 30)


def offer_notice(*, tray: bool) -> Notice:
    how = _how_to_check(tray)
    return Notice(_("Welcome to {app}").format(app=APP_NAME), _(
        "Want to check your workspace? A few yes/no questions, each with a fix: {how}.").format(
        how=how), 30)


def storage_trouble(problem: str) -> str:
    """The one line said when the break database stops taking writes."""
    return _("{problem}; your answers are kept in memory until they can be written").format(
        problem=problem)


def storage_notice(line: str) -> Notice:
    return Notice(_("Breaks are not being saved"), line, 30)


def storage_lost(count: int, problem: str) -> str:
    return ngettext("{n} event could not be written to the break database and is lost: "
                    "{problem}",
                    "{n} events could not be written to the break database and are lost: "
                    "{problem}", count).format(n=count, problem=problem)


# ---- the tray and the panel ---------------------------------------------------


def tooltip(s: Situation) -> str:
    breaks = ngettext("{n} break today", "{n} breaks today", s.done_today).format(n=s.done_today)
    return _("{state} · {breaks}").format(state=headline(s), breaks=breaks)


def headline(s: Situation) -> str:
    """The state in a few words: the tooltip's start and the panel's title."""
    if s.state is State.PENDING:
        return _("Time for a break!")
    if s.state is State.HELD:
        return _("Break due after your fullscreen window")
    if s.state is State.SNOOZED:
        return _("Snoozed: break in {left}").format(left=s.left)
    if s.state is State.AWAY:
        return _("Away: a natural break")
    if s.state is State.OFF_HOURS:
        return _("Outside working hours")
    if s.state is State.PAUSED:
        if s.paused_until:
            return _("Paused until {time}").format(time=format_time(s.paused_until))
        return _("Paused until you resume")
    return _("Next break in {left}").format(left=s.left)


def menu(s: Situation, *, panel: bool = False, windows: bool = True) -> tuple[MenuEntry, ...]:
    """The actions on offer right now, in the tray menu's order. The panel
    shows the same actions as buttons, with a key for each, and leaves out
    the entry that opens it. Without windows (Wayland with no XWayland, no
    tkinter) the entries that would open one are left out."""
    entries: list[MenuEntry] = []
    if s.state is State.PAUSED:
        entries.append(MenuEntry(_("Resume"), Command.RESUME, key="r"))
    elif answering(s.state):
        entries.append(MenuEntry(_("Done: I took my break"), Command.DONE, key="d"))
        for i, seconds in enumerate(s.snooze_options if s.snoozes_left else ()):
            entries.append(MenuEntry(snooze_label(seconds), Command.SNOOZE,
                                     {"seconds": seconds}, key="s" if i == 0 else ""))
        entries.append(MenuEntry(_("Skip this break"), Command.SKIP, key="k"))
    else:
        entries.append(MenuEntry(_("Take a break now"), Command.BREAK, key="b"))
    if s.state is not State.PAUSED:
        entries.append(MenuEntry(_("Pause"), None, key="p", children=tuple(
            MenuEntry(_(label), Command.PAUSE, args) for label, args in PAUSES)))
    if windows and not panel:
        entries.append(MenuEntry(_("Open {app}…").format(app=APP_NAME), Command.PANEL,
                                 default=True, separated=True))
    if windows:
        entries.append(MenuEntry(_("Check my workspace…"), Command.CHECKLIST, key="c",
                                 separated=panel))
    entries.append(MenuEntry(_("Quit {app}").format(app=APP_NAME) if panel else _("Quit"),
                             Command.QUIT, separated=not windows))
    return tuple(entries)


# ---- answers to commands ---------------------------------------------------------


def confirmation(command: Command, s: Situation, seconds: float | None = None) -> str:
    if command is Command.SNOOZE:
        return _("Snoozed for {length}.").format(length=format_countdown(seconds or 0))
    if command is Command.SKIP:
        return _("Break skipped. Next break in {left}.").format(left=s.left)
    if command is Command.QUIT:
        return _("{app} is quitting.").format(app=APP_NAME)
    if command is Command.PAUSE:
        if s.paused_until:
            return _("Paused until {time}.").format(time=format_time(s.paused_until))
        return _("Paused until you resume ({prog} resume).").format(prog=PROG)
    if command is Command.RESUME:
        return _("Resumed. Next break in {left}.").format(left=s.left)
    if command is Command.CHECKLIST:
        return _("Opening the workspace checklist…")
    return _("Break recorded. Next break in {left}.").format(left=s.left)


def rejection(reason: RejectReason, settings: Any) -> str:
    if reason is RejectReason.SNOOZE_LIMIT:
        n = settings.max_snoozes
        return ngettext("this break has been snoozed {n} time already; take it (done) or skip it",
                        "this break has been snoozed {n} times already; take it (done) or "
                        "skip it", n).format(n=n)
    return {
        RejectReason.ALREADY_STARTED: _("already started"),
        RejectReason.NOT_PAUSED: _("not paused"),
        RejectReason.PAUSED: _("paused; resume first ({prog} resume)").format(prog=PROG),
        RejectReason.NOTHING_DUE: _("no break is due right now"),
        RejectReason.SNOOZE_TOO_SHORT: _("a snooze must be longer than 0 seconds"),
        RejectReason.PAUSE_IN_PAST: _("a pause must end in the future"),
    }[reason]


def no_window_for_checklist() -> str:
    return _("no window can open here; run `{prog} checklist` in a terminal").format(prog=PROG)


def unknown_command(name: str) -> str:
    return _("unknown command {name!r}").format(name=name)


def busy() -> str:
    return _("the app is busy; try again")


# ---- `status` ----------------------------------------------------------------------


def describe_status(status: dict[str, Any]) -> str:
    """The human form of a status report (see app/status.py), a few lines."""
    lines = []
    if not status["running"]:
        lines.append(not_running())
    else:
        lines.append(_("{app} is running (pid {pid}, tray: {tray}, notifications: "
                       "{notifications}).").format(
            app=APP_NAME, pid=status["pid"], tray=status["tray"] or _("none"),
            notifications=_(NOTIFICATIONS.get(status["notifications"], status["notifications"]))))
        lines.append(_state_line(status))
        if not status["tray"] and status.get("tray_detail"):
            lines.append(_("No tray icon shows: {why}.").format(why=status["tray_detail"]))
        missing = _unavailable(status["activity_detection"])
        if missing:
            lines.append(_("Activity detection is unavailable ({reason}); break timing counts "
                           "wall-clock time.").format(reason=missing))
        missing = _unavailable(status["windows"])
        if missing:
            lines.append(_("Windows cannot open: {reason}.").format(reason=missing))
    today = status["today"]
    lines.append(ngettext(
        "Today: {done} break taken, {natural} natural, {prompted} prompted, {snoozed} snoozed, "
        "{skipped} skipped.",
        "Today: {done} breaks taken, {natural} natural, {prompted} prompted, {snoozed} "
        "snoozed, {skipped} skipped.", today["done"]).format(**today))
    return "\n".join(lines)


def not_running() -> str:
    return _("{app} is not running. Start it with `{prog}`.").format(app=APP_NAME, prog=PROG)


def _state_line(status: dict[str, Any]) -> str:
    state = State(status["state"])
    left = format_countdown(status["seconds_to_next_break"] or 0)
    at = _parse(status["next_break_at"])
    if answering(state) and state is not State.SNOOZED:
        due = (_("A break is due, held back while a fullscreen window is in front.")
               if state is State.HELD else
               _("A break is due now: {suggestion}").format(suggestion=status["suggestion"]))
        return due + "\n" + _("Answer with `{prog} done`, `{prog} snooze` or `{prog} skip`."
                               ).format(prog=PROG)
    if state is State.OFF_HOURS:
        return _("Outside working hours ({hours}): no prompts.").format(
            hours=status["working_hours"])
    if state is State.AWAY:
        return _("You are away: a natural break is under way.")
    if state is State.PAUSED:
        if status["paused_until"]:
            return _("Paused until {time}.").format(
                time=format_time(_parse(status["paused_until"])))
        return _("Paused until you resume (`{prog} resume`).").format(prog=PROG)
    if state is State.SNOOZED:
        return _("Snoozed: the break comes back in {left} (at {time}).").format(
            left=left, time=format_time(at))
    return _("Next break in {left} (at {time}).").format(left=left, time=format_time(at))


# ---- the app's own troubles --------------------------------------------------------


def art(state: State) -> str:
    """The tray picture for a state. Away and off hours look like paused:
    nothing is counting; a held prompt looks like a pending one."""
    if state in (State.AWAY, State.OFF_HOURS, State.PAUSED):
        return "paused"
    if state is State.HELD:
        return "pending"
    return state.value


def elsewhere(*, tray: bool, windows: bool) -> str:
    """Where prompts still show when notifications fail."""
    if tray:
        return _("prompts still show in the tray icon, the panel and `{prog} status`").format(
            prog=PROG)
    if windows:
        return _("prompts still open the panel, and show in `{prog} status`").format(prog=PROG)
    return _("prompts still show in `{prog} status`").format(prog=PROG)


def no_control_channel(error: Exception) -> str:
    return _("cannot open the command channel ({error}); `{prog} status` and the other "
             "commands will not reach this app").format(error=error, prog=PROG)


def _parse(iso: str | None) -> datetime | None:
    return None if iso is None else datetime.fromisoformat(iso)


@dataclass(frozen=True)
class PanelView:
    """Everything the panel shows. The app works it out too, from the
    status it would send, and tells a watching panel only when it changed."""

    headline: str
    detail: str
    today: str
    menu: tuple[MenuEntry, ...]
    on_top: bool  # a break is due: the window stays in front


def panel_view(status: dict[str, Any], now: float) -> PanelView:
    s = situation_of(status, now)
    return PanelView(headline=headline(s), detail=panel_detail(s, status.get("suggestion")),
                     today=panel_today(status["today"]), menu=menu(s, panel=True),
                     on_top=s.state is State.PENDING)


def situation_of(status: dict[str, Any], now: float) -> Situation:
    """A status report (see app/status.py) as the texts read it."""
    seconds = status["seconds_to_next_break"]
    until = status["paused_until"]
    return Situation(
        state=State(status["state"]), now=now,
        next_break_at=None if seconds is None else now + seconds,
        paused_until=None if until is None else datetime.fromisoformat(until).timestamp(),
        snoozes_left=status["snoozes_left"],
        snooze_options=tuple(status.get("snooze_options") or ()),
        done_today=status["today"]["done"])


def panel_detail(s: Situation, suggestion: str | None) -> str:
    """The panel's line under the headline."""
    if answering(s.state):
        return suggestion or ""
    return {
        State.OFF_HOURS: _("No prompts until your working hours start."),
        State.AWAY: _("Your time away counts as a natural break."),
        State.PAUSED: _("No prompts while paused."),
    }.get(s.state) or _("Nothing to do right now.")


def panel_today(today: dict[str, int]) -> str:
    return _("Today: {done} taken · {prompted} prompted · {snoozed} snoozed · "
             "{skipped} skipped").format(**today)


def _unavailable(value: str | None) -> str | None:
    """The reason in a status value "unavailable: <reason>" (a keyword for
    scripts, so it stays English in the JSON), or None."""
    prefix = "unavailable: "  # not for users: the JSON keyword
    return value[len(prefix):] if value and value.startswith(prefix) else None
