"""`posture-assistant checklist`: the terminal flow, scripted answers, the
item list, the last result, the history, and the window."""
from __future__ import annotations

import argparse
import json
import sys
import time

from posture_assistant.features.checklist import model as checklist
from posture_assistant.cli._console import EXIT_USAGE, CliError, say, warn
from posture_assistant.cli._settings import settings_of
from posture_assistant.storage.content import GROUPS, ContentError, load_checklist
from posture_assistant.core.durations import format_countdown
from posture_assistant.storage.settings import Settings
from posture_assistant.core.clocks import iso
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
        from posture_assistant.features.checklist.window import run_window

        return run_window(items, settings, offer=args.offer)
    if args.answers:
        text = sys.stdin.read() if args.answers == "-" else _read(args.answers)
        try:
            answers = checklist.parse_answers(text, items)
        except checklist.AnswersError as e:
            raise CliError(str(e), EXIT_USAGE) from None
    else:
        from posture_assistant.features.checklist.terminal import ask

        answers = ask(items, sys.stdin, sys.stdout)
        say("")
        if not answers:
            say("Nothing answered, so nothing was saved.")
            return 0
    answers = {i.id: answers.get(i.id, "skip") for i in items}
    with _open(settings) as store:
        previous = (store.checklist_runs() or [None])[-1]
        run = checklist.save(store, answers, time.time(), settings.checklist_reminder)
    say(checklist.describe(items, run, previous))
    say(f"\nSaved. You will be reminded to check again in "
        f"{format_countdown(settings.checklist_reminder)}.")
    checklist.tell_app(settings.data_dir)
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
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as e:
        raise CliError(f"cannot read the answers file {path}: {e.strerror or e}",
                       EXIT_USAGE) from None


def _items(items, as_json: bool) -> int:
    if as_json:
        say(json.dumps([{"id": i.id, "group": i.group, "question": i.question,
                         "target": i.target, "fix": i.fix, "source": i.source.model_dump()}
                        for i in items], indent=2))
        return 0
    for i in items:
        say(f"{i.id} ({GROUPS[i.group]})\n  {i.question}")
        if i.target:
            say(f"  Target: {i.target}")
        say(f"  Fix: {i.fix}\n  Source: {i.source.id}, {i.source.title}")
    return 0


def _last(items, runs, as_json: bool) -> int:
    if not runs:
        raise CliError("no workspace check has been saved yet; run `posture-assistant checklist`")
    previous = runs[-2] if len(runs) > 1 else None
    if as_json:
        say(json.dumps(checklist.result(items, runs[-1], previous), indent=2))
    else:
        say(f"Workspace check of {iso(runs[-1].ts)}\n")
        say(checklist.describe(items, runs[-1], previous))
    return 0


def _history(runs, as_json: bool) -> int:
    if as_json:
        say(json.dumps([{"taken_at": iso(r.ts), "score": r.score} for r in runs],
                       indent=2))
        return 0
    if not runs:
        say("No workspace checks saved yet.")
        return 0
    for r in runs:
        shown = "no score" if r.score is None else f"{r.score:g}%"
        say(f"{iso(r.ts)}  {shown}")
    return 0
