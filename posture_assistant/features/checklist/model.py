"""The workspace checklist's logic, shared by the terminal flow and the window:
scoring, fixes, what changed since last time, and when to remind.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posture_assistant.storage.content import GROUPS, ChecklistItem
from posture_assistant.core.clocks import iso
from posture_assistant.storage.store import ChecklistRun, Store

ANSWERS = ("yes", "no", "skip")
REMIND_KEY = "checklist_remind_at"  # unix seconds of the next re-check reminder
OFFER_KEY = "checklist_offer"  # "offered" once the first-start offer was made
DISCLAIMER = ("These are general workspace tips, not medical advice. If you have pain that "
              "lasts or spreads, see a health professional.")


class AnswersError(Exception):
    """str(e) is one line for the user."""


def score(answers: dict[str, str]) -> float | None:
    """Percent of the answered, applicable items that are yes; None if none are."""
    yes = sum(1 for a in answers.values() if a == "yes")
    no = sum(1 for a in answers.values() if a == "no")
    return None if yes + no == 0 else round(100 * yes / (yes + no), 1)


def fixes(items: list[ChecklistItem], answers: dict[str, str]) -> list[dict[str, str]]:
    return [{"id": i.id, "fix": i.fix} for i in items if answers.get(i.id) == "no"]


@dataclass(frozen=True)
class Changes:
    better: list[str]  # ids that were no and are now yes
    worse: list[str]  # ids that were yes and are now no

    def as_dict(self) -> dict[str, list[str]]:
        return {"better": self.better, "worse": self.worse}


def changes(previous: dict[str, str], current: dict[str, str]) -> Changes:
    both = [k for k in current if k in previous]
    return Changes(
        better=[k for k in both if previous[k] == "no" and current[k] == "yes"],
        worse=[k for k in both if previous[k] == "yes" and current[k] == "no"])


def parse_answers(text: str, items: list[ChecklistItem]) -> dict[str, str]:
    """A JSON object of item id -> yes/no/skip; items left out count as skipped."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise AnswersError(f"the answers are not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise AnswersError('the answers must be a JSON object such as {"feet-supported": "yes"}')
    known = {i.id for i in items}
    for key, value in data.items():
        if key not in known:
            raise AnswersError(f"unknown checklist item {key!r}; "
                               "see `posture-assistant checklist --items`")
        if value not in ANSWERS:
            raise AnswersError(f"answer for {key!r} is {value!r}; use \"yes\", \"no\" or \"skip\"")
    return {i.id: data.get(i.id, "skip") for i in items}


def save(store: Store, answers: dict[str, str], now: float,
         remind_after: float) -> ChecklistRun:
    run = store.save_checklist(now, answers, score(answers))
    store.set_meta(REMIND_KEY, str(now + remind_after))
    return run


def tell_app(data_dir: Path) -> None:
    """Let a running app pick up the new re-check date; fine if none runs."""
    from posture_assistant.storage.control import ControlError, request

    try:
        request(data_dir, {"cmd": "checklist_saved"})
    except ControlError:
        pass


def result(items: list[ChecklistItem], run: ChecklistRun,
           previous: ChecklistRun | None) -> dict[str, Any]:
    """The JSON shape of a run (`checklist --last --json`, README)."""
    return {
        "taken_at": iso(run.ts),
        "score": run.score,
        "answers": run.answers,
        "fixes": fixes(items, run.answers),
        "changes": changes(previous.answers, run.answers).as_dict() if previous else None,
        "previous_taken_at": iso(previous.ts) if previous else None,
    }


def describe(items: list[ChecklistItem], run: ChecklistRun,
             previous: ChecklistRun | None) -> str:
    """The result in plain text (terminal and screen readers)."""
    by_id = {i.id: i for i in items}
    answers = run.answers
    yes = sum(1 for a in answers.values() if a == "yes")
    counted = sum(1 for a in answers.values() if a in ("yes", "no"))
    skipped = sum(1 for a in answers.values() if a == "skip")
    lines = []
    if run.score is None:
        lines.append("No questions were answered yes or no, so there is no score.")
    else:
        lines.append(f"Your workspace score: {run.score:g}% ({yes} of {counted} answered "
                     f"questions are yes; {skipped} skipped or not applicable).")
    todo = [by_id[f["id"]] for f in fixes(items, answers) if f["id"] in by_id]
    if todo:
        lines += ["", f"To fix ({len(todo)}):"]
        for item in todo:
            lines += [f"- {item.question}", f"  Fix: {item.fix}",
                      f"  Source: {item.source.id}, {item.source.title}"]
    elif run.score is not None:
        lines += ["", "Nothing to fix: every answered question is yes."]
    if previous is not None:
        delta = changes(previous.answers, answers)
        lines += ["", f"Since your last check ({iso(previous.ts)[:10]}, "
                      f"{_score_text(previous.score)}):"]
        lines.append("  better: " + (_names(delta.better, by_id) or "nothing"))
        lines.append("  worse: " + (_names(delta.worse, by_id) or "nothing"))
    lines += ["", DISCLAIMER]
    return "\n".join(lines)


def group_label(item: ChecklistItem) -> str:
    return GROUPS[item.group]


def _score_text(value: float | None) -> str:
    return "no score" if value is None else f"{value:g}%"


def _names(ids: list[str], by_id: dict[str, ChecklistItem]) -> str:
    return "; ".join(by_id[i].question if i in by_id else i for i in ids)
