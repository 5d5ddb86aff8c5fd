"""Loads and validates the content in assets/*.toml.

Content is data that non-programmers edit, so a mistake in it must come back
as one line naming the file, the item and the field, not as a traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from posture_assistant.files import asset_path
from posture_assistant.files import read_toml


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
GROUPS = {
    "seat-feet": "Seat and feet",
    "back": "Back",
    "screen": "Screen",
    "keyboard-mouse": "Keyboard and mouse",
    "light-eyes": "Light and eyes",
    "habits": "Habits",
    "footwear": "Footwear",
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
        raise ContentError(f"cannot read {path}: {e}") from None
    raw = data.get(table)
    if not isinstance(raw, list) or not raw:
        raise ContentError(f"{path} has no [[{table}]] items")
    items, seen = [], set()
    for index, entry in enumerate(raw, start=1):
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"{table} {name!r}" if name else f"{table} #{index}"
        try:
            item = model.model_validate(entry)
        except ValidationError as e:
            err = e.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "(item)"
            raise ContentError(f"{path}: {where}, field {field}: {err['msg']}") from None
        if getattr(item, "id", None) in seen:
            raise ContentError(f"{path}: {where}: the id is used twice")
        seen.add(getattr(item, "id", None))
        items.append(item)
    return items


def load_suggestions(path: Path | None = None) -> list[Suggestion]:
    return load_items(path or asset_path("suggestions.toml"), "suggestion", Suggestion)


def load_checklist(path: Path | None = None) -> list[ChecklistItem]:
    """The checklist in the order it is asked: the opening questions, then by group."""
    items = load_items(path or asset_path("checklist.toml"), "item", ChecklistItem)
    order = list(GROUPS)
    return sorted(items, key=lambda i: (not i.first, order.index(i.group)))
