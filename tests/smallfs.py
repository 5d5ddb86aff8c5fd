"""A small real file system for disk-fault tests: a tmpfs of a few hundred
KB mounted in a user and mount namespace of the test's own (`unshare -rm`,
no root needed), where it can be filled, made read-only, unmounted.

`run(scenario, tmp, env)` runs this file inside such a namespace, which
mounts the tmpfs, runs the scenario (the real app and CLI, as processes),
and prints one JSON object: what the test asserts on. `call(function, tmp)`
runs a test's own function in there instead, with the tmpfs mounted at
tmp/disk: its assertions fail the test.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SIZE = "512k"


def _unshare() -> list[str]:
    # A user namespace needs no root; where they are turned off (Ubuntu
    # 24.04's AppArmor default), root can still have a mount namespace.
    return ["unshare", "-m"] if os.geteuid() == 0 and not _userns() else ["unshare", "-rm"]


def _userns() -> bool:
    try:
        return subprocess.run(["unshare", "-r", "true"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def unavailable(tmp: Path) -> str | None:
    """Why no tmpfs can be mounted in a namespace of our own here, or None."""
    if not shutil.which("unshare") or not shutil.which("mount"):
        return "needs unshare and mount (util-linux)"
    probe = tmp / "probe"
    probe.mkdir(exist_ok=True)
    try:
        r = subprocess.run([*_unshare(), "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                            str(probe)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unshare failed: {e}"
    if r.returncode:
        return ("user namespaces are not available here (unshare -rm mount: "
                f"{r.stderr.strip()[-200:]})")
    return None


def run(scenario: str, tmp: Path, env: dict[str, str], timeout: float = 240) -> dict:
    r = subprocess.run([*_unshare(), sys.executable, __file__, scenario, str(tmp)],
                       env=env, capture_output=True, text=True, timeout=timeout)
    if r.returncode:
        raise AssertionError(f"driver failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def call(function, tmp: Path, timeout: float = 120) -> None:
    """Run `function(disk)` (a module-level function of a test module) in a
    namespace of its own, with a tmpfs of SIZE at `disk`."""
    target = f"{function.__module__}:{function.__name__}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH")) if p))
    r = subprocess.run([*_unshare(), sys.executable, __file__, "call", str(tmp), target],
                       env=env, capture_output=True, text=True, timeout=timeout)
    if r.returncode:
        raise AssertionError(f"{target} failed in the namespace:\n{r.stdout}\n{r.stderr}")


def mount(disk: Path, *options: str) -> None:
    disk.mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join((f"size={SIZE}", "mode=700",
                                                             *options)), "tmpfs", str(disk)],
                   check=True, capture_output=True)


def fill(disk: Path) -> Path:
    """Fill the file system of `disk` with one file, returned (delete it to free)."""
    filler = disk / "filler"
    try:
        with open(filler, "ab") as f:
            while True:
                f.write(b"x" * 4096)
                f.flush()
    except OSError:
        pass  # ENOSPC: full
    return filler


def remount(disk: Path, how: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{how}", str(disk)], check=True,
                   capture_output=True)


# ---- inside the namespace ------------------------------------------------------


class Scene:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.disk = tmp / "disk"  # the mount point; the data dir is disk/data
        self.data = Path(os.environ["POSTURE_DATA_DIR"])
        self.log_path = tmp / "app.log"
        self.app: subprocess.Popen | None = None
        self.out: dict = {"steps": []}

    def sh(self, *argv: str) -> None:
        subprocess.run(argv, check=True, capture_output=True, text=True)

    def mount(self) -> None:
        mount(self.disk)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "posture_assistant", *args],
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    def status(self) -> dict:
        r = self.cli("status", "--json")
        return json.loads(r.stdout) if r.returncode == 0 else {}

    def wait(self, what: str, pred, timeout: float = 60) -> object:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got = pred()
            if got:
                return got
            time.sleep(0.2)
        raise SystemExit(f"timed out waiting for {what}; log:\n{self.log()}")

    def start(self) -> None:
        self.app = subprocess.Popen(
            [sys.executable, "-m", "posture_assistant", "run", "--headless"],
            stdin=subprocess.DEVNULL, stdout=open(self.log_path, "ab"),
            stderr=subprocess.STDOUT)
        self.wait("the app to answer", lambda: self.status().get("running")
                  or self.app.poll() is not None)
        if self.app.poll() is not None:
            raise SystemExit(f"the app exited with {self.app.returncode}:\n{self.log()}")

    def answer(self, verb: str = "done") -> None:
        """Wait for a prompt, answer it, note the reply and when it was given."""
        self.wait("a prompt", lambda: self.status().get("state") == "pending")
        before = time.time()
        r = self.cli(verb)
        self.out["steps"].append({"verb": verb, "code": r.returncode, "out": r.stdout,
                                  "err": r.stderr, "from": before, "to": time.time()})

    def fill(self) -> None:
        fill(self.disk)

    def rows(self) -> list[list]:
        db = self.data / "events.sqlite3"
        if not db.exists():
            return []
        try:
            con = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True, timeout=5)
            try:
                return [list(r) for r in con.execute("SELECT kind, ts FROM events ORDER BY id")]
            finally:
                con.close()
        except sqlite3.Error:
            return []

    def done_rows(self) -> int:
        return sum(1 for kind, _ in self.rows() if kind == "done")

    def seed(self, done: int = 1) -> None:
        """A returning user's database (the checklist offer made), with
        `done` answers in it, written and closed."""
        from posture_assistant.features.checklist import reminders
        from posture_assistant.storage.store import Store

        with Store.open(self.data)[0] as store:
            reminders.offer_made(store)
            for _ in range(done):
                store.record("done", time.time())

    def quit(self) -> None:
        self.out["quit"] = self.cli("quit").returncode
        try:
            self.out["exit"] = self.app.wait(60)
        except subprocess.TimeoutExpired:
            self.app.kill()
            self.out["exit"] = "hung"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def finish(self) -> None:
        if self.app is not None and self.app.poll() is None:
            self.app.kill()
        self.out.update(log=self.log(), rows=self.rows())
        print(json.dumps(self.out))


def full_while_running(s: Scene) -> None:
    s.mount()
    s.start()
    s.answer()
    s.fill()
    s.answer()
    s.answer()
    s.out["alive_while_full"] = s.app.poll() is None
    s.out["status_while_full"] = s.status()
    s.out["done_rows_while_full"] = s.done_rows()
    (s.disk / "filler").unlink()
    s.wait("the kept answers to land", lambda: s.done_rows() >= 3)
    s.quit()


def quit_while_full(s: Scene) -> None:
    s.mount()
    s.start()
    s.fill()
    s.answer()
    s.quit()


def start_full(s: Scene, existing: bool) -> None:
    s.mount()
    if existing:
        s.seed()
    s.fill()
    s.start()
    s.answer()
    s.out["status_while_full"] = s.status()
    (s.disk / "filler").unlink()
    s.wait("the kept answers to land", lambda: s.done_rows() >= 1 + existing)
    s.quit()


def read_only(s: Scene) -> None:
    s.mount()
    s.seed()
    remount(s.disk, "ro")
    s.start()
    s.answer()
    s.out["status_while_read_only"] = s.status()
    remount(s.disk, "rw")
    s.wait("the kept answers to land", lambda: s.done_rows() >= 2)
    s.quit()


def vanished(s: Scene) -> None:
    s.mount()
    s.start()
    s.answer()
    shutil.rmtree(s.data)
    s.answer()
    s.wait("the answer in a new database", lambda: s.done_rows() >= 1)
    s.quit()


def unmounted(s: Scene) -> None:
    # The disk is a tmpfs elsewhere, bind-mounted at disk/: unmounting the
    # bind and mounting it again brings back the same file system.
    store = s.tmp / "store"
    store.mkdir()
    s.sh("mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=700", "tmpfs", str(store))
    s.disk.mkdir()
    s.sh("mount", "--bind", str(store), str(s.disk))
    s.start()
    s.answer()
    s.sh("umount", "-l", str(s.disk))
    s.answer()
    s.out["created_in_mount_point"] = os.path.exists(s.data)
    s.sh("mount", "--bind", str(store), str(s.disk))
    s.wait("the kept answer to land", lambda: s.done_rows() >= 2)
    s.quit()


SCENARIOS = {
    "full_while_running": full_while_running,
    "quit_while_full": quit_while_full,
    "start_full_new": lambda s: start_full(s, existing=False),
    "start_full_existing": lambda s: start_full(s, existing=True),
    "read_only": read_only,
    "vanished": vanished,
    "unmounted": unmounted,
}


def _call(tmp: Path, target: str) -> None:
    import importlib

    module, name = target.split(":")
    mount(tmp / "disk")
    getattr(importlib.import_module(module), name)(tmp / "disk")


if __name__ == "__main__" and sys.argv[1] == "call":
    _call(Path(sys.argv[2]), sys.argv[3])
elif __name__ == "__main__":
    scene = Scene(Path(sys.argv[2]))
    try:
        SCENARIOS[sys.argv[1]](scene)
    finally:
        scene.finish()
