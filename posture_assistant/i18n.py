"""The seam for translation: every string a user reads goes through `_()`
or `ngettext()` here, and times go through `format_time()` / `format_date()`.

The catalog is chosen the gettext way (LANGUAGE, LC_ALL, LC_MESSAGES, LANG),
and on Windows and macOS, where those are rarely set, from the system
locale. English is the source language, so a missing catalog falls back to
the text as written. `scripts/i18n` extracts the template and compiles the
catalogs.
"""
from __future__ import annotations

import gettext
import locale
import math
import os
import sys
from datetime import datetime
from pathlib import Path

DOMAIN = "posture_assistant"
LOCALE_DIR = Path(__file__).with_name("locale")
_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations | None = None
_languages: list[str] = []


def _system_languages() -> list[str]:
    for name in _ENV:
        value = os.environ.get(name)
        if value:
            # "C" and "POSIX" mean untranslated, as gettext reads them.
            return [lang for lang in value.split(":") if lang]
    if sys.platform in ("win32", "darwin"):
        try:
            code = locale.getlocale()[0]
        except ValueError:
            code = None
        if code:
            return [locale.normalize(code).split(".")[0]]
    return []


def _catalog() -> gettext.NullTranslations:
    global _translation, _languages
    if _translation is None:
        _languages = _system_languages()
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=_languages or None,
                                           fallback=True)
    return _translation


def use_language(code: str | None) -> None:
    """Switch catalogs: a code such as "de", or None to follow the system
    again (read at the next lookup)."""
    global _translation, _languages
    _translation = None
    if code is not None:
        _languages = [code]
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def language() -> str:
    """The language in use: a catalog's ("de"), or "en" for the source text."""
    lang = _catalog().info().get("language", "")
    return lang.replace("-", "_").split("_")[0] or "en"


def _(message: str) -> str:
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """For a word whose translation depends on where it is shown ("Back")."""
    return _catalog().pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """N_() with a context, translated later with pgettext(context, ...)."""
    return message


def N_(message: str) -> str:
    """Marks a string for the catalog where it is defined; `_()` translates
    it where it is shown, once the language is known."""
    return message


def format_time(when: float | datetime) -> str:
    # Translators: a local clock time in strftime codes, e.g. 14:05.
    return _local(when).strftime(_("%H:%M"))


def format_date(when: float | datetime) -> str:
    # Translators: a date in strftime codes, numbers only (month and day
    # names would stay English), e.g. 2026-11-24.
    return _local(when).strftime(_("%Y-%m-%d"))


def format_datetime(when: float | datetime) -> str:
    return f"{format_date(when)} {format_time(when)}"


def _local(when: float | datetime) -> datetime:
    if isinstance(when, datetime):
        return when.astimezone() if when.tzinfo else when
    return datetime.fromtimestamp(when)


def format_countdown(seconds: float) -> str:
    """For tooltips and messages: whole minutes, rounded up ("42 min").

    Rounding up means "1 min" is shown until under a minute is left, so
    "0 min" never appears; callers write "in {countdown}", hence no "now"."""
    if seconds < 60:
        return _("under 1 min")
    if seconds >= 2 * 86400:
        days = round(seconds / 86400)
        return ngettext("{n} day", "{n} days", days).format(n=days)
    # A hair under a whole minute of float error must not add a minute.
    minutes = math.ceil(seconds / 60 - 1e-9)
    return _hours_minutes(*divmod(minutes, 60))


def format_length(seconds: float) -> str:
    """A length exactly, for choices such as a snooze: "1 min 30 s"."""
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if not secs:
        return _hours_minutes(*divmod(minutes, 60))
    if not minutes:
        return _("{s} s").format(s=secs)
    return _("{m} min {s} s").format(m=minutes, s=secs)


def _hours_minutes(hours: int, minutes: int) -> str:
    if not hours:
        return _("{m} min").format(m=minutes)
    if not minutes:
        return _("{h} h").format(h=hours)
    return _("{h} h {m} min").format(h=hours, m=minutes)


def clip(value: object, limit: int = 80) -> str:
    """`value` as it goes into a one-line message: control characters and
    undecodable bytes escaped, and anything longer than `limit` characters
    cut in the middle, so a 20 KB setting cannot make a 20 KB message and
    both the start and the end of a long path stay readable."""
    text = str(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return f"{text[:head]}…{text[len(text) - (limit - 1 - head):]}"
