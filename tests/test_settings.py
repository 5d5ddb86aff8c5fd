"""Settings from real TOML files and a controlled environment."""
from pathlib import Path

import pytest

from posture_assistant.storage.settings import SettingsError, describe, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    import os

    for var in list(os.environ):
        if var.upper().startswith("POSTURE_"):
            monkeypatch.delenv(var)
    # The default config file must not be a real user's.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults(tmp_path):
    loaded = load_settings()
    s = loaded.settings
    assert (s.break_interval, s.break_duration, s.reminder_interval) == (3600, 180, 600)
    assert s.snooze_options == [300, 900] and s.max_snoozes == 3
    assert s.notifications is True and s.tray_backend == "auto"
    assert s.data_dir.name == "posture-assistant"
    assert set(loaded.sources.values()) == {"default"}
    assert loaded.config_file == tmp_path / "xdg" / "posture-assistant" / "config.toml"
    assert not loaded.config_file_exists


def test_the_default_file_is_read(tmp_path):
    path = tmp_path / "xdg" / "posture-assistant" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('break_interval = "50m"\n')
    loaded = load_settings()
    assert loaded.settings.break_interval == 3000
    assert loaded.sources["break_interval"] == f"file {path} (break_interval)"


def test_file_overrides_defaults_and_env_overrides_file(tmp_path, monkeypatch):
    path = write(tmp_path, 'break_interval = "45m"\nmax_snoozes = 1\n'
                           'snooze_options = ["10m", 120]\nnotifications = false\n')
    monkeypatch.setenv("POSTURE_BREAK_INTERVAL", "PT30M")
    loaded = load_settings(path)
    s = loaded.settings
    assert s.break_interval == 1800
    assert s.max_snoozes == 1 and s.snooze_options == [120, 600] and s.notifications is False
    assert loaded.sources["break_interval"] == "env POSTURE_BREAK_INTERVAL"
    assert loaded.sources["max_snoozes"] == f"file {path} (max_snoozes)"
    assert loaded.sources["reminder_interval"] == "default"


def test_env_names_are_case_insensitive_and_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("posture_snooze_options", "15m, 5m,5m")
    assert load_settings().settings.snooze_options == [300, 900]


def test_config_flag_beats_the_env_file(tmp_path, monkeypatch):
    env_file = write(tmp_path, 'break_interval = "10m"\n')
    flag_file = tmp_path / "flag.toml"
    flag_file.write_text('break_interval = "20m"\n')
    monkeypatch.setenv("POSTURE_CONFIG_FILE", str(env_file))
    assert load_settings().settings.break_interval == 600
    assert load_settings(flag_file).settings.break_interval == 1200


def test_data_dir_is_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("POSTURE_DATA_DIR", "~/breaks")
    assert load_settings().settings.data_dir == tmp_path / "breaks"


@pytest.mark.parametrize("var, value, words", [
    ("BREAK_INTERVAL", "abc", ["break_interval = 'abc'", "env POSTURE_BREAK_INTERVAL",
                               "expected a duration"]),
    ("BREAK_INTERVAL", "0.5s", ["break_interval", "at least 1 second"]),
    ("BREAK_INTERVAL", "250000000000", ["break_interval", "at most 7d"]),
    ("SNOOZE_OPTIONS", "5m,8d", ["snooze_options", "at most 7d"]),
    ("CHECKLIST_REMINDER", "400d", ["checklist_reminder", "at most 366d"]),
    ("MAX_SNOOZES", "99", ["max_snoozes = '99'", "0 to 20"]),
    ("TRAY_BACKEND", "kde", ["tray_backend", "one of auto, sni, xorg, gtk, appindicator, none"]),
    ("NOTIFICATIONS", "maybe", ["notifications", "true or false"]),
    ("SNOOZE_OPTIONS", "5m,soon", ["snooze_options", "expected a duration"]),
    ("SNOOZE_OPTIONS", "1m,2m,3m,4m,5m", ["snooze_options", "1 to 4"]),
    ("DATA_DIR", " ", ["data_dir", "directory"]),
])
def test_bad_env_values_are_one_line(monkeypatch, var, value, words):
    monkeypatch.setenv(f"POSTURE_{var}", value)
    with pytest.raises(SettingsError) as e:
        load_settings()
    line = str(e.value)
    assert "\n" not in line
    for word in words:
        assert word in line


def test_bad_file_value_names_file_and_key(tmp_path):
    path = write(tmp_path, "max_snoozes = -3\n")
    with pytest.raises(SettingsError, match=rf"max_snoozes = -3 \(from {path}, key max_snoozes\)"):
        load_settings(path)


def test_unknown_key_in_file(tmp_path):
    path = write(tmp_path, 'brake_interval = "1h"\n')
    with pytest.raises(SettingsError, match="unknown setting 'brake_interval'.*break_interval"):
        load_settings(path)


def test_unknown_posture_env_vars_are_ignored(monkeypatch):
    monkeypatch.setenv("POSTURE_E2E", "required")
    assert load_settings().settings.break_interval == 3600


def test_toml_syntax_error_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "break_interval = \n")
    with pytest.raises(SettingsError, match=rf"cannot read config file {path}: .*line 1"):
        load_settings(path)


def test_missing_explicit_files_are_errors(tmp_path, monkeypatch):
    missing = tmp_path / "nope.toml"
    with pytest.raises(SettingsError, match=r"does not exist \(named by --config\)"):
        load_settings(missing)
    monkeypatch.setenv("POSTURE_CONFIG_FILE", str(missing))
    with pytest.raises(SettingsError, match=r"named by POSTURE_CONFIG_FILE"):
        load_settings()


def test_unreadable_file(tmp_path):
    path = tmp_path / "dir.toml"
    path.mkdir()  # reading a directory fails for root too
    with pytest.raises(SettingsError, match="cannot read config file"):
        load_settings(path)


def test_describe_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTURE_REMINDER_INTERVAL", "90")
    rows = {name: (value, source) for name, value, source in describe(load_settings())}
    assert rows["break_interval"] == ("1h", "default")
    assert rows["reminder_interval"] == ("1m30s", "env POSTURE_REMINDER_INTERVAL")
    assert rows["snooze_options"] == ("5m,15m", "default")
    assert rows["notifications"] == ("true", "default")
