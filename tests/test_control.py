"""The CLI <-> app channel over a real Unix socket."""
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from posture_assistant.storage import control, control_client, control_folder
from tests import hostile_clients
from posture_assistant.storage.control import ControlError, Server
from posture_assistant.storage.control_client import request


@pytest.fixture(autouse=True)
def runtime(monkeypatch):
    # Short, like a real /run/user/<uid>: pytest's own tmp paths are too deep
    # for a socket and would take the fallback.
    run = Path(tempfile.mkdtemp(prefix="pa-run-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    yield run
    shutil.rmtree(run, ignore_errors=True)


def test_round_trip_and_private_files(tmp_path, runtime):
    seen = []
    server = Server(tmp_path / "data", lambda req: seen.append(req) or {"ok": True, "echo": req})
    try:
        reply = request(tmp_path / "data", {"cmd": "status", "args": {}})
        assert reply == {"ok": True, "echo": {"cmd": "status", "args": {}}}
        folder = runtime / "posture-assistant"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        (key,) = folder.glob("*.key")
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    finally:
        server.close()
    assert request(tmp_path / "data", {"cmd": "status"}) is None  # files removed


def test_not_running_is_none(tmp_path):
    assert request(tmp_path / "data", {"cmd": "status"}) is None


def test_a_wrong_key_is_refused(tmp_path, runtime):
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    try:
        (key,) = (runtime / "posture-assistant").glob("*.key")
        key.write_bytes(b"x" * 32)
        with pytest.raises(ControlError):
            request(tmp_path / "data", {"cmd": "status"})
    finally:
        server.close()


def test_different_data_dirs_get_different_channels(tmp_path):
    a = Server(tmp_path / "a", lambda req: {"who": "a"})
    b = Server(tmp_path / "b", lambda req: {"who": "b"})
    try:
        assert request(tmp_path / "a", {"cmd": "status"})["who"] == "a"
        assert request(tmp_path / "b", {"cmd": "status"})["who"] == "b"
    finally:
        a.close()
        b.close()


def test_an_open_runtime_dir_is_refused(tmp_path, runtime):
    folder = runtime / "posture-assistant"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    with pytest.raises(ControlError, match="chmod 700"):
        request(tmp_path / "data", {"cmd": "status"})


@pytest.fixture
def no_runtime_dir(monkeypatch, tmp_path):
    """No XDG_RUNTIME_DIR; a temp dir shared with other users (like /tmp)
    and a state dir of the user's own, both of the test's own."""
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    shared = Path(tempfile.mkdtemp(prefix="pa-tmp-"))
    os.chmod(shared, 0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    state = Path(tempfile.mkdtemp(prefix="pa-state-", dir="/tmp"))
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    yield shared, state
    shutil.rmtree(shared, ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)


def test_without_xdg_runtime_dir_the_folder_is_in_the_users_own_state_dir(no_runtime_dir):
    _shared, state = no_runtime_dir
    assert control_folder.runtime_dir() == state / "posture-assistant" / "run"


def test_a_runtime_dir_of_others_is_not_used(no_runtime_dir, monkeypatch):
    _shared, state = no_runtime_dir
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/tmp")  # anybody can make folders there
    assert control_folder.runtime_dir() == state / "posture-assistant" / "run"


def _plant(path: Path, shape: str) -> None:
    """What another user might leave where a fixed name would be."""
    if shape == "dir":
        path.mkdir(mode=0o777)
        os.chmod(path, 0o777)
    elif shape == "file":
        path.write_text("mine")
    elif shape == "fifo":
        os.mkfifo(path)
    elif shape == "dangling link":
        path.symlink_to("/nonexistent/posture")
    if os.getuid() == 0:  # play the other user: nobody
        os.chown(path, 65534, 65534, follow_symlinks=False)


SHAPES = ["dir", "file", "fifo", "dangling link"]


@pytest.mark.parametrize("shape", SHAPES)
def test_what_another_user_planted_in_the_temp_dir_takes_nothing_away(
        tmp_path, no_runtime_dir, shape):
    shared, _state = no_runtime_dir
    # The fixed name earlier versions used.
    _plant(shared / f"posture-assistant-{os.getuid()}", shape)
    assert request(tmp_path / "data", {"cmd": "status"}) is None  # not running, no crash
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    try:
        assert request(tmp_path / "data", {"cmd": "status"}) == {"ok": True}
    finally:
        server.close()


def test_a_state_dir_too_deep_for_a_socket_gives_a_random_folder_kept_on_record(
        tmp_path, no_runtime_dir, monkeypatch):
    shared, _state = no_runtime_dir
    deep = Path(tempfile.mkdtemp(prefix="pa-deep-", dir="/tmp")) / ("d" * 80)
    monkeypatch.setenv("XDG_STATE_HOME", str(deep))
    try:
        # The client makes nothing: no folder yet means no app.
        assert request(tmp_path / "data", {"cmd": "status"}) is None
        assert list(shared.iterdir()) == []
        server = Server(tmp_path / "data", lambda req: {"ok": True})
        try:
            folder = control_folder.runtime_dir()
            assert folder.parent == shared and folder.name.startswith("posture-assistant-")
            assert folder.name != f"posture-assistant-{os.getuid()}"  # not a name to guess
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
            record = deep / "posture-assistant" / "run" / "socket-dir"
            assert record.read_text() == str(folder)
            assert stat.S_IMODE(record.stat().st_mode) == 0o600
            assert request(tmp_path / "data", {"cmd": "status"}) == {"ok": True}
            # A second app (another data dir) finds the same folder.
            other = Server(tmp_path / "other", lambda req: {"ok": "other"})
            try:
                assert control_folder.runtime_dir() == folder
                assert request(tmp_path / "other", {"cmd": "status"}) == {"ok": "other"}
            finally:
                other.close()
        finally:
            server.close()
    finally:
        shutil.rmtree(deep.parent, ignore_errors=True)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_recorded_folder_that_another_user_took_after_a_reboot_is_not_used(
        tmp_path, no_runtime_dir, monkeypatch, shape):
    shared, _state = no_runtime_dir
    deep = Path(tempfile.mkdtemp(prefix="pa-deep-", dir="/tmp")) / ("d" * 80)
    monkeypatch.setenv("XDG_STATE_HOME", str(deep))
    try:
        server = Server(tmp_path / "data", lambda req: {"ok": True})
        server.close()
        recorded = control_folder.runtime_dir()
        shutil.rmtree(recorded)  # the temp dir was emptied at boot...
        _plant(recorded, shape)  # ...and somebody made the name since
        assert request(tmp_path / "data", {"cmd": "status"}) is None
        server = Server(tmp_path / "data", lambda req: {"ok": True})
        try:
            assert control_folder.runtime_dir() != recorded
            assert request(tmp_path / "data", {"cmd": "status"}) == {"ok": True}
        finally:
            server.close()
    finally:
        shutil.rmtree(deep.parent, ignore_errors=True)


def test_a_file_where_the_folder_goes_is_one_line(tmp_path, no_runtime_dir):
    _shared, state = no_runtime_dir
    (state / "posture-assistant").mkdir()
    (state / "posture-assistant" / "run").write_text("")
    with pytest.raises(ControlError, match="must be a directory owned by you"):
        Server(tmp_path / "data", lambda req: {"ok": True})
    with pytest.raises(ControlError, match="must be a directory owned by you"):
        request(tmp_path / "data", {"cmd": "status"})


def test_a_runtime_dir_too_deep_for_a_socket_falls_back(tmp_path, no_runtime_dir, monkeypatch):
    _shared, state = no_runtime_dir
    deep = tmp_path / ("d" * 60)
    deep.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    assert control_folder.runtime_dir() == state / "posture-assistant" / "run"
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    try:
        assert request(tmp_path / "data", {"cmd": "status"})["ok"]
    finally:
        server.close()


def test_close_lets_the_reply_in_flight_go_out_first(tmp_path):
    # The app answers `quit`, then closes the channel and ends the process at
    # once: the reply must already be on its way when close() returns.
    import threading
    import time

    answered = threading.Event()

    def slow(req):
        answered.set()
        time.sleep(0.3)  # the loop is still putting the reply together
        return {"ok": True, "message": "quitting"}

    server = Server(tmp_path / "data", slow)
    replies = []
    client = threading.Thread(
        target=lambda: replies.append(request(tmp_path / "data", {"cmd": "status"})))
    client.start()
    assert answered.wait(5)
    started = time.monotonic()
    server.close()
    # Waited for the reply (the process may end right after close()).
    assert time.monotonic() - started >= 0.25
    client.join(5)
    assert replies == [{"ok": True, "message": "quitting"}]


def test_an_app_that_dies_mid_request_is_one_line_not_a_traceback(tmp_path):
    from multiprocessing.connection import Listener

    server = Server(tmp_path / "data", lambda req: {"ok": True})
    address, key_path, family = control_folder.channel(tmp_path / "data")
    server.close()
    key_path.write_bytes(b"k" * 32)
    # A listener that takes the request and hangs up without a reply.
    with Listener(address, family=family, authkey=b"k" * 32) as listener:
        import threading

        def hang_up():
            with listener.accept() as conn:
                conn.recv()

        t = threading.Thread(target=hang_up)
        t.start()
        with pytest.raises(control_client.AppStopped, match="stopped while answering") as stopped:
            request(tmp_path / "data", {"cmd": "status"})
        assert stopped.value.sent_at is not None  # it had the request
        t.join(5)


# ---- watchers ---------------------------------------------------------------------


def test_a_watcher_gets_the_status_then_every_publish_then_the_end(tmp_path):
    server = Server(tmp_path / "data", lambda req: {"ok": True, "status": req["cmd"]})
    try:
        assert not server.watched
        watching = control_client.watch(tmp_path / "data")
        assert watching.first == {"ok": True, "status": "watch"}
        assert server.watched
        server.publish({"n": 1})
        server.publish({"n": 2})
        assert watching.next(5) == {"n": 1} and watching.next(5) == {"n": 2}
        with pytest.raises(TimeoutError):
            watching.next(0.2)  # nothing is sent unless published
        # Other requests are answered as before, each on its own connection.
        assert request(tmp_path / "data", {"cmd": "status"}) == {"ok": True, "status": "status"}
    finally:
        server.close()
    assert watching.next(5) is None  # the app has gone: the window closes
    assert not server.watched


def test_a_change_published_while_the_watch_reply_is_on_its_way_follows_it(tmp_path):
    # The app makes the reply on one wake-up; a later wake-up may publish a
    # change before the accept thread has sent that reply. The window must
    # end up with the change, not with the older reply.
    def handle(req):
        assert server.watched  # so the app publishes meanwhile
        server.publish({"ok": True, "status": "newer"})
        return {"ok": True, "status": "older"}

    server = Server(tmp_path / "data", handle)
    try:
        watching = control_client.watch(tmp_path / "data")
        assert watching.first["status"] == "older"
        assert watching.next(5) == {"ok": True, "status": "newer"}
    finally:
        server.close()


def test_a_watcher_that_went_away_is_dropped_and_the_others_still_hear(tmp_path):
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    try:
        gone = control_client.watch(tmp_path / "data")
        staying = control_client.watch(tmp_path / "data")
        gone.close()  # its window closed (or was killed)
        server.publish({"n": 1})
        assert staying.next(5) == {"n": 1}
        staying.close()
        server.publish({"n": 2})
        assert not server.watched  # both dropped: nothing left to publish to
    finally:
        server.close()


def test_a_watcher_that_stops_reading_never_holds_up_the_app(tmp_path):
    import threading

    server = Server(tmp_path / "data", lambda req: {"ok": True})
    stuck = control_client.watch(tmp_path / "data")  # never reads again, like a hung window
    try:
        published = threading.Event()

        def publish():
            for _ in range(20):  # far more than a socket buffer holds
                server.publish({"big": "x" * 100_000})
            published.set()

        threading.Thread(target=publish, daemon=True).start()
        assert published.wait(5), "publish() waited for a window that does not read"
        assert not server.watched
    finally:
        stuck.close()  # lets a publish() stuck in send() out, should it be
        server.close()


def test_a_watch_the_app_could_not_answer_is_not_kept(tmp_path):
    server = Server(tmp_path / "data", lambda req: {"ok": False, "message": "busy"})
    try:
        watching = control_client.watch(tmp_path / "data")
        assert watching.first == {"ok": False, "message": "busy"}
        assert watching.next(5) is None
        assert not server.watched
    finally:
        server.close()



def test_watchers_past_the_most_let_the_oldest_go(tmp_path, monkeypatch):
    # Each holds a connection (a descriptor) of the app's for as long as it likes.
    monkeypatch.setattr(control, "MAX_WATCHERS", 3)
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    try:
        watching = [control_client.watch(tmp_path / "data") for _i in range(5)]
        server.publish({"n": 1})
        assert [w.next(5) for w in watching] == [None, None, {"n": 1}, {"n": 1}, {"n": 1}]
    finally:
        server.close()

# ---- hostile and broken clients ---------------------------------------------------


def _answers_within(seconds, data_dir, message=None):
    """request() in a thread of its own, so a hang fails the test, not the run."""
    import threading
    import time

    out = []
    started = time.monotonic()
    t = threading.Thread(target=lambda: out.append(
        request(data_dir, message or {"cmd": "status", "args": {}})), daemon=True)
    t.start()
    t.join(seconds)
    assert out, f"no answer within {seconds} s"
    return out[0], time.monotonic() - started


@pytest.mark.parametrize("kind", sorted(hostile_clients.KINDS))
def test_no_broken_or_hostile_connection_holds_up_the_next(tmp_path, kind):
    server = Server(tmp_path / "data", lambda req: {"ok": True, "cmd": req["cmd"]})
    address, key_path, _family = control_folder.channel(tmp_path / "data")
    crowd = hostile_clients.Crowd(address, key_path, 10, kinds=(kind,))
    try:
        reply, took = _answers_within(1.0, tmp_path / "data")
        assert reply == {"ok": True, "cmd": "status"}
        assert not crowd.failures
    finally:
        crowd.close()
        server.close()


@pytest.mark.parametrize("kind", hostile_clients.MALFORMED)
def test_a_malformed_request_is_answered_with_one_line(tmp_path, kind):
    hostile_clients.RAN.unlink(missing_ok=True)
    seen = []
    server = Server(tmp_path / "data", lambda req: seen.append(req) or {"ok": True})
    address, key_path, _family = control_folder.channel(tmp_path / "data")
    crowd = hostile_clients.Crowd(address, key_path, 1, kinds=(kind,))
    try:
        reply = crowd.reply(crowd.held[0])
        assert reply["ok"] is False
        assert reply["message"] and "\n" not in reply["message"]
        assert seen == []  # never handed to the app
        assert not hostile_clients.RAN.exists()  # nothing in it ran
        assert _answers_within(1.0, tmp_path / "data")[0] == {"ok": True}
    finally:
        crowd.close()
        server.close()


def test_hundreds_at_once_and_the_app_still_answers_at_once(tmp_path):
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    address, key_path, _family = control_folder.channel(tmp_path / "data")
    crowd = hostile_clients.Crowd(address, key_path, 300)
    try:
        reply, took = _answers_within(1.0, tmp_path / "data")
        assert reply == {"ok": True}
    finally:
        crowd.close()
        server.close()



def test_past_the_most_at_once_the_oldest_make_room(tmp_path, monkeypatch):
    # Any number of them: each new one pushes out the one that had longest.
    monkeypatch.setattr(control, "MAX_CONNECTING", 20)
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    address, key_path, _family = control_folder.channel(tmp_path / "data")
    crowd = hostile_clients.Crowd(address, key_path, 100, kinds=("silent",))
    try:
        assert _answers_within(1.0, tmp_path / "data")[0] == {"ok": True}
        assert len(server._transport._connecting) <= 20
    finally:
        crowd.close()
        server.close()

# ---- the client's own limits, and clients of older versions -----------------------


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(control_client, "CLIENT_TIME", 0.5)


def test_an_app_that_never_answers_is_one_line_within_the_time_limit(tmp_path, quick):
    import threading
    import time

    stuck = threading.Event()
    server = Server(tmp_path / "data", lambda req: stuck.wait(10) or {"ok": True})
    try:
        started = time.monotonic()
        with pytest.raises(ControlError, match=r"did not answer in 0.5 s; try again, and if it"):
            request(tmp_path / "data", {"cmd": "status"})
        assert time.monotonic() - started < 2
    finally:
        stuck.set()
        server.close()


def test_a_full_backlog_does_not_hang_the_client(tmp_path, quick):
    import socket
    import time

    server = Server(tmp_path / "data", lambda req: {"ok": True})
    address, key_path, _family = control_folder.channel(tmp_path / "data")
    server.close()
    key_path.write_bytes(b"k" * 32)
    # A listener that never accepts: its backlog fills up.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(0)
    waiting = []
    try:
        for _i in range(64):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(address)
            except BlockingIOError:
                s.close()
                break
            waiting.append(s)
        started = time.monotonic()
        with pytest.raises(ControlError, match="did not answer in 0.5 s"):
            request(tmp_path / "data", {"cmd": "status"})
        assert time.monotonic() - started < 2
    finally:
        for s in waiting:
            s.close()
        listener.close()


def test_a_client_of_an_older_version_still_works(tmp_path):
    # Older CLIs and windows use multiprocessing's own Client.
    from multiprocessing.connection import Client

    server = Server(tmp_path / "data", lambda req: {"ok": True, "cmd": req["cmd"]})
    address, key_path, family = control_folder.channel(tmp_path / "data")
    try:
        with Client(address, family=family, authkey=key_path.read_bytes()) as conn:
            conn.send({"cmd": "status", "args": {}})
            assert conn.recv() == {"ok": True, "cmd": "status"}
        with Client(address, family=family, authkey=key_path.read_bytes()) as conn:
            conn.send({"cmd": "watch"})
            assert conn.recv() == {"ok": True, "cmd": "watch"}
            server.publish({"n": 1})
            assert conn.poll(5) and conn.recv() == {"n": 1}
    finally:
        server.close()


def test_the_thread_per_connection_server_of_windows_works_too(tmp_path, monkeypatch):
    # Named pipes cannot go in a selector; the same server over threads,
    # run here over a Unix socket.
    monkeypatch.setattr(control, "_Selector",
                        lambda server, address: control._Threads(server, address, "AF_UNIX"))
    server = Server(tmp_path / "data", lambda req: {"ok": True, "cmd": req["cmd"]})
    address, key_path, _family = control_folder.channel(tmp_path / "data")
    crowd = hostile_clients.Crowd(address, key_path, 8, kinds=hostile_clients.MALFORMED)
    try:
        for sock in crowd.held:
            assert crowd.reply(sock)["ok"] is False
        assert request(tmp_path / "data", {"cmd": "status"}) == {"ok": True, "cmd": "status"}
        watching = control_client.watch(tmp_path / "data")
        server.publish({"n": 1})
        assert watching.next(5) == {"n": 1}
    finally:
        crowd.close()
        server.close()


def _wake_ups(thread) -> int:
    """How often `thread` has been woken (Linux)."""
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    return int(status.split("voluntary_ctxt_switches:")[1].split()[0])


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_the_server_sleeps_while_nothing_is_on_its_way(tmp_path, monkeypatch):
    import socket
    import time

    monkeypatch.setattr(control, "CONNECTION_TIME", 0.3)
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    address, _key, _family = control_folder.channel(tmp_path / "data")
    thread = server._transport._thread
    try:
        # One that connects and says nothing is given up at its deadline...
        silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        silent.connect(address)
        assert request(tmp_path / "data", {"cmd": "status"}) == {"ok": True}
        silent.settimeout(5)
        silent.recv(100)  # the challenge
        assert silent.recv(100) == b""  # then the end
        # ...and from then on nothing wakes the server.
        time.sleep(0.1)
        before = _wake_ups(thread)
        time.sleep(1.5)
        assert _wake_ups(thread) == before
    finally:
        server.close()


# ---- the CLI when the app stops in the middle of a request --------------------------


def _dying_app(data_dir: Path, record: str | None):
    """An app that takes one request, maybe records `record`, and dies
    before it answers: its socket is gone when the client hears the end."""
    import threading
    from multiprocessing.connection import Listener

    from posture_assistant.storage.store import Store

    server = Server(data_dir, lambda req: {"ok": True})
    address, key_path, family = control_folder.channel(data_dir)
    server.close()
    key_path.write_bytes(b"k" * 32)
    listener = Listener(address, family=family, authkey=b"k" * 32)

    def serve():
        conn = listener.accept()
        conn.recv()
        if record:
            store, _notice = Store.open(data_dir)
            with store:
                store.record(record, time.time())
        listener.close()  # the process is gone: nothing listens any more
        conn.close()

    import time

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t


def _cli(tmp_path, runtime, *args):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTURE_")}
    env.update(POSTURE_DATA_DIR=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(runtime),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run([sys.executable, "-m", "posture_assistant", *args], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("command, kind", [("done", "done"), ("break", "done"),
                                           ("snooze", "snoozed"), ("skip", "skipped"),
                                           ("pause", "paused"), ("resume", "resumed")])
def test_the_answer_was_saved_before_the_app_died_exit_0(tmp_path, runtime, command, kind):
    t = _dying_app(tmp_path / "data", kind)
    r = _cli(tmp_path, runtime, command)
    t.join(5)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (f"The app stopped while answering, but your `{command}` "
                                "was saved.")
    assert "Traceback" not in r.stderr


def test_the_answer_was_not_saved_before_the_app_died_exit_1(tmp_path, runtime):
    from posture_assistant.storage.store import Store

    # A `done` from before this request does not count.
    store, _notice = Store.open(tmp_path / "data")
    with store:
        store.record("done", 1000.0)
    t = _dying_app(tmp_path / "data", None)
    r = _cli(tmp_path, runtime, "done")
    t.join(5)
    assert r.returncode == 1
    assert r.stderr.strip() == ("posture-assistant: the app stopped while answering; your "
                                "`done` was not saved; start it with `posture-assistant` and "
                                "try again")


def test_quit_and_status_when_the_app_dies_on_them(tmp_path, runtime):
    t = _dying_app(tmp_path / "data", None)
    r = _cli(tmp_path, runtime, "quit")
    t.join(5)
    assert r.returncode == 0, r.stderr
    assert "not running now" in r.stdout
    t = _dying_app(tmp_path / "data", None)
    r = _cli(tmp_path, runtime, "status", "--json")
    t.join(5)
    assert r.returncode == 0, r.stderr
    import json

    assert json.loads(r.stdout)["running"] is False  # from the database


# ---- the wire ---------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_plain_data_of_every_pickle_protocol_is_read_back(protocol):
    import pickle

    from posture_assistant.app.status import build_status
    from posture_assistant.storage import control_wire

    status = build_status(now=1e9, counts={"done": 2, "skipped": 0}, data_dir="/d",
                          running=True, snooze_options=(300.0, 600.0))
    message = {"ok": True, "status": status, "nested": [(1, -2**70, None), {"ü": 1.5}]}
    assert control_wire.loads(pickle.dumps(message, protocol=protocol)) == message


@pytest.mark.parametrize("data", [
    hostile_clients.MEMO_BOMB,
    b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93.",
    b"", b"\x80", b"garbage", b"\x80\x04C\x03abc.",  # bytes are not plain data either
])
def test_anything_else_is_refused_without_being_unpickled(data):
    from posture_assistant.storage import control_wire

    with pytest.raises(ValueError):
        control_wire.loads(data)
