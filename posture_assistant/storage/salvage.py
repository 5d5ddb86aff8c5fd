"""The SQLite file format, read by hand: is a file or its -wal damaged, and
which of its rows can still be read.

SQLite itself is no help with a damaged file: it stops replaying a -wal at
the first frame whose checksum fails (dropping every later frame without a
word, and the next checkpoint overwrites them), and it refuses a file whose
header or b-tree is broken, though nearly every row is still on its page.
So this reads the bytes directly (https://www.sqlite.org/fileformat2.html):
every table leaf page of the file and of every -wal frame, every cell on
it, and keeps the records that have the shape and types of our tables. The
interior pages, the header and the checksum chain are not needed for that,
so damage to them costs no rows, and damage to a leaf costs that leaf's.

Only bytes are read here; nothing is written and SQLite is never asked.
"""
from __future__ import annotations

import json
import math
import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from posture_assistant.core.events import EventKind

_MAGIC = b"SQLite format 3\x00"  # page 1 starts with it; its b-tree header follows at 100
WAL_HEADER = 32
FRAME_HEADER = 24
_WAL_MAGIC = (0x377F0682, 0x377F0683)  # the low bit: checksums read big-endian
_WAL_VERSION = 3007000
PAGE_SIZES = tuple(1 << n for n in range(9, 17))
_LEAF, _INTERIOR, _INDEX_LEAF, _INDEX_INTERIOR = 13, 5, 10, 2
# SQLite writes each frame's header and page in two writes, so a kill between
# them can leave a commit frame's header over an older generation's page; an
# older generation's salt-1 is the current one less the restarts since.
_GENERATIONS = 1 << 16
_KINDS = frozenset(kind.value for kind in EventKind)
# A row's time must be a real moment: after 1970, before the year 9999.
_LAST_TS = 253_402_300_800.0
_MAX_OFFSET = 2 * 86_400
# Schema versions are small numbers counted up by one per migration: a header
# with a version past this was damaged, not written by a newer app.
MAX_PLAUSIBLE_VERSION = 1000


# ---- the database header -------------------------------------------------


def page_size(head: bytes) -> int | None:
    """The page size the 100-byte header names, if it is one SQLite allows."""
    if len(head) < 18:
        return None
    raw = int.from_bytes(head[16:18], "big")
    size = 65536 if raw == 1 else raw
    return size if size in PAGE_SIZES else None


def is_truncated(head: bytes, length: int, wal: bytes) -> bool:
    """True if the file is shorter than its pages: SQLite writes whole pages,
    and reads a missing part as zeros, without a word. A file with a -wal
    may lack pages a checkpoint cut short had yet to copy; they are there."""
    size = page_size(head)
    if size is None or not length:
        return False
    if length % size:
        return True
    pages = int.from_bytes(head[28:32], "big")
    counted = head[24:28] == head[92:96]  # else SQLite ignores the size field
    return counted and pages * size > length and len(wal) <= WAL_HEADER


def header_is_damaged(head: bytes) -> bool:
    """True if the header has a value no SQLite would write into our file.

    Only the fields SQLite relies on are judged; SQLite itself notices most
    other damage (sizes, the free list) in its integrity check. These it
    does not take for damage: a write version past 2 makes the file
    read-only, and a schema format past 4 reads as "unsupported file format".
    """
    if len(head) < 100:
        return False  # a new, empty file, or too short for SQLite to open
    version = int.from_bytes(head[60:64], "big", signed=True)
    return (page_size(head) is None
            or head[18] > 2 or head[19] > 2            # write and read versions
            or head[20] != 0                           # we never reserve bytes
            or head[21:24] != b"\x40\x20\x20"          # payload fractions: fixed
            # A file with no tables yet has 0 for both of these.
            or int.from_bytes(head[44:48], "big") > 4            # schema format
            or int.from_bytes(head[56:60], "big") > 1            # UTF-8, ours
            or not 0 <= version <= MAX_PLAUSIBLE_VERSION)


# ---- the -wal ------------------------------------------------------------


@dataclass(frozen=True)
class _WalHeader:
    big_endian: bool
    page_size: int
    salts: tuple[int, int]
    checksum: tuple[int, int]


@dataclass(frozen=True)
class _Frame:
    index: int
    pgno: int
    commit: int  # the database size in pages after a commit; 0 inside a transaction
    salts: tuple[int, int]
    checksum: tuple[int, int]
    head: bytes  # the first 8 bytes, which the checksum covers
    page: bytes


def _checksum(data: bytes, seed: tuple[int, int], big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    s0, s1 = seed
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _wal_header(wal: bytes) -> _WalHeader | None:
    if len(wal) < WAL_HEADER:
        return None
    magic, version, size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", wal[:WAL_HEADER])
    if magic not in _WAL_MAGIC or version != _WAL_VERSION or size not in PAGE_SIZES:
        return None
    big = bool(magic & 1)
    if _checksum(wal[:24], (0, 0), big) != (c1, c2):
        return None
    return _WalHeader(big, size, (salt1, salt2), (c1, c2))


def _frames(wal: bytes, size: int) -> list[_Frame]:
    """Every whole frame, as if the pages were `size` bytes; a torn last one is left out."""
    found, step = [], FRAME_HEADER + size
    for index, at in enumerate(range(WAL_HEADER, len(wal) - step + 1, step)):
        pgno, commit, salt1, salt2, c1, c2 = struct.unpack(">6I", wal[at:at + FRAME_HEADER])
        found.append(_Frame(index, pgno, commit, (salt1, salt2), (c1, c2), wal[at:at + 8],
                            wal[at + FRAME_HEADER:at + step]))
    return found


def _other_generation(salt1: int, current: int) -> bool:
    """A frame left from before the -wal last restarted (or, read while a
    writer restarts it, from just after): harmless, already in the file."""
    behind = (current - salt1) & 0xFFFFFFFF
    return 1 <= behind <= _GENERATIONS or behind == 0xFFFFFFFF


def wal_is_damaged(wal: bytes, db_page_size: int | None) -> bool:
    """True if committed frames of `wal` lie past where SQLite stops reading.

    SQLite replays frames while their salts match the header and their
    checksum chain holds, up to the last commit frame. What follows is
    normal when it is an unfinished last transaction (whole frames with no
    commit frame after them, or a last frame cut short: a crash mid-commit)
    or frames of an earlier generation (the -wal is reused from its start
    after a checkpoint). It is damage when a whole frame of this generation
    fails its checksum, or a commit frame of this generation or with salts
    from nowhere lies past the break: those transactions were acknowledged,
    and SQLite would drop them without a word.
    """
    if len(wal) <= WAL_HEADER:
        return False  # empty, or a header torn on the -wal's first write
    header = _wal_header(wal)
    if header is None:
        # SQLite ignores a -wal with a bad header whole; if it holds even
        # one frame of the smallest size, something committed may be lost.
        smallest = FRAME_HEADER + (db_page_size or PAGE_SIZES[0])
        return len(wal) >= WAL_HEADER + smallest
    frames = _frames(wal, header.page_size)
    broken = _break(header, frames)
    if broken is None:
        return False
    first = frames[broken]
    if first.salts == header.salts and not _torn_overwrite(frames, broken, header):
        # A whole frame of this generation that fails its checksum: frames
        # are written whole, so it was damaged afterwards (its commit mark
        # perhaps, which makes a committed transaction look unfinished).
        return True
    for frame in frames[broken:]:
        if not frame.commit:
            continue
        if frame.salts == header.salts and frame is not first:
            return True
        if frame.salts != (0, 0) and not _other_generation(frame.salts[0], header.salts[0]):
            return True
    return False


def _break(header: _WalHeader, frames: list[_Frame]) -> int | None:
    """The index of the first frame SQLite would not replay; None if none."""
    chain = header.checksum
    for frame in frames:
        if frame.salts != header.salts:
            return frame.index
        chain = _checksum(frame.head + frame.page, chain, header.big_endian)
        if chain != frame.checksum:
            return frame.index
    return None


def wal_shrinks_file(wal: bytes, file_pages: int) -> bool:
    """True if replaying the -wal would leave the database shorter than the file.

    The app never deletes or vacuums, so its databases only grow, and a
    checkpoint copies no more into the file than the -wal's commits hold
    (it may have copied frames of this -wal already: the last commit, not
    the first, is what to compare). A -wal that shrinks the file belongs to
    another, smaller database (a file copied over ours while our -wal
    stayed): SQLite would replay it all the same, and the next checkpoint
    would write the other database over ours.
    """
    header = _wal_header(wal)
    if header is None:
        return False
    frames = _frames(wal, header.page_size)
    commits = [frame.commit for frame in frames[:_break(header, frames)] if frame.commit]
    return bool(commits) and commits[-1] < file_pages


def current_header(head: bytes, wal: bytes) -> bytes:
    """The database header SQLite will read: page 1's newest committed copy
    in the -wal, if it has one, else the file's own (`head`)."""
    header = _wal_header(wal)
    if header is None:
        return head
    frames = _frames(wal, header.page_size)
    end = _break(header, frames)
    newest, pending = head, None
    for frame in frames[:end]:
        if frame.pgno == 1:
            pending = frame.page[:100]
        if frame.commit and pending is not None:  # only committed copies count
            newest, pending = pending, None
    return newest


def _torn_overwrite(frames: list[_Frame], index: int, header: _WalHeader) -> bool:
    following = frames[index + 1] if index + 1 < len(frames) else None
    return following is not None and following.salts != header.salts


# ---- rows ----------------------------------------------------------------


@dataclass
class Found:
    """The rows read, by table, each the newest copy found; ids kept."""
    events: dict[int, tuple] = field(default_factory=dict)
    checklist_runs: dict[int, tuple] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.events) + len(self.checklist_runs) + len(self.meta)


def read(path: Path) -> Found:
    """The readable rows of the database at `path` and its -wal.

    Never raises for what is in the bytes: a parser of damaged data must not
    stop the app from starting. Reading the files may raise OSError.
    """
    db = path.read_bytes()
    wal_path = Path(f"{path}-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    return rows(db, wal)


def rows(db: bytes, wal: bytes) -> Found:
    header = _wal_header(wal)
    size = _guess_page_size(db, wal)
    images = _images(db, wal, header, size)
    pages: dict[int, tuple[int, bytes]] = {}
    for priority, pgno, page in images:
        if pgno and priority >= pages.get(pgno, (-1, b""))[0]:
            pages[pgno] = (priority, page)
    best: dict[tuple[str, object], tuple[int, int, tuple]] = {}
    for priority, pgno, page in images:
        first = pgno == 1 or page.startswith(_MAGIC)
        for rowid, values in _cells(page, first, size, pages):
            table, row = _shape(values)
            if table is None:
                continue
            # meta's rows are replaced (INSERT OR REPLACE): its key is what
            # names the row, and the newest image, then the newest rowid, wins.
            key = (table, row[0]) if table == "meta" else (table, rowid)
            if (priority, rowid) >= best.get(key, (-1, -1, ()))[:2]:
                best[key] = (priority, rowid, row)
    found = Found()
    for (table, key), (_priority, rowid, row) in sorted(best.items(), key=lambda kv: kv[1][1]):
        if table == "meta":
            found.meta[row[0]] = row[1]
        else:
            getattr(found, table)[rowid] = row
    return found


def _guess_page_size(db: bytes, wal: bytes) -> int:
    """The page size that makes pages look like b-tree pages, not taken
    from the headers, which may be the damaged part. A multiple of the true
    size looks as good (it lands on every other true page), half of it only
    half as good, so the smallest size that looks nearly the best wins."""
    scores = {size: _score(db, wal, size) for size in PAGE_SIZES}
    best = max(scores.values())
    return min(size for size, score in scores.items() if score >= 0.75 * best)


def _score(db: bytes, wal: bytes, size: int) -> float:
    pages = [db[at:at + size] for at in range(0, len(db) - size + 1, size)]
    pages += [frame.page for frame in _frames(wal, size)]
    if not pages:
        return 0.0
    return sum(_looks_like_btree(page, i == 0 or page.startswith(_MAGIC), size)
               for i, page in enumerate(pages)) / len(pages)


def _looks_like_btree(page: bytes, first: bool, size: int) -> bool:
    at = 100 if first else 0
    kind = page[at]
    if kind not in (_LEAF, _INTERIOR, _INDEX_LEAF, _INDEX_INTERIOR):
        return False
    top = 8 if kind in (_LEAF, _INDEX_LEAF) else 12
    cells = int.from_bytes(page[at + 3:at + 5], "big")
    start = int.from_bytes(page[at + 5:at + 7], "big") or 65536
    return at + top + 2 * cells <= start <= size


def _images(db: bytes, wal: bytes, header: _WalHeader | None,
            size: int) -> list[tuple[int, int | None, bytes]]:
    """(priority, page number, page) for every page image: the file's pages
    at 1, this generation's -wal frames above it in their order (later is
    newer), and frames of other generations at 0, below the file, as they
    are older than it."""
    images: list[tuple[int, int | None, bytes]] = [
        (1, n + 1, db[at:at + size]) for n, at in enumerate(range(0, len(db) - size + 1, size))]
    frames = _frames(wal, size)
    if wal_shrinks_file(wal, len(db) // size):
        return images + [(0, None, frame.page) for frame in frames]  # another database's
    salts = header.salts if header else None
    if not any(frame.salts == salts for frame in frames):
        # The header is damaged or from another -wal: trust the salts most
        # frames carry.
        common = Counter(frame.salts for frame in frames if frame.salts != (0, 0))
        salts = common.most_common(1)[0][0] if common else None
    for frame in frames:
        ours = frame.salts == salts
        images.append((2 + frame.index if ours else 0, frame.pgno if ours else None, frame.page))
    return images


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def _cells(page: bytes, first: bool, size: int,
           pages: dict[int, tuple[int, bytes]]) -> list[tuple[int, list]]:
    """(rowid, values) of every cell of a table leaf page; [] for others."""
    at = 100 if first else 0
    if len(page) < at + 8 or page[at] != _LEAF:
        return []
    count = int.from_bytes(page[at + 3:at + 5], "big")
    found = []
    for i in range(min(count, (size - at - 8) // 2)):
        pointer = int.from_bytes(page[at + 8 + 2 * i:at + 10 + 2 * i], "big")
        try:
            found.append(_cell(page, pointer, size, pages))
        except (IndexError, ValueError, struct.error, UnicodeDecodeError, OverflowError):
            continue  # a damaged cell; the next one may be whole
    return found


def _cell(page: bytes, at: int, size: int, pages: dict[int, tuple[int, bytes]]):
    if not 0 < at < size:
        raise ValueError("pointer outside the page")  # not for users
    length, at = _varint(page, at)
    rowid, at = _varint(page, at)
    if rowid >= 1 << 63:
        rowid -= 1 << 64
    local = _local_size(length, size)
    payload = page[at:at + local]
    if local < length:
        payload += _overflow(page[at + local:at + local + 4], length - local, size, pages)
    if len(payload) != length:
        raise ValueError("payload cut short")  # not for users
    return rowid, _record(payload)


def _local_size(length: int, size: int) -> int:
    # The formula of the file format, for a table leaf with no reserved bytes.
    most = size - 35
    if length <= most:
        return length
    least = (size - 12) * 32 // 255 - 23
    local = least + (length - least) % (size - 4)
    return local if local <= most else least


def _overflow(pointer: bytes, wanted: int, size: int,
              pages: dict[int, tuple[int, bytes]]) -> bytes:
    parts, got, pgno = [], 0, int.from_bytes(pointer, "big")
    for _hop in range(wanted // (size - 4) + 1):  # a loop in the chain ends here
        if not pgno or pgno not in pages:
            break
        page = pages[pgno][1]
        parts.append(page[4:4 + min(size - 4, wanted - got)])
        got += len(parts[-1])
        pgno = int.from_bytes(page[:4], "big")
    return b"".join(parts)


def _record(payload: bytes) -> list:
    end, at = _varint(payload, 0)
    if not at <= end <= len(payload):
        raise ValueError("record header outside the record")  # not for users
    types = []
    while at < end:
        serial, at = _varint(payload, at)
        types.append(serial)
    values, at = [], end
    for serial in types:
        value, at = _value(payload, at, serial)
        values.append(value)
    if at != len(payload):
        raise ValueError("record longer or shorter than its header says")  # not for users
    return values


_INTS = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _value(data: bytes, at: int, serial: int):
    if serial == 0:
        return None, at
    if serial in _INTS:
        n = _INTS[serial]
        if at + n > len(data):
            raise ValueError("value cut short")  # not for users
        return int.from_bytes(data[at:at + n], "big", signed=True), at + n
    if serial == 7:
        return struct.unpack(">d", data[at:at + 8])[0], at + 8
    if serial in (8, 9):
        return serial - 8, at
    if serial >= 12:
        n = (serial - 12) // 2
        if at + n > len(data):
            raise ValueError("value cut short")  # not for users
        raw = data[at:at + n]
        return (raw.decode("utf-8") if serial % 2 else bytes(raw)), at + n
    raise ValueError(f"reserved serial type {serial}")  # not for users


# ---- our tables' shapes --------------------------------------------------
#
# A record is taken for a row of ours only if every value has the type and
# range its column holds; anything else (a cell of sqlite_schema, a damaged
# cell that still parses) is left out, and stays in the kept original. An
# INTEGER PRIMARY KEY is stored as NULL in the record (the rowid holds it);
# a REAL that is a whole number is stored as an integer.


def _shape(values: list) -> tuple[str | None, tuple]:
    if len(values) == 6 and values[0] is None:
        _id, ts, offset, kind, seconds, detail = values
        if (_moment(ts) and _offset(offset) and kind in _KINDS
                and (seconds is None or _number(seconds))
                and (detail is None or _json_object(detail))):
            return "events", (float(ts), offset, kind, _real(seconds), detail)
    elif len(values) == 5 and values[0] is None:
        _id, ts, offset, score, answers = values
        if (_moment(ts) and _offset(offset) and (score is None or _number(score))
                and _json_object(answers, values_are_text=True)):
            return "checklist_runs", (float(ts), offset, _real(score), answers)
    elif len(values) == 2 and all(isinstance(v, str) for v in values):
        return "meta", tuple(values)
    return None, ()


def _number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _real(value: object) -> float | None:
    return None if value is None else float(value)


def _moment(value: object) -> bool:
    return _number(value) and 0 < value < _LAST_TS


def _offset(value: object) -> bool:
    return isinstance(value, int) and abs(value) <= _MAX_OFFSET


def _json_object(text: object, values_are_text: bool = False) -> bool:
    if not isinstance(text, str):
        return False
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if not isinstance(parsed, dict):
        return False
    return not values_are_text or all(isinstance(v, str) for v in parsed.values())
