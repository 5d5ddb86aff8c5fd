"""Loads and validates the content in assets/*.toml, in the user's language
where a translation exists (assets/locale/<lang>/), else in English.

Content is data that non-programmers edit, so a mistake in it must come back
as one line naming the file, the item and the field, not as a traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from posture_assistant.files import asset_path, read_toml
from posture_assistant.i18n import NC_, _, language


class ContentError(Exception):
    """str(e) is one line for the user."""


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)


class Suggestion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    text: str = Field(min_length=1, max_length=160)
    source: Source


# Checklist groups in the order they are asked, with their headings.
# Each group's heading, translated where it is shown with this context
# ("Back" the body part is not "Back" the button).
GROUP_CONTEXT = "checklist group"  # not for users: the translators' context
GROUPS = {
    "seat-feet": NC_("checklist group", "Seat and feet"),
    "back": NC_("checklist group", "Back"),
    "screen": NC_("checklist group", "Screen"),
    "keyboard-mouse": NC_("checklist group", "Keyboard and mouse"),
    "light-eyes": NC_("checklist group", "Light and eyes"),
    "habits": NC_("checklist group", "Habits"),
    "footwear": NC_("checklist group", "Footwear"),
}
Group = Literal["seat-feet", "back", "screen", "keyboard-mouse", "light-eyes", "habits",
                "footwear"]


class ChecklistItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    group: Group
    first: bool = False  # asked on the opening page
    question: str = Field(min_length=1)
    target: str | None = None
    fix: str = Field(min_length=1)
    source: Source


Item = TypeVar("Item", bound=BaseModel)


def load_items(path: Path, table: str, model: type[Item]) -> list[Item]:
    """Read the array of tables `table` from `path`, each validated by `model`."""
    try:
        data = read_toml(path)
    except ValueError as e:
        raise ContentError(_("cannot read {path}: {error}").format(path=path, error=e)) from None
    raw = data.get(table)
    if not isinstance(raw, list) or not raw:
        raise ContentError(_("{path} has no [[{table}]] items").format(path=path, table=table))
    items, seen = [], set()
    for index, entry in enumerate(raw, start=1):
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"{table} {name!r}" if name else f"{table} #{index}"
        try:
            item = model.model_validate(entry)
        except ValidationError as e:
            err = e.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "(item)"
            raise ContentError(_("{path}: {where}, field {field}: {error}").format(
                path=path, where=where, field=field, error=err["msg"])) from None
        if getattr(item, "id", None) in seen:
            raise ContentError(_("{path}: {where}: the id is used twice").format(
                path=path, where=where))
        seen.add(getattr(item, "id", None))
        items.append(item)
    return items


def load_suggestions(path: Path | None = None) -> list[Suggestion]:
    return load_items(path or localized("suggestions.toml"), "suggestion", Suggestion)


def load_checklist(path: Path | None = None) -> list[ChecklistItem]:
    """The checklist in the order it is asked: the opening questions, then by group."""
    items = load_items(path or localized("checklist.toml"), "item", ChecklistItem)
    order = list(GROUPS)
    return sorted(items, key=lambda i: (not i.first, order.index(i.group)))


def localized(name: str) -> Path:
    """The content file in the language in use, or the English one."""
    lang = language()
    if lang != "en":
        translated = asset_path(f"locale/{lang}/{name}")
        if translated.is_file():
            return translated
    return asset_path(name)
