"""Checks on a recorded history, for any test that has one: the rows the
core asked for, or the rows read back from a real database.

Scheduler rule 8: every prompt ends exactly once. Prompt ids count from 1
in each run, so a prompt is (its run, its id), and a run is the rows from
one `app_started` to the next, in the order they were written.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable

from posture_assistant.core.scheduler import PROMPT_ENDS

Row = tuple[str, "dict | None"]  # (kind, detail), as written


def read_rows(db: Path) -> list[Row]:
    """Every event of a database file as (kind, detail), by id."""
    import json

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [(kind, json.loads(detail) if detail else None)
                for kind, detail in con.execute("SELECT kind, detail FROM events ORDER BY id")]
    finally:
        con.close()


def prompt_problems(rows: Iterable[Row], *, running: bool = False) -> list[str]:
    """What breaks rule 8, in words; [] when every prompt ends exactly once.

    `running`: the last run has not ended yet, so its latest prompt may
    still be open.
    """
    problems: list[str] = []
    run, open_prompt, ended = 0, None, set()

    def close_run() -> None:
        if open_prompt is not None:
            problems.append(f"run {run}: prompt {open_prompt} never ends")

    for n, (kind, detail) in enumerate(rows):
        prompt = (detail or {}).get("prompt")
        if kind == "app_started":
            close_run()
            run, open_prompt, ended = run + 1, None, set()
        elif kind == "prompted":
            if open_prompt is not None:
                problems.append(f"row {n}: prompt {prompt} begins while {open_prompt} is open")
            if prompt in ended:
                problems.append(f"row {n}: prompt {prompt} begins a second time")
            open_prompt = prompt
        elif kind in PROMPT_ENDS and prompt is not None:
            if prompt in ended:
                problems.append(f"row {n}: {kind} ends prompt {prompt} again")
            elif prompt != open_prompt:
                problems.append(f"row {n}: {kind} ends prompt {prompt}, which never began")
            ended.add(prompt)
            if prompt == open_prompt:
                open_prompt = None
    if not running:
        close_run()
    return problems


def open_prompts(rows: Iterable[Row]) -> int:
    """How many prompts were left open (a finished history: no run running)."""
    return sum("never ends" in p for p in prompt_problems(rows))


def assert_every_prompt_ends_once(rows: Iterable[Row], *, running: bool = False) -> None:
    rows = list(rows)
    problems = prompt_problems(rows, running=running)
    assert not problems, f"{problems[:5]} in {len(rows)} rows"
