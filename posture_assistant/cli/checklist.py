"""`posture-assistant checklist`: the terminal flow, scripted answers, the
item list, the last result, the history, and the window."""
from __future__ import annotations

import argparse
import json
import sys
import time

from posture_assistant.cli._console import EXIT_USAGE, CliError, say, warn
from posture_assistant.cli._settings import settings_of
from posture_assistant.core.clocks import iso
from posture_assistant.features.checklist import model, reminders, report
from posture_assistant.files import decode_utf8, read_small_file, read_small_stream
from posture_assistant.i18n import _, clip, format_countdown
from posture_assistant.storage.content import ContentError, load_checklist
from posture_assistant.storage.settings import Settings
from posture_assistant.storage.store import Store, StoreError


def cmd_checklist(args: argparse.Namespace) -> int:
    return run_checklist(args, settings_of(args).settings)


def run_checklist(args: argparse.Namespace, settings: Settings) -> int:
    try:
        items = load_checklist()
    except ContentError as e:
        raise CliError(str(e)) from None
    if args.items:
        return _items(items, args.json)
    if args.last or args.history:
        with _open(settings, readonly=True) as store:
            runs = store.checklist_runs()
        return _history(runs, args.json) if args.history else _last(items, runs, args.json)
    if args.window:
        from posture_assistant.adapters.appearance import dark_mode
        from posture_assistant.features.checklist.window import run_window

        return run_window(items, settings, offer=args.offer, dark=dark_mode())
    if args.answers:
        text = _read(args.answers)
        try:
            answers = model.parse_answers(text, items)
        except model.AnswersError as e:
            raise CliError(str(e), EXIT_USAGE) from None
    else:
        from posture_assistant.features.checklist.terminal import ask

        answers = ask(items, sys.stdin, sys.stdout)
        say("")
        if not answers:
            say(_("Nothing answered, so nothing was saved."))
            return 0
    answers = {i.id: answers.get(i.id, "skip") for i in items}
    with _open(settings) as store:
        previous = (store.checklist_runs() or [None])[-1]
        try:
            run = reminders.save_run(store, settings.data_dir, answers, time.time(),
                                     settings.checklist_reminder)
        except StoreError as e:  # e.g. a full disk, said in one line
            raise CliError(str(e)) from None
    say(report.describe(items, run, previous))
    say("\n" + _("Saved. You will be reminded to check again in {left}.").format(
        left=format_countdown(settings.checklist_reminder)))
    return 0


def _open(settings: Settings, readonly: bool = False) -> Store:
    try:
        store, notice = Store.open(settings.data_dir, readonly=readonly)
    except StoreError as e:
        raise CliError(str(e)) from None
    if notice:
        warn(notice)
    return store


def _read(path: str) -> str:
    """The answers file's text, or stdin's for "-": at most 1 MiB of UTF-8,
    from a regular file (a FIFO or /dev/zero is refused, not waited on)."""
    try:
        if path == "-":
            data = read_small_stream(getattr(sys.stdin, "buffer", sys.stdin))
        else:
            data = read_small_file(path)
        return decode_utf8(data)
    except ValueError as e:
        shown = _("standard input") if path == "-" else clip(path)
        raise CliError(_("cannot read the answers file {path}: {error}").format(
            path=shown, error=e), EXIT_USAGE) from None


def _items(items, as_json: bool) -> int:
    if as_json:
        say(json.dumps([{"id": i.id, "group": i.group, "question": i.question,
                         "target": i.target, "fix": i.fix, "source": i.source.model_dump()}
                        for i in items], indent=2))
        return 0
    for i in items:
        say(f"{i.id} ({report.group_label(i.group)})\n  {i.question}")
        if i.target:
            say("  " + _("Target: {target}").format(target=i.target))
        say("  " + _("Fix: {fix}").format(fix=i.fix) + "\n  " + report.source_line(i))
    return 0


def _last(items, runs, as_json: bool) -> int:
    if not runs:
        raise CliError(_("no workspace check has been saved yet; run `posture-assistant "
                         "checklist`"))
    previous = runs[-2] if len(runs) > 1 else None
    if as_json:
        say(json.dumps(model.result(items, runs[-1], previous), indent=2))
    else:
        say(report.heading(runs[-1]) + "\n")
        say(report.describe(items, runs[-1], previous))
    return 0


def _history(runs, as_json: bool) -> int:
    if as_json:
        say(json.dumps([{"taken_at": iso(r.ts), "score": r.score} for r in runs],
                       indent=2))
        return 0
    if not runs:
        say(_("No workspace checks saved yet."))
        return 0
    for r in runs:
        say(report.history_line(r))
    return 0
