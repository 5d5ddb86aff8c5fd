import os

import pytest


@pytest.fixture
def cli_env(tmp_path):
    """An environment for running our CLI as a subprocess: its own data,
    runtime, state and config dirs, and none of the caller's POSTURE_* settings.
    The runtime dir is short, like /run/user/<uid>: pytest's own tmp paths
    are too deep for a socket path."""
    import shutil
    import tempfile

    run = tempfile.mkdtemp(prefix="pa-run-")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("POSTURE_")}
    yield dict(clean, POSTURE_DATA_DIR=str(tmp_path / "data"), XDG_RUNTIME_DIR=run,
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"))
    shutil.rmtree(run, ignore_errors=True)


def spawn(tmp_path):
    """A Desktop._spawn for tests without a desktop: output to <tmp>/<name>.log."""
    import subprocess

    def run(name, argv, **kw):
        with open(tmp_path / f"{name}.log", "wb") as log:
            return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, **kw)

    return run


class Buses:
    """Real private dbus-daemons of a test's own, stopped after it."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.procs: dict[str, object] = {}

    def start(self, services=None) -> str:
        """A new bus's address; D-Bus activation only from the `services` folder."""
        from tests.desktop import start_bus

        folder = self.tmp / f"bus{len(self.procs)}"
        folder.mkdir()
        proc, address = start_bus(folder, spawn(folder), services)
        self.procs[address] = proc
        return address

    def stop(self, address: str) -> None:
        from tests.desktop import stop_bus

        stop_bus(self.procs[address])


@pytest.fixture
def buses(tmp_path):
    """Skips where there is no dbus-daemon or jeepney (not Linux)."""
    import shutil

    from tests.desktop import REQUIRED

    missing = [what for what, there in (("dbus-daemon", shutil.which("dbus-daemon")),
                                        ("jeepney", _importable("jeepney"))) if not there]
    if missing:
        if REQUIRED:
            pytest.fail(f"POSTURE_E2E=required but {missing} are missing", pytrace=False)
        pytest.skip(f"needs {' and '.join(missing)} (Linux with the dbus package)")
    made = Buses(tmp_path)
    yield made
    for address in made.procs:
        made.stop(address)


@pytest.fixture
def private_bus(buses):
    """The address of a real dbus-daemon of the test's own, with no activation."""
    return buses.start()


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.fixture
def session_bus(monkeypatch):
    """use(address): the app's shared D-Bus connection (`_dbus.session()`)
    is opened on `address` for this test, and closed after it."""
    from posture_assistant.adapters import _dbus

    monkeypatch.setattr(_dbus, "_shared", None)
    yield lambda address: monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    if _dbus._shared is not None:
        _dbus._shared.close()
