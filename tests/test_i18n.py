"""The text layer: every string a user reads is marked for translation, the
catalogs are up to date and complete, and German is used when the locale
says so."""
from __future__ import annotations

import ast
import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import posture_assistant
from posture_assistant import i18n

ROOT = Path(posture_assistant.__file__).parent
LOCALE = ROOT / "locale"
MARKERS = {"_", "N_", "ngettext", "pgettext", "NC_"}
# Exceptions that report a bug to a developer, never a user's mistake.
DEVELOPER_ERRORS = {"RuntimeError", "AssertionError", "TypeError", "NotImplementedError",
                    "KeyError"}
PROSE = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")
# Markup (D-Bus introspection XML) is for machines, whatever it contains.
MARKUP = re.compile(r"^\s*<")
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|ALTER|DROP|ORDER BY)\b"
                 r"|\bIN \(")
# A line with this comment holds text for programs or developers, not for
# users (code run in a child process, a product name): few, each one read.
NOT_FOR_USERS = "# not for users"


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def unmarked(path: Path) -> list[str]:
    """Prose string literals outside _(), N_() and ngettext() in one file."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in MARKERS or name in DEVELOPER_ERRORS:
                skip |= {id(n) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, (ast.Constant, ast.JoinedStr)):
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            skip |= {id(v) for v in node.values}
        elif isinstance(node.value, str):
            text = node.value
        else:
            continue
        if not PROSE.search(text) or SQL.search(text) or MARKUP.match(text) or \
                NOT_FOR_USERS in lines[node.lineno - 1]:
            continue
        where = path.relative_to(ROOT.parent) if path.is_relative_to(ROOT) else path.name
        found.append(f"{where}:{node.lineno}: {text[:60]!r}")
    return found


def test_every_user_facing_string_is_marked():
    found = [hit for path in sorted(ROOT.rglob("*.py")) for hit in unmarked(path)]
    assert found == []


def test_the_check_finds_an_unmarked_string(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""A docstring is fine."""\n'
                      'ok = _("Time to stand up")\n'
                      'also_ok = ngettext("{n} break", "{n} breaks", 2)\n'
                      'bug = RuntimeError("a bug for developers")\n'
                      'sql = "SELECT kind FROM events"\n'
                      'bad = "Time to stand up"\n'
                      'worse = f"Next break in {left}"\n', encoding="utf-8")
    found = unmarked(sample)
    assert len(found) == 2 and "sample.py:6" in found[0] and "sample.py:7" in found[1]


def test_the_core_speaks_no_english():
    """The core returns codes; not even a marked string belongs there."""
    for path in (ROOT / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and _call_name(n) in MARKERS]
        assert not calls, path


# ---- the catalogs ---------------------------------------------------------------


def _catalog(path: Path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return read_po(fh)


def test_the_template_is_up_to_date(tmp_path):
    """scripts/i18n was run after the last change to a marked string."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-c", "from babel.messages.frontend import main; main()",
                    "-q", "extract",
                    "--no-wrap", "--omit-header", "-k", "_", "-k", "N_", "-k", "ngettext:1,2",
                    "-k", "pgettext:1c,2", "-k", "NC_:1c,2",
                    "-o", str(fresh), str(ROOT)], check=True, cwd=ROOT.parent)
    ids = {(m.context, m.id) for m in _catalog(fresh) if m.id}
    shipped = {(m.context, m.id) for m in _catalog(LOCALE / "posture_assistant.pot") if m.id}
    assert sorted(map(str, ids - shipped)) == [], "new strings: run scripts/i18n"
    assert sorted(map(str, shipped - ids)) == [], "strings gone: run scripts/i18n"


@pytest.mark.parametrize("lang", ["de"])
def test_the_translation_is_complete_and_compiled(lang):
    template = {(m.context, m.id) for m in _catalog(LOCALE / "posture_assistant.pot") if m.id}
    po = _catalog(LOCALE / lang / "LC_MESSAGES" / "posture_assistant.po")
    messages = {(m.context, m.id): m for m in po if m.id}
    assert set(messages) == template
    untranslated = [m.id for m in messages.values()
                    if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages.values() if m.fuzzy]
    assert untranslated == [] and fuzzy == []
    mo = gettext.GNUTranslations(open(LOCALE / lang / "LC_MESSAGES" / "posture_assistant.mo",
                                      "rb"))
    for m in messages.values():
        if isinstance(m.id, tuple):
            assert mo.ngettext(m.id[0], m.id[1], 1) == m.string[0], m.id
        elif m.context:
            assert mo.pgettext(m.context, m.id) == m.string, "the .mo is stale: run scripts/i18n"
        else:
            assert mo.gettext(m.id) == m.string, "the .mo is stale: run scripts/i18n"


def test_placeholders_survive_translation():
    po = _catalog(LOCALE / "de" / "LC_MESSAGES" / "posture_assistant.po")
    field = re.compile(r"\{[^}]*\}|%[A-Za-z]")
    for m in po:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(field.findall(ids[-1]))
        for s in strings:
            assert set(field.findall(s)) <= wanted | set(field.findall(ids[0])), (m.id, s)


# ---- in use -----------------------------------------------------------------------


def test_german_follows_the_locale(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "de")
    i18n.use_language(None)
    try:
        assert i18n.language() == "de"
        assert i18n._("Time to stand up and stretch") != "Time to stand up and stretch"
        assert i18n.format_countdown(90 * 60) == "1 Std. 30 Min."
    finally:
        monkeypatch.delenv("LANGUAGE")
        i18n.use_language(None)
    assert i18n._("Time to stand up and stretch") == "Time to stand up and stretch"


def test_an_unknown_language_falls_back_to_english(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "xx")
    i18n.use_language(None)
    try:
        assert i18n.language() == "en"
        assert i18n._("Time to stand up and stretch") == "Time to stand up and stretch"
    finally:
        i18n.use_language(None)


def test_content_comes_in_german_with_the_same_items(monkeypatch):
    from posture_assistant.storage.content import load_checklist, load_suggestions

    english = (load_checklist(), load_suggestions())
    monkeypatch.setenv("LANGUAGE", "de")
    i18n.use_language(None)
    try:
        german = (load_checklist(), load_suggestions())
    finally:
        i18n.use_language(None)
    for en, de in zip(english, german):
        assert [i.id for i in en] == [i.id for i in de]
        assert [i.source for i in en] == [i.source for i in de]
        assert all(a != b for a, b in zip(en, de))


def test_status_speaks_german(cli_env, tmp_path):
    env = dict(cli_env, LANGUAGE="de")
    r = subprocess.run([sys.executable, "-m", "posture_assistant", "status"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "läuft nicht" in r.stdout and "Heute:" in r.stdout, r.stdout
    assert "is not running" not in r.stdout


def test_times_are_formatted_from_datetimes():
    from datetime import datetime, timezone

    when = datetime(2026, 11, 24, 14, 5, tzinfo=timezone.utc)
    assert i18n.format_time(when) == when.astimezone().strftime("%H:%M")
    assert os.environ.get("LANGUAGE") != "de"


def test_clip_keeps_messages_one_short_line():
    from posture_assistant.i18n import clip

    assert clip("short") == "short"
    long = "/home/" + "x" * 5000 + "/data"
    cut = clip(long)
    assert len(cut) == 80 and cut.startswith("/home/xx") and cut.endswith("x/data") and "…" in cut
    assert clip("a\nb\x00c") == "a\\nb\\x00c"
    assert clip("bad\udcffbyte") == "bad\\udcffbyte"
    assert len(clip("y" * 81)) == 80 and clip("y" * 80) == "y" * 80
