import os

import pytest


@pytest.fixture
def cli_env(tmp_path):
    """An environment for running our CLI as a subprocess: its own data,
    runtime and config dirs, and none of the caller's POSTURE_* settings."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("POSTURE_")}
    return dict(clean, POSTURE_DATA_DIR=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(run),
                XDG_CONFIG_HOME=str(tmp_path / "config"))


@pytest.fixture
def session_bus(tmp_path, monkeypatch):
    """A real, private D-Bus session bus (dbus-daemon) for this test, with
    no service activation; DBUS_SESSION_BUS_ADDRESS points at it."""
    import shutil
    import signal
    import subprocess

    from tests.desktop import DBUS_CONF, _read_line, unavailable

    if not shutil.which("dbus-daemon"):
        unavailable("dbus-daemon is not installed (package dbus)")
    conf = tmp_path / "dbus.conf"
    conf.write_text(DBUS_CONF.format(tmp=tmp_path))
    r, w = os.pipe()
    daemon = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork",
                               f"--print-address={w}"], pass_fds=(w,), start_new_session=True,
                              stderr=subprocess.DEVNULL)
    os.close(w)
    try:
        address = _read_line(r, 15, "dbus-daemon")
    finally:
        os.close(r)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    yield address
    os.killpg(daemon.pid, signal.SIGTERM)
    daemon.wait(5)
