"""The checklist's words: the result in plain text (the terminal, screen
readers and the window's text box), the group headings and the history."""
from __future__ import annotations

from posture_assistant.features.checklist.model import changes, fixes
from posture_assistant.i18n import N_, _, format_date, format_datetime, ngettext, pgettext
from posture_assistant.storage.content import GROUP_CONTEXT, GROUPS, ChecklistItem
from posture_assistant.storage.store import ChecklistRun

DISCLAIMER = N_("These are general workspace tips, not medical advice. If you have pain that "
                "lasts or spreads, see a health professional.")


def describe(items: list[ChecklistItem], run: ChecklistRun,
             previous: ChecklistRun | None) -> str:
    """The result in plain text."""
    by_id = {i.id: i for i in items}
    answers = run.answers
    lines = [score_line(run)]
    todo = [by_id[f["id"]] for f in fixes(items, answers) if f["id"] in by_id]
    if todo:
        lines += ["", _("To fix ({n}):").format(n=len(todo))]
        for item in todo:
            lines += [f"- {item.question}", "  " + _("Fix: {fix}").format(fix=item.fix),
                      "  " + source_line(item)]
    elif run.score is not None:
        lines += ["", _("Nothing to fix: every answered question is yes.")]
    if previous is not None:
        delta = changes(previous.answers, answers)
        lines += ["", _("Since your last check ({date}, {score}):").format(
            date=format_date(previous.ts), score=score_text(previous.score))]
        lines.append("  " + _("better: {items}").format(
            items=_names(delta.better, by_id) or _("nothing")))
        lines.append("  " + _("worse: {items}").format(
            items=_names(delta.worse, by_id) or _("nothing")))
    lines += ["", _(DISCLAIMER)]
    return "\n".join(lines)


def score_line(run: ChecklistRun) -> str:
    answers = run.answers.values()
    yes = sum(1 for a in answers if a == "yes")
    counted = sum(1 for a in answers if a in ("yes", "no"))
    skipped = sum(1 for a in answers if a == "skip")
    if run.score is None:
        return _("No questions were answered yes or no, so there is no score.")
    return ngettext("Your workspace score: {score:g}% ({yes} of {counted} answered question "
                    "is yes; {skipped} skipped or not applicable).",
                    "Your workspace score: {score:g}% ({yes} of {counted} answered questions "
                    "are yes; {skipped} skipped or not applicable).", counted).format(
        score=run.score, yes=yes, counted=counted, skipped=skipped)


def source_line(item: ChecklistItem) -> str:
    return _("Source: {id}, {title}").format(id=item.source.id, title=item.source.title)


def group_label(group: str) -> str:
    return pgettext(GROUP_CONTEXT, GROUPS[group])


def score_text(value: float | None) -> str:
    return _("no score") if value is None else f"{value:g}%"


def history_line(run: ChecklistRun) -> str:
    return f"{format_datetime(run.ts)}  {score_text(run.score)}"


def heading(run: ChecklistRun) -> str:
    return _("Workspace check of {when}").format(when=format_datetime(run.ts))


def _names(ids: list[str], by_id: dict[str, ChecklistItem]) -> str:
    return "; ".join(by_id[i].question if i in by_id else i for i in ids)
