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
    with pytest.raises(SettingsError, match=rf"max_snoozes = -3 \(from {path}\): .*0 to 20"):
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


# ---- input bounds: nothing in a config file or the environment may crash
# the app, hang it or fill its memory, and every error stays one short line.


def one_line(error: pytest.ExceptionInfo) -> str:
    line = str(error.value)
    assert "\n" not in line and len(line) <= 280, line
    return line


@pytest.mark.parametrize("text", [
    "a = " + "[" * 600 + "]" * 600,                    # past the parser's stack
    "a = " + "[" * 5000,                               # and unbalanced
    "a = " + "{b = " * 300 + "1" + "}" * 300,          # inline tables
    "a = " + "[" * 17 + "]" * 17,                      # parsed, but past our limit
    "data_dir." + "a." * 300 + "b = 1",                # dotted keys: no brackets at all
    "[" + ".".join(["t"] * 40) + "]\nx = 1",           # a table header
    "[[" + ".".join(["t"] * 40) + "]]\nx = 1",         # an array of tables
])
def test_deep_nesting_is_refused_in_one_line(tmp_path, text):
    path = write(tmp_path, text + "\n")
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    assert f"cannot read config file {path}: nested more than 16 levels deep" == one_line(e)


def test_deep_nesting_in_the_default_file_is_refused_too(tmp_path):
    path = tmp_path / "xdg" / "posture-assistant" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("a = " + "[" * 600 + "]" * 600 + "\n")
    with pytest.raises(SettingsError, match="nested more than 16 levels"):
        load_settings()


@pytest.mark.parametrize("text", [
    # Brackets in strings and comments are not nesting.
    'data_dir = "/tmp/' + "[{" * 600 + '"  # ' + "[" * 600 + "\n",
    "data_dir = '''/tmp/" + "[" * 600 + "'''\n",
    'working_hours = { mon = ["09:00-12:00", "13:00-17:00"] }\n',
    # 16 levels, the most there may be (the unknown key is the only error).
    "a = " + "[" * 15 + "]" * 15 + "\n",
])
def test_nesting_within_the_limit_and_brackets_in_strings_are_fine(tmp_path, text):
    path = write(tmp_path, text)
    if text.startswith("a ="):
        with pytest.raises(SettingsError, match="unknown setting 'a'"):
            load_settings(path)
    else:
        load_settings(path)


def test_config_files_must_be_regular_files(tmp_path, monkeypatch):
    for special in ("/dev/zero", "/dev/urandom", "/dev/tty"):
        monkeypatch.setenv("POSTURE_CONFIG_FILE", special)
        with pytest.raises(SettingsError) as e:
            load_settings()
        assert one_line(e).startswith(f"cannot read config file {special}: ")
        assert special == "/dev/tty" or one_line(e).endswith(": not a regular file")
    # /dev/null is the usual way to say "no file": defaults apply.
    monkeypatch.setenv("POSTURE_CONFIG_FILE", "/dev/null")
    assert set(load_settings().sources.values()) == {"default"}
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(SettingsError, match="a folder, not a file"):
        load_settings(folder)
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    with pytest.raises(SettingsError, match="not a regular file"):
        load_settings(link)
    # A link to a real file is followed.
    real = write(tmp_path, 'break_interval = "20m"\n')
    (tmp_path / "link.toml").symlink_to(real)
    assert load_settings(tmp_path / "link.toml").settings.break_interval == 1200
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "gone")
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(dangling)


def test_a_fifo_as_config_file_does_not_hang(tmp_path):
    import os
    import threading
    import time

    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)

    def writer():  # unblocks a reader stuck in open(), so a failure fails, not hangs
        time.sleep(5)
        with open(fifo, "w") as fh:
            fh.write("\n")
    threading.Thread(target=writer, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(SettingsError) as e:
        load_settings(fifo)
    assert time.monotonic() - started < 2
    assert one_line(e).endswith("not a regular file")


def test_config_files_have_a_size_limit(tmp_path):
    path = write(tmp_path, "# " + "x" * (1 << 20) + "\n")
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    assert one_line(e).endswith(": larger than 1 MiB")
    path.write_text("# " + "x" * 1000000 + '\nbreak_interval = "20m"\n')  # under 1 MiB
    assert load_settings(path).settings.break_interval == 1200


def test_a_config_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b'break_interval = "20m"\n# caf\xe9\n')
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    assert one_line(e) == f"cannot read config file {path}: not UTF-8 text (line 2)"


@pytest.mark.parametrize("toml, words", [
    ("data_dir = true", "data_dir = True"),
    ("data_dir = -1", "data_dir = -1"),
    ("data_dir = []", "data_dir = []"),
    ("data_dir = {}", "data_dir = {}"),
    ("data_dir = 2024-01-01", "data_dir = datetime.date(2024, 1, 1)"),
])
def test_data_dir_must_be_a_string(tmp_path, monkeypatch, toml, words):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, toml + "\n")
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    assert words in one_line(e) and "must be a directory path in quotes" in str(e.value)
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no folder "True"


@pytest.mark.parametrize("toml, words", [
    ('data_dir = "/tmp/a\\u0000b"', ["data_dir = '/tmp/a\\x00b'", "NUL"]),
    ('data_dir = ""', ["data_dir = ''", "must be a directory path"]),
    ('data_dir = "breaks"', ["data_dir = 'breaks'", "absolute path"]),
    ('data_dir = "~no-such-user-here/breaks"', ["home folder is unknown"]),
    ('data_dir = "/' + "x" * 5000 + '"', ["data_dir = '/xxx", "xxx'", "at most 4096 characters"]),
])
def test_bad_data_dirs(tmp_path, toml, words):
    path = write(tmp_path, toml + "\n")
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    line = one_line(e)
    for word in words:
        assert word in line


def test_a_nul_in_data_dir_is_one_line_in_status(tmp_path, cli_env):
    import subprocess
    import sys

    path = write(tmp_path, 'data_dir = "/tmp/a\\u0000b"\n')
    del cli_env["POSTURE_DATA_DIR"]
    r = subprocess.run([sys.executable, "-m", "posture_assistant", "--config", str(path),
                        "status"], env=cli_env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 1 and "NUL" in r.stderr


def test_snooze_options_count_what_is_given(monkeypatch, tmp_path):
    path = write(tmp_path, "snooze_options = [" + '"5m", ' * 26 + "]\n")
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    assert "1 to 4" in one_line(e)
    monkeypatch.setenv("POSTURE_SNOOZE_OPTIONS", "5m,300s,5m")  # within 4, so merged
    assert load_settings().settings.snooze_options == [300]
    monkeypatch.setenv("POSTURE_SNOOZE_OPTIONS", "," * 10000 + "5m" * 10000)
    with pytest.raises(SettingsError) as e:
        load_settings()
    one_line(e)


@pytest.mark.parametrize("name", ["break_interval", "snooze_options", "max_snoozes",
                                  "notifications", "data_dir", "working_hours",
                                  "tray_backend", "checklist_reminder"])
def test_long_values_are_cut_in_messages(monkeypatch, name):
    monkeypatch.setenv(f"POSTURE_{name.upper()}", "/" + "9" * 20000 + "x")
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert name in one_line(e) and "…" in str(e.value)


@pytest.mark.parametrize("toml, words", [
    ("notifications = 1", "true or false"),
    ("notifications = 0.0", "true or false"),
    ("max_snoozes = true", "0 to 20"),
    ("max_snoozes = 2.5", "0 to 20"),
    ("max_snoozes = 0x" + "f" * 4000, "0 to 20"),          # more digits than int() prints
    ("break_interval = true", "expected a duration"),
    ("break_interval = nan", "expected a duration"),
    ("break_interval = inf", "expected a duration"),
    ("break_interval = -5", "longer than 0"),
    ("break_interval = 1e400", "expected a duration"),
    ("break_interval = 9" + "9" * 5000, "a number with too many digits"),
    ('break_interval = ""', "expected a duration"),
    ("snooze_options = []", "1 to 4"),
    ('snooze_options = ""', "1 to 4"),
    ("snooze_options = [[]]", "expected a duration"),
    ("tray_backend = 1", "one of auto"),
    ("working_hours = 5", "working_hours"),
    ('working_hours = {mon = "' + "1" * 3000 + '"}', "working_hours"),
    ('"\\u0000" = 1', "unknown setting '\\x00'"),
    ("brake_interval = 1", "did you mean break_interval?"),
    ("colour = 1", "`posture-assistant config` lists the settings"),
])
def test_plainly_wrong_file_values(tmp_path, toml, words):
    path = write(tmp_path, toml + "\n")
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    assert words in one_line(e)
