"""The workspace checklist's logic, shared by the terminal flow and the window:
scoring, fixes, what changed since last time, and the JSON shape of a run.
Its words are in `report`, its reminders in `reminders`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from posture_assistant.core.clocks import iso
from posture_assistant.files import nesting_depth, too_deep
from posture_assistant.i18n import _, clip
from posture_assistant.storage.content import ChecklistItem
from posture_assistant.storage.store import ChecklistRun

ANSWERS = ("yes", "no", "skip")
# Answers are one flat object; a little slack, then refused before anything
# deep reaches repr() or a message.
MAX_DEPTH = 4


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
        raise AnswersError(_("the answers are not valid JSON ({error})").format(
            error=clip(e, 100))) from None
    except RecursionError:  # the parser recurses per level: a few hundred is too many
        raise AnswersError(_("the answers are {error}").format(error=too_deep(MAX_DEPTH))) from None
    except ValueError:  # int() refuses more than 4300 digits
        raise AnswersError(_("the answers hold a number with too many digits")) from None
    if nesting_depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise AnswersError(_("the answers are {error}").format(error=too_deep(MAX_DEPTH)))
    if not isinstance(data, dict):
        raise AnswersError(_('the answers must be a JSON object such as '
                             '{"feet-supported": "yes"}'))
    known = {i.id for i in items}
    for key, value in data.items():
        if key not in known:
            raise AnswersError(_("unknown checklist item {key}; see `posture-assistant "
                                 "checklist --items`").format(key=clip(repr(key), 60)))
        if value not in ANSWERS:
            raise AnswersError(_('answer for {key} is {value}; use "yes", "no" or "skip"')
                               .format(key=repr(key), value=clip(repr(value), 60)))
    return {i.id: data.get(i.id, "skip") for i in items}


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

