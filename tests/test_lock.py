import subprocess
import sys

from posture_assistant.storage.lock import InstanceLock


def test_one_holder_at_a_time_and_released_on_close(tmp_path):
    first, second = InstanceLock(tmp_path), InstanceLock(tmp_path)
    assert first.acquire()
    assert not second.acquire()
    assert second.holder_pid() is not None
    first.release()
    assert second.acquire()
    second.release()


def test_a_killed_holder_releases_the_lock(tmp_path):
    code = ("import os, signal; from pathlib import Path; "
            "from posture_assistant.storage.lock import InstanceLock; "
            f"assert InstanceLock(Path({str(tmp_path)!r})).acquire(); "
            "os.kill(os.getpid(), signal.SIGKILL)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == -9
    lock = InstanceLock(tmp_path)
    assert lock.acquire()
    lock.release()
