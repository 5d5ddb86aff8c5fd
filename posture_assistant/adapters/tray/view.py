"""What the tray shows: the app builds it, the tray only draws it. Plain
data, so the tray holds no state and knows no words of its own."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MenuEntry:
    label: str
    command: str | None  # posted with `args` when chosen; None: opens `children`
    args: dict = field(default_factory=dict)
    key: str = ""  # the panel's keyboard letter for it
    default: bool = False  # what a click on the icon itself does
    separated: bool = False  # a line above it
    children: tuple[MenuEntry, ...] = ()


@dataclass(frozen=True)
class TrayView:
    art: str  # which picture: counting | pending | snoozed | paused
    tooltip: str
    menu: tuple[MenuEntry, ...]
