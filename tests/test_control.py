"""The CLI <-> app channel over a real Unix socket."""
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from posture_assistant.storage import control
from posture_assistant.storage.control import ControlError, Server, request


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
        assert request(tmp_path / "a", {})["who"] == "a"
        assert request(tmp_path / "b", {})["who"] == "b"
    finally:
        a.close()
        b.close()


def test_an_open_runtime_dir_is_refused(tmp_path, runtime):
    folder = runtime / "posture-assistant"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    with pytest.raises(ControlError, match="chmod 700"):
        request(tmp_path / "data", {"cmd": "status"})


def test_falls_back_to_the_temp_dir_without_xdg_runtime_dir(monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert control.runtime_dir().name == f"posture-assistant-{os.getuid()}"


def test_a_runtime_dir_too_deep_for_a_socket_falls_back(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 60)
    deep.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    assert control.runtime_dir().name == f"posture-assistant-{os.getuid()}"
    server = Server(tmp_path / "data", lambda req: {"ok": True})
    try:
        assert request(tmp_path / "data", {})["ok"]
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
    client = threading.Thread(target=lambda: replies.append(request(tmp_path / "data", {})))
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
    address, key_path, family = control._names(tmp_path / "data")
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
        with pytest.raises(ControlError, match="closed the connection without answering"):
            request(tmp_path / "data", {"cmd": "status"})
        t.join(5)
