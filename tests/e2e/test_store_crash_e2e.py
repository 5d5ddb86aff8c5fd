"""kill -9 at random moments while the break database is written, with the
-wal restarted every few pages: an unfinished last transaction must never be
taken for damage (no notice, nothing moved aside), and no acknowledged row
may be lost. Needs no desktop; here for its length (a minute or so)."""
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from posture_assistant.storage.store import DB_NAME, Store

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 100

WRITER = """
import sys
from pathlib import Path
from posture_assistant.storage.store import Store
s, notice = Store.open(Path(sys.argv[1]))
assert notice is None, notice
# A checkpoint every 5 pages restarts the -wal over and over, so kills land
# on frames written over older generations too.
s._con.execute("PRAGMA wal_autocheckpoint=5")
n = int(sys.argv[2])
while True:
    event = s.record("done", 1.79e9 + n, detail={"n": n, "pad": "z" * 200})
    print(event.id, n, flush=True)  # acknowledged: record() returned
    n += 1
"""


def test_kill_9_mid_write_is_never_damage_and_loses_nothing(tmp_path):
    rng = random.Random(7)
    acknowledged: dict[int, int] = {}
    for r in range(ROUNDS):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path),
                                   str(100_000 * r)], cwd=REPO, stdout=subprocess.PIPE,
                                  text=True)
        time.sleep(rng.uniform(0.3, 0.8))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        assert writer.returncode == -9, out
        for line in out.split("\n")[:-1]:  # the last piece may be a line cut short
            row_id, n = line.split()
            acknowledged[int(row_id)] = int(n)
        assert Path(f"{tmp_path / DB_NAME}-wal").exists()
        s, notice = Store.open(tmp_path)
        with s:
            assert notice is None, f"round {r}: {notice}"
            got = {e.id: e.detail["n"] for e in s.events()}
            assert s._con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        lost = [i for i, n in acknowledged.items() if got.get(i) != n]
        assert not lost, f"round {r}: lost {lost[:5]}"
    assert len(acknowledged) > ROUNDS * 10
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
