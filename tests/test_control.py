"""The CLI <-> app channel over a real Unix socket."""
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from posture_assistant import control
from posture_assistant.control import ControlError, Server, request


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
