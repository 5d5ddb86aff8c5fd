"""The Desktop Entry format (freedesktop.org), as far as our
autostart entry and app-menu launcher need it: the Exec key's quoting both
ways, the string escapes, keys in every language we have a catalog for, and
reading a file back.

Exec is unquoted in two layers, and so quoted in two: first the string
escapes of every value (a backslash is written `\\\\`), then the Exec rules
(an argument with a reserved character goes in double quotes, with `"`,
`` ` ``, `$` and `\\` escaped by a backslash), and a literal `%` is `%%`.
"""
from __future__ import annotations

import gettext
import os
from pathlib import Path
from typing import Iterable, Sequence

from posture_assistant.i18n import DOMAIN, LOCALE_DIR

GROUP = "Desktop Entry"  # not for users
# The spec version our files follow: 1.5 adds only keys we do not use, and
# desktop-file-validate before 0.27 (Debian 12) rejects it.
VERSION = "1.4"  # not for users
MARKER = "X-Posture-Assistant-Version"  # not for users: says the file is ours

# The spec's reserved characters: an argument holding one must be quoted.
RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
ESCAPED_IN_QUOTES = frozenset('"`$\\')
# Field codes (%f %u …) a launcher expands; %% is a literal percent sign.
FIELD_CODES = frozenset("fFuUdDnNickvm")

Groups = list[tuple[str, list[tuple[str, str]]]]


# ---- Exec ------------------------------------------------------------------


def quote_exec(argv: Sequence[str]) -> str:
    """argv as an Exec value, before the string escapes."""
    return " ".join(_quote_arg(arg) for arg in argv)


def _quote_arg(arg: str) -> str:
    arg = arg.replace("%", "%%")
    if arg and not RESERVED.intersection(arg):
        return arg
    return '"' + "".join("\\" + c if c in ESCAPED_IN_QUOTES else c for c in arg) + '"'


def split_exec(value: str) -> list[str]:
    """An Exec value (after the string escapes are undone) as argv, field
    codes dropped; ValueError if a quote is never closed."""
    args: list[str] = []
    current: list[str] = []
    started = quoted = False
    i = 0
    while i < len(value):
        c = value[i]
        if quoted:
            if c == "\\" and i + 1 < len(value) and value[i + 1] in ESCAPED_IN_QUOTES:
                current.append(value[i + 1])
                i += 1
            elif c == '"':
                quoted = False
            else:
                current.append(c)
        elif c == '"':
            quoted = started = True
        elif c in " \t\n":
            if started:
                args.append("".join(current))
                current, started = [], False
        else:
            current.append(c)
            started = True
        i += 1
    if quoted:
        raise ValueError("a quote in Exec is never closed")  # not for users: caught
    if started:
        args.append("".join(current))
    return [a for a in (_expand_field_codes(arg) for arg in args) if a is not None]


def _expand_field_codes(arg: str) -> str | None:
    """%% to %, and field codes to nothing (we pass no files); None for an
    argument that was only a field code, which a launcher drops."""
    out, i, codes = [], 0, False
    while i < len(arg):
        if arg[i] == "%" and i + 1 < len(arg):
            nxt = arg[i + 1]
            if nxt == "%":
                out.append("%")
            elif nxt in FIELD_CODES:
                codes = True
            else:
                out.append(arg[i:i + 2])
            i += 2
            continue
        out.append(arg[i])
        i += 1
    text = "".join(out)
    return None if codes and not text else text


# ---- values and files ------------------------------------------------------


def escape(value: str) -> str:
    out = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    out = out.replace("\r", "\\r")
    return "\\s" + out[1:] if out.startswith(" ") else out


def unescape(value: str) -> str:
    out, i = [], 0
    table = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in table:
            out.append(table[value[i + 1]])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def render(groups: Groups) -> str:
    """The file's text; values are escaped here, so pass them plain."""
    blocks = []
    for name, entries in groups:
        lines = [f"[{name}]"] + [f"{key}={escape(value)}" for key, value in entries]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def read(path: Path) -> dict[str, dict[str, str]]:
    """{group: {key: value}} with the escapes undone. OSError if unreadable,
    ValueError if it is not a desktop entry (binary, or no [Desktop Entry])."""
    try:
        return parse(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None  # not for users: caught


BLANK = " \t\r"  # str.strip() alone would also eat U+2028 and friends from a value


def parse(text: str) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    group: dict[str, str] | None = None
    # Lines end at "\n" only, as GLib reads them: str.splitlines() would also
    # break at characters such as U+2028 that a value may hold.
    for raw in text.split("\n"):
        line = raw.strip(BLANK)
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = groups.setdefault(line[1:-1], {})
        elif "=" in line and group is not None:
            key, value = line.split("=", 1)
            group.setdefault(key.strip(BLANK), unescape(value.strip(BLANK)))
    if GROUP not in groups:
        raise ValueError(f"no [{GROUP}] group")  # not for users: caught
    return groups


def is_true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


# ---- words in every language -----------------------------------------------


def languages() -> list[str]:
    """The languages we ship a catalog for, e.g. ["de"]."""
    if not LOCALE_DIR.is_dir():
        return []
    return sorted(d.name for d in LOCALE_DIR.iterdir()
                  if (d / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file())


def localized(key: str, message: str) -> Iterable[tuple[str, str]]:
    """`key=message` and `key[lang]=…` for every catalog that translates
    it: the desktop shows the entry in its user's language, whatever the
    language was when the file was written."""
    yield key, message
    for lang in languages():
        text = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang],
                                   fallback=True).gettext(message)
        if text != message:
            yield f"{key}[{lang}]", text


def xdg_dir(variable: str, default: str) -> Path:
    """$XDG_CONFIG_HOME and friends; the spec says to ignore a relative one."""
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / default


def xdg_dirs(variable: str, default: str) -> list[Path]:
    value = os.environ.get(variable, "") or default
    return [Path(p) for p in value.split(":") if os.path.isabs(p)]
