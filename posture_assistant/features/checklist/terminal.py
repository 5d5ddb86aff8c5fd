"""The checklist in a terminal: one plain-text question at a time, so it
works the same with a screen reader, over SSH and through a pipe."""
from __future__ import annotations

from typing import TextIO

from posture_assistant.features.checklist.report import group_label
from posture_assistant.i18n import _
from posture_assistant.storage.content import ChecklistItem

KEYS = {"y": "yes", "yes": "yes", "n": "no", "no": "no", "s": "skip", "skip": "skip",
        "na": "skip", "n/a": "skip"}


def ask(items: list[ChecklistItem], stdin: TextIO, stdout: TextIO) -> dict[str, str]:
    """Answers so far; stops early at q or the end of input."""
    answers: dict[str, str] = {}
    stdout.write(_("Workspace checklist: {n} questions. Answer y (yes), n (no) or s (skip, or "
                   "not applicable); q stops and shows the result.").format(n=len(items)) + "\n")
    for number, item in enumerate(items, start=1):
        stdout.write("\n" + _("Question {number} of {n} ({group})").format(
            number=number, n=len(items), group=group_label(item.group)) + f"\n{item.question}\n")
        if item.target:
            stdout.write(_("Target: {target}").format(target=item.target) + "\n")
        while True:
            stdout.write(_("Answer y, n, s or q: "))
            stdout.flush()
            line = stdin.readline()
            if not line:  # end of input: as if q
                stdout.write("\n")
                return answers
            key = line.strip().lower()
            if key in ("q", "quit"):
                return answers
            if key in KEYS:
                answers[item.id] = KEYS[key]
                break
            stdout.write(_("Please answer y, n, s or q.") + "\n")
    return answers
