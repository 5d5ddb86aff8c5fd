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
