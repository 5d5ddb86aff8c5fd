"""Damaged break databases: their readable rows are saved into a new file,
the damaged one is kept byte for byte, and the user gets one line.

Real SQLite files, damaged by real byte edits at many places. Each row
carries a unique marker ("row-00042"), so the test knows, without reading the
file format, which page images hold a copy of it: a row with a copy on a page
image the damage did not touch must come back exactly, with its id and time.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posture_assistant.i18n import clip
from posture_assistant.storage.store import DB_NAME, Store, StoreError

REPO = Path(__file__).resolve().parents[1]
NOW = 1_790_000_000.0
PAGE = 4096  # SQLite's default, which the app keeps
FRAME = 24 + PAGE
SUFFIXES = ("", "-wal", "-shm")


def marker(i: int) -> str:
    return f"row-{i:05d}"


def fill(data_dir: Path, first: int, count: int, *, kill: bool, start: float = NOW) -> None:
    """Record events first..first+count-1 (and a checklist run for each
    tenth, which also replaces one of three meta rows) through the real
    Store, in a process of their own; with kill, that process is killed -9
    before it closes, so the rows stay in the -wal, unmerged."""
    code = f"""
import os, signal
from pathlib import Path
from posture_assistant.storage.store import Store
s, notice = Store.open(Path({str(data_dir)!r}))
assert notice is None, notice
for i in range({first}, {first + count}):
    s.record("done" if i % 3 else "prompted", {start} + i * 60.5, seconds=i if i % 2 else None,
             detail={{"m": "row-%05d" % i, "pad": "x" * 60}})
    if i % 10 == 0:
        s.save_checklist({start} + i * 60.5, {{"chair": "yes", "m": "run-%05d" % i}}, 50.0)
        s.set_meta("key-%d" % (i % 30), "meta-%05d" % i)
if {kill}:
    os.kill(os.getpid(), signal.SIGKILL)
s.close()
"""
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == (-9 if kill else 0), r.stderr


def snapshot(data_dir: Path) -> dict[str, bytes]:
    return {s: Path(f"{data_dir / DB_NAME}{s}").read_bytes() for s in SUFFIXES
            if Path(f"{data_dir / DB_NAME}{s}").exists()}


def contents(data_dir: Path) -> tuple[dict, dict, dict]:
    """(events by marker, checklist runs by marker, meta) of a sound file."""
    with Store.open(data_dir, readonly=True)[0] as s:
        events = {e.detail["m"]: (e.id, e.ts, e.utc_offset, e.kind, e.seconds, e.detail)
                  for e in s.events()}
        runs = {r.answers["m"]: (r.id, r.ts, r.utc_offset, r.score, r.answers)
                for r in s.checklist_runs()}
        meta = {key: s.get_meta(key) for key in (f"key-{k}" for k in range(30))}
    return events, runs, {k: v for k, v in meta.items() if v is not None}


@pytest.fixture(scope="module")
def checkpointed(tmp_path_factory):
    """400 events, 40 checklist runs and 30 meta rows, all in the main file."""
    d = tmp_path_factory.mktemp("checkpointed")
    fill(d, 1, 400, kill=False)
    assert not Path(f"{d / DB_NAME}-wal").exists()
    return snapshot(d), contents(d)


@pytest.fixture(scope="module")
def with_wal(tmp_path_factory):
    """300 rows in the main file, then 6 more committed to the -wal by a
    process killed before it could merge them."""
    d = tmp_path_factory.mktemp("with_wal")
    fill(d, 1, 300, kill=False)
    fill(d, 301, 6, kill=True)
    files = snapshot(d)
    assert len(files["-wal"]) > 32 + 6 * FRAME  # the rows really are only in the -wal
    probe = d.parent / (d.name + "-probe")  # read a copy: reading merges nothing, but be sure
    shutil.copytree(d, probe)
    found = contents(probe)
    assert {marker(i) for i in range(301, 307)} <= set(found[0])
    return files, found


def images(files: dict[str, bytes]) -> list[tuple[str, int, int]]:
    """(file, start, end) of every page image: the file's pages and the -wal's frames."""
    found = [("", at, at + PAGE) for at in range(0, len(files[""]) - PAGE + 1, PAGE)]
    wal = files.get("-wal", b"")
    found += [("-wal", at + 24, at + FRAME) for at in range(32, len(wal) - FRAME + 1, FRAME)]
    return found


def survivors(files: dict[str, bytes], damaged: list[tuple[str, int, int]],
              names) -> set[str]:
    """The markers with a copy on some page image that no damage touches."""
    def touched(image):
        return any(f == image[0] and s < image[2] and image[1] < e for f, s, e in damaged)
    intact = [files[f][s:e] for f, s, e in images(files) if not touched((f, s, e))]
    return {name for name in names if any(name.encode() in page for page in intact)}


def open_damaged(d: Path, files: dict[str, bytes]):
    """Write `files` into d, check the read-only opening changes nothing,
    then open for real: (store, notice)."""
    d.mkdir()
    for suffix, data in files.items():
        Path(f"{d / DB_NAME}{suffix}").write_bytes(data)
    try:
        Store.open(d, readonly=True)[0].close()
    except StoreError as e:
        assert ("damaged" in str(e) or "newer" in str(e)) and "\n" not in str(e)
    # SQLite's own -shm (an index it rebuilds on every first opening) may be
    # made or rewritten, and an empty -wal made; nothing else may change.
    after = snapshot(d)
    assert after[""] == files[""] and after.get("-wal", b"") == files.get("-wal", b""), \
        "the read-only opening changed the file or its -wal"
    assert {p.name for p in d.iterdir()} <= {DB_NAME + s for s in SUFFIXES}
    return Store.open(d)


def check_saved(d: Path, store: Store, notice: str | None, files: dict[str, bytes],
                expected: tuple[dict, dict, dict], damaged: list[tuple[str, int, int]]) -> int:
    """Every row with an intact copy is back exactly; nothing else was made
    up; a damaged original is kept byte for byte; the store works. The
    number of events saved."""
    events, runs, meta = expected
    saved = {e.detail["m"]: (e.id, e.ts, e.utc_offset, e.kind, e.seconds, e.detail)
             for e in store.events()}
    saved_runs = {r.answers["m"]: (r.id, r.ts, r.utc_offset, r.score, r.answers)
                  for r in store.checklist_runs()}
    for name, row in saved.items():
        assert events.get(name) == row, f"{name} came back changed or made up: {row}"
    for name, row in saved_runs.items():
        assert runs.get(name) == row, f"run {name} came back changed or made up: {row}"
    must = survivors(files, damaged, events)
    assert must <= set(saved), f"lost rows with an intact copy: {sorted(must - set(saved))[:5]}"
    must_runs = survivors(files, damaged, runs)
    assert must_runs <= set(saved_runs), sorted(must_runs - set(saved_runs))[:5]
    for key, value in meta.items():
        # Each key was replaced a dozen times: an older value never comes back.
        assert store.get_meta(key) in (value, None), (key, store.get_meta(key))
    kept = sorted(p for p in d.iterdir() if ".corrupt-" in p.name and not
                  p.name.endswith(("-wal", "-shm")))
    if notice is None:
        assert kept == [] and len(saved) == len(events)
    else:
        (moved,) = kept
        assert "\n" not in notice and moved.name in notice
        for suffix, data in files.items():
            assert Path(f"{moved}{suffix}").read_bytes() == data, f"{suffix} not kept as it was"
        if saved:
            assert f"; {len(saved) + len(saved_runs) + len(store_meta(store))} of its rows" \
                   in notice
    new = store.record("done", NOW + 10**6)
    assert store.events()[-1] == new
    return len(saved)


def store_meta(store: Store) -> list[str]:
    return [k for k in (f"key-{k}" for k in range(30)) if store.get_meta(k) is not None]


def damage(data: bytes, start: int, new: bytes) -> bytes:
    return data[:start] + new + data[start + len(new):]


# ---- one damaged page of the main file ------------------------------------


def test_every_single_page_damage_saves_every_row_not_on_that_page(tmp_path, checkpointed,
                                                                   figures):
    files, expected = checkpointed
    rng = random.Random(10)
    pages = len(files[""]) // PAGE
    assert pages >= 12
    saved_total = lost_total = 0
    for page in range(pages):
        for kind, new in (("random", rng.randbytes(PAGE)), ("zeros", bytes(PAGE))):
            start = page * PAGE + (100 if page == 0 and kind == "zeros" else 0)
            bad = {"": damage(files[""], start, new[:PAGE - (start - page * PAGE)])}
            d = tmp_path / f"p{page}-{kind}"
            s, notice = open_damaged(d, bad)
            with s:
                saved = check_saved(d, s, notice, bad, expected, [("", start, start + PAGE)])
            saved_total += saved
            lost_total += len(expected[0]) - saved
    # Each leaf holds about 35 rows; no more than one leaf's worth per damage.
    assert lost_total <= 2 * pages * 40
    figures(f"single-page damage: {2 * pages} positions, {saved_total} events saved, "
          f"{lost_total} lost")


def test_a_truncated_file_keeps_the_rows_on_its_whole_pages(tmp_path, checkpointed, figures):
    files, expected = checkpointed
    size = len(files[""])
    for n, cut in enumerate([size // 2, size // 2 + 1000, size - PAGE, size - 1, 3 * PAGE + 7]):
        bad = {"": files[""][:cut]}
        d = tmp_path / f"cut{n}"
        s, notice = open_damaged(d, bad)
        with s:
            saved = check_saved(d, s, notice, bad, expected, [])
        assert notice, cut  # SQLite reads a missing part as zeros, without a word
        figures(f"cut at {cut} of {size} bytes: {saved} of {len(expected[0])} events saved")


# ---- the header ------------------------------------------------------------


def test_header_damage_is_damage_and_every_row_is_saved(tmp_path, checkpointed, figures):
    files, expected = checkpointed
    newer, opened = [], 0
    for offset in range(16, 100):
        for value in (0x00, 0xFF, files[""][offset] ^ 0x5A):
            if files[""][offset] == value:
                continue
            bad = {"": damage(files[""], offset, bytes([value]))}
            d = tmp_path / f"h{offset}-{value}"
            try:
                s, notice = open_damaged(d, bad)
            except StoreError as e:
                # Only a user_version that could be a newer app's is left alone.
                assert "newer Posture Assistant" in str(e), (offset, value, str(e))
                assert snapshot(d)[""] == bad[""]
                newer.append((offset, value))
                continue
            with s:
                saved = check_saved(d, s, notice, bad, expected, [])
            assert saved == len(expected[0]), (offset, value, notice)
            opened += 1
    assert newer == [(63, 0xFF), (63, 2 ^ 0x5A)]
    figures(f"header damage: {opened} positions opened with every row")


@pytest.mark.parametrize("offset, value", [
    (16, b"\x00\x00"), (16, b"\x12\x34"), (16, b"\x20\x00"),  # page size: none, odd, 8192
    (18, b"\x03\x03"), (20, b"\x08"), (21, b"\x00\x00\x00"), (28, b"\xff\xff\xff\xff"),
    (44, b"\x00\x00\x00\x09"), (56, b"\x00\x00\x00\x02"), (60, b"\xff\xff\xff\xff"),
])
def test_named_header_fields_damaged(tmp_path, checkpointed, offset, value):
    files, expected = checkpointed
    bad = {"": damage(files[""], offset, value)}
    s, notice = open_damaged(tmp_path / "d", bad)
    with s:
        assert check_saved(tmp_path / "d", s, notice, bad, expected, []) == len(expected[0])
    assert notice and f"{len(expected[0]) + len(expected[1]) + len(expected[2])} of its rows" \
        in notice


# ---- the -wal --------------------------------------------------------------


def wal_damages(wal: bytes, rng: random.Random):
    """(label, start, bytes): the -wal header's fields, and each frame's header
    fields and page."""
    yield "wal magic", 0, b"\x00"
    yield "wal page size", 8, b"\x00\x00\x20\x00"
    yield "wal salt", 16, b"\x01"
    yield "wal checksum", 24, b"\x01"
    for at in range(32, len(wal) - FRAME + 1, FRAME):
        frame = (at - 32) // FRAME
        yield f"frame {frame} page number", at, b"\x00\x00\x7f\x01"
        commit = b"\x00\x00\x00\x00" if wal[at + 7] else b"\x00\x00\x00\x09"
        yield f"frame {frame} commit", at + 4, commit
        yield f"frame {frame} salt", at + 8, b"\xff"
        yield f"frame {frame} checksum", at + 16, b"\xff"
        yield f"frame {frame} page", at + 24 + 500, rng.randbytes(3000)


def test_every_wal_damage_is_kept_and_its_rows_saved(tmp_path, with_wal, figures):
    files, expected = with_wal
    rng = random.Random(3)
    wal_rows = {marker(i) for i in range(301, 307)}
    positions = wal_lost = said = 0
    for n, (label, start, new) in enumerate(wal_damages(files["-wal"], rng)):
        bad = dict(files, **{"-wal": damage(files["-wal"], start, new)})
        d = tmp_path / f"w{n}"
        s, notice = open_damaged(d, bad)
        with s:
            missing = wal_rows - {e.detail["m"] for e in s.events()}
            check_saved(d, s, notice, bad, expected, [("-wal", start, start + len(new))])
        wal_lost += len(missing)
        positions += 1
        said += notice is not None
        # A damaged -wal is always said and kept, unless the damage lies
        # where SQLite reads nothing that was committed.
        if notice is None:
            assert not missing, label
    figures(f"-wal damage: {positions} positions ({said} said and kept), {wal_lost} of "
          f"{6 * positions} rows that were only in the -wal lost")


def test_the_wal_is_kept_before_sqlite_writes_anything(tmp_path, with_wal):
    # Damage the first frame: SQLite alone would replay nothing and then
    # write over it; all six -wal rows must come back and the -wal, -shm
    # and file be kept exactly.
    files, expected = with_wal
    bad = dict(files, **{"-wal": damage(files["-wal"], 32 + 24 + 100, b"\xde\xad")})
    s, notice = open_damaged(tmp_path / "d", bad)
    with s:
        got = {e.detail["m"] for e in s.events()}
    assert {marker(i) for i in range(1, 307)} <= got
    assert notice and "rows were saved into a new one, and the damaged file was kept as" in notice
    (moved,) = [p for p in (tmp_path / "d").iterdir() if p.name.endswith("-wal") and
                ".corrupt-" in p.name]
    assert moved.read_bytes() == bad["-wal"]


def test_a_zero_length_wal_is_sound(tmp_path, checkpointed):
    files, expected = checkpointed
    good = dict(files, **{"-wal": b""})
    s, notice = open_damaged(tmp_path / "d", good)
    with s:
        assert notice is None
        assert len(s.events()) == len(expected[0])


def test_an_unfinished_last_transaction_is_not_damage(tmp_path, with_wal):
    # A crash mid-commit: frames of a transaction with no commit frame yet,
    # a commit frame's header written but not its page (SQLite writes them
    # in two writes), or a last frame cut short. SQLite drops them; nothing
    # acknowledged is lost, so nothing is said.
    files, expected = with_wal
    wal = files["-wal"]
    last = 32 + ((len(wal) - 32) // FRAME - 1) * FRAME
    assert wal[last + 4:last + 8] != bytes(4) and wal[last - FRAME + 4:last - FRAME + 8] == bytes(4)
    for n, tail in enumerate([wal[:-100], wal[:last], wal[:last + 24],
                              wal + wal[32:32 + FRAME][:-1]]):
        s, notice = open_damaged(tmp_path / f"d{n}", dict(files, **{"-wal": tail}))
        with s:
            assert notice is None, n
            got = {e.detail["m"] for e in s.events()}
        assert len(got) == 305 + (n == 3), n  # the last row, not committed, is gone


def test_a_wal_header_from_another_database_is_damage(tmp_path, with_wal):
    # Its salts match none of the frames, so SQLite would ignore them all.
    files, expected = with_wal
    other = tmp_path / "other"
    fill(other, 1, 3, kill=True)
    foreign = Path(f"{other / DB_NAME}-wal").read_bytes()[:32]
    bad = dict(files, **{"-wal": foreign + files["-wal"][32:]})
    s, notice = open_damaged(tmp_path / "d", bad)
    with s:
        got = {e.detail["m"] for e in s.events()}
    assert {marker(i) for i in range(1, 307)} <= got
    assert notice and "rows were saved" in notice


def test_a_whole_wal_from_another_smaller_database_is_not_replayed_over_ours(tmp_path,
                                                                             with_wal):
    # SQLite replays it (its frames are sound) and the file reads as the
    # other database; a checkpoint would then write it over ours for good.
    files, expected = with_wal
    other = tmp_path / "other"
    fill(other, 1, 3, kill=True, start=NOW + 10**7)  # the same ids, other times
    foreign = Path(f"{other / DB_NAME}-wal").read_bytes()
    bad = {"": files[""], "-wal": foreign}
    s, notice = open_damaged(tmp_path / "d", bad)
    with s:
        assert notice and "rows were saved" in notice
        # Ours come back unchanged; the other database's rows 1..3 do not
        # take the place of ours. Ours that were only in our -wal are gone
        # with it.
        check_saved(tmp_path / "d", s, notice, bad, expected, [])
        assert len(s.events()) == 300 + 1


# ---- the real app --------------------------------------------------------


def test_the_app_starts_on_a_damaged_file_and_says_so_in_one_line(tmp_path, cli_env,
                                                                   checkpointed):
    files, expected = checkpointed
    data = Path(cli_env["POSTURE_DATA_DIR"])
    data.mkdir()
    (data / DB_NAME).write_bytes(damage(files[""], 44, b"\x00\x00\x00\x09"))  # schema format
    env = {k: v for k, v in cli_env.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    log = tmp_path / "app.log"
    argv = [sys.executable, "-m", "posture_assistant"]
    with open(log, "wb") as out:
        app = subprocess.Popen([*argv, "--headless"], cwd=REPO, env=env, stdout=out,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and app.poll() is None:
            r = subprocess.run([*argv, "status", "--json"], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=60)
            if r.returncode == 0 and json.loads(r.stdout).get("running"):
                break
        assert app.poll() is None, log.read_text()
        total = sum(len(part) for part in expected)
        lines = [line for line in log.read_text().splitlines() if "damaged" in line]
        assert len(lines) == 1, log.read_text()
        assert (f"posture-assistant: The break database {clip(data / DB_NAME)} was damaged; "
                f"{total} "
                f"of its rows were saved into a new one, and the damaged file was kept as "
                f"{DB_NAME}.corrupt-") in lines[0]
        subprocess.run([*argv, "quit"], cwd=REPO, env=env, capture_output=True, timeout=60)
        app.wait(30)
    finally:
        if app.poll() is None:
            app.send_signal(signal.SIGTERM)
            app.wait(30)
    with Store.open(data, readonly=True)[0] as s:
        assert len(s.events()) >= len(expected[0])  # the salvaged rows, and the app's own
    assert os.listdir(data)  # the kept file is there


def test_a_recovery_cut_short_before_the_last_rename_is_finished(tmp_path, checkpointed,
                                                                  monkeypatch):
    files, expected = checkpointed
    d = tmp_path / "d"
    d.mkdir()
    (d / DB_NAME).write_bytes(damage(files[""], 44, b"\x00\x00\x00\x09"))
    real = os.replace

    def crash_on_the_last_rename(src, dst):
        if str(src).endswith(".salvage"):
            raise KeyboardInterrupt  # as good as a kill here: nothing after it runs
        real(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_the_last_rename)
    with pytest.raises(KeyboardInterrupt):
        Store.open(d)
    monkeypatch.setattr(os, "replace", real)
    assert not (d / DB_NAME).exists()  # moved aside; the new file not yet in place
    s, notice = Store.open(d)
    with s:
        assert notice is None
        assert len(s.events()) == len(expected[0])
    assert not (d / (DB_NAME + ".salvage")).exists()


def test_reading_damaged_bytes_never_raises_nor_makes_rows_up(checkpointed, with_wal):
    # The reader runs on whatever a damaged disk holds, on the way to the
    # app's start: any bytes at all must give rows of ours or none.
    from posture_assistant.storage import salvage

    rng = random.Random(11)
    for files, (events, runs, _meta) in (checkpointed, with_wal):
        by_id = {row[0]: row[1:] for row in events.values()}
        for _ in range(150):
            db, wal = bytearray(files[""]), bytearray(files.get("-wal", b""))
            for _hit in range(rng.randint(1, 40)):
                target = rng.choice([db, wal] if wal else [db])
                at = rng.randrange(len(target))
                target[at:at + rng.randint(1, 300)] = rng.randbytes(rng.randint(0, 300))
            found = salvage.rows(bytes(db), bytes(wal))
            for row_id, (ts, offset, kind, seconds, detail) in found.events.items():
                assert by_id[row_id] == (ts, offset, kind, seconds, json.loads(detail))
        assert salvage.rows(b"", b"").count == 0
        assert salvage.rows(rng.randbytes(50_000), rng.randbytes(9_000)).count == 0
