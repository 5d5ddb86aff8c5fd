"""Reading the files we ship and the files users write: asset paths, and
TOML with its failure as one short reason."""
from __future__ import annotations

import os
import stat
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from posture_assistant.i18n import _

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# A settings file or a checklist's answers is a few KB; anything near this is
# a mistake (or /dev/zero), and reading it whole would only cost memory.
MAX_FILE_SIZE = 1 << 20
# Our TOML is flat or one table deep, answers are one object: deeper data is
# a mistake, and past a few hundred levels the parsers run out of stack.
MAX_TOML_DEPTH = 16


def asset_path(name: str) -> Path:
    # Both the wheel and the editable install keep assets as real files, so a
    # plain path is safe to hand to Pillow, plyer or a notification server.
    return Path(str(files("posture_assistant.assets") / name))


def read_small_file(path: Path | str, limit: int = MAX_FILE_SIZE) -> bytes:
    """The bytes of a regular file (after symlinks) of at most `limit`
    bytes, or none from /dev/null; ValueError with a one-line reason
    otherwise. A FIFO, another device such as /dev/zero or a folder is
    refused before any read, so none of them can hang the caller or fill
    its memory."""
    # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise ValueError(e.strerror or str(e)) from None
    except ValueError:  # a NUL character in the path
        raise ValueError(_("the path contains a NUL character")) from None
    try:
        info = os.fstat(fd)
        if _is_devnull(info):  # the usual way to say "no file": empty
            return b""
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(_("not a regular file") if not stat.S_ISDIR(info.st_mode)
                             else _("a folder, not a file"))
        if info.st_size > limit:
            raise ValueError(_("larger than {limit}").format(limit=_size(limit)))
        # The size can grow between fstat and read: read one byte past the
        # limit to notice.
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise ValueError(_("larger than {limit}").format(limit=_size(limit)))
        return b"".join(chunks)
    except OSError as e:
        raise ValueError(e.strerror or str(e)) from None
    finally:
        os.close(fd)


def _is_devnull(info: os.stat_result) -> bool:
    if not stat.S_ISCHR(info.st_mode):
        return False
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(null.st_mode) and info.st_rdev == null.st_rdev


def read_small_stream(stream: Any, limit: int = MAX_FILE_SIZE) -> bytes:
    """At most `limit` bytes from a binary (or text) stream such as stdin;
    ValueError if there are more."""
    try:
        data = stream.read(limit + 1)
    except OSError as e:
        raise ValueError(e.strerror or str(e)) from None
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > limit:
        raise ValueError(_("larger than {limit}").format(limit=_size(limit)))
    return data


def decode_utf8(data: bytes) -> str:
    """Text from bytes; ValueError naming the first bad byte's line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ValueError(_("not UTF-8 text (line {line})").format(line=line)) from None


def nesting_depth(data: Any, limit: int) -> int:
    """How deeply lists and dicts nest in `data` (a scalar is 0, [] is 1),
    counted without recursion and only up to `limit` + 1, so that any depth
    costs neither stack nor more than one pass."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        stack.extend((v, depth + 1) for v in value)
    return deepest


def too_deep(limit: int) -> ValueError:
    return ValueError(_("nested more than {limit} levels deep").format(limit=limit))


def read_toml(path: Path) -> dict[str, Any]:
    """The file's data; ValueError with the reason (OS error, not a regular
    file, too large, not UTF-8, nested too deeply, or syntax with its line
    and column) if it cannot be read."""
    text = decode_utf8(read_small_file(path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(str(e).splitlines()[0]) from None
    except ValueError:  # int() refuses more than 4300 digits, and says to change that
        raise ValueError(_("a number with too many digits")) from None
    except RecursionError:
        # The parsers recurse per level of inline arrays and tables, and
        # tomli documents RecursionError as its answer to a pathological
        # depth (a few hundred levels): quick, since it comes that early.
        raise too_deep(MAX_TOML_DEPTH) from None
    # Depths the parser survives (dotted keys, [a.b.c] headers, 400 levels
    # of arrays) would still overflow repr() or a validator further on.
    if nesting_depth(data, MAX_TOML_DEPTH) > MAX_TOML_DEPTH:
        raise too_deep(MAX_TOML_DEPTH)
    return data


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB"  # not for users
