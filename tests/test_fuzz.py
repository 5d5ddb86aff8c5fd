"""Fuzzing everything a user (or a hostile neighbour) can hand the command
line: POSTURE_* environment values, config files (random bytes, TOML that
is well-formed but wrong, deep nesting, huge values, not UTF-8, FIFOs and
devices), every subcommand with random arguments, and answers files.

Whatever comes in, the promise of the CLI must hold (README, cli/__init__):
exit status 0, 1, 2 or 3, never a traceback, every line on stderr at most
300 characters, an error exactly one line, and an answer within 10 s.

Most examples run in this process (`cli.main(argv)`, which is fast); a
share run as real subprocesses of the installed command, for what only a
process shows: real exit codes, real stderr encoding, hangs. No example can
start a long-running app: `run` (the default command) is only tried with
settings that are known to be invalid, and the control commands find no
app, their runtime and data folders being fresh temporary ones.

POSTURE_FUZZ_EXAMPLES sets the number of in-process examples (default 1000;
a tenth as many again run as subprocesses). The examples are derandomized:
every run, in CI and here, tries the same ones, so a failure reproduces.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from posture_assistant import cli
from posture_assistant.storage.settings import Settings

EXAMPLES = int(os.environ.get("POSTURE_FUZZ_EXAMPLES", "1000"))
SUBPROCESS_EXAMPLES = max(10, EXAMPLES // 10)
HANG = 10  # seconds
MAX_LINE = 300
SETTINGS = list(Settings.model_fields)
MiB = 1 << 20

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(signal, "SIGALRM"),
                                reason="needs FIFOs and SIGALRM (POSIX)")

# ---- what goes in -----------------------------------------------------------

# Values a person might plausibly type, and values meant to break something.
PLAUSIBLE = [
    "5m", "90", "1h30m", "PT10M", "P1D", "0", "-1", "0.5s", "8d", "400000000000", "1e309",
    "nan", "inf", "-inf", "true", "false", "yes", "on", "1", "", " ", "[]", "{}", "null",
    "5m,15m", "5m," * 26, ",,,", "auto", "none", "sni", "kde", "mon-fri 09:00-17:00",
    "always", "sun-sat 00:00-24:00", "mon 25:00-26:00", "mon 10:00-09:00", "mon", "~",
    "~/x", "~nosuchuser/x", "relative/dir", "/", ".", "..", "\\", "'", '"', "\t", "\n",
    "a\nb", "\x1b[31mred", "%s%n", "{0}", "{name}", "\U0001f642", "\u202e", "\udcff",
    "tomorrow", "forever", "-", "--", "--help", "-h", "--version", "--json",
    "/" + "n" * 300 + "/data",  # a path the file system refuses: a name over 255 bytes
]
REPEATED = ["9", " ", "[", "{", "a", "1d ", "\u00e9", "\n", "5m,", "/x", "\\", "\udcfe"]


def _no_nul(text: str) -> str:
    return text.replace("\0", "")


hostile_text = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.builds(lambda part, n: part * n, st.sampled_from(REPEATED), st.integers(300, 20000)),
    # Bytes the way the OS hands over what is not UTF-8 (surrogateescape).
    st.binary(max_size=40).map(os.fsdecode),
).map(_no_nul)  # the OS cannot pass a NUL in argv or the environment


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML's, but for DEL, which TOML wants escaped too.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


toml_scalar = st.one_of(
    hostile_text.map(_toml_string),
    st.text(max_size=30).map(_toml_string),
    st.integers().map(str),
    st.integers(10 ** 10, 10 ** 40).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e309", "-0.0", "true", "false", "0x" + "f" * 4000,
                     "9" * 5000, "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
toml_value = st.recursive(
    toml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(st.sampled_from(["a", "b", "mon", "tue-fri", "x y"]), inner,
                        max_size=3).map(
            lambda d: "{" + ", ".join(f"{_toml_string(k)} = {v}" for k, v in d.items()) + "}"),
    ),
    max_leaves=12,
)
toml_key = st.one_of(
    st.sampled_from(SETTINGS),
    st.sampled_from(["brake_interval", "x", "a.b.c", '"\\u0000"', "data_dir.a",
                     "snooze_options.x", '"' + "k" * 5000 + '"']),
    st.text(max_size=10).map(_toml_string),
)


def _deep(kind: str, depth: int, key: str) -> str:
    if kind == "[":
        return f"{key} = " + "[" * depth + "]" * depth
    if kind == "[open":
        return f"{key} = " + "[" * depth
    if kind == "{":
        return f"{key} = " + "{a = " * depth + "1" + "}" * depth
    if kind == "dotted":
        return f"{key}." + "a." * depth + "b = 1"
    return "[" + ".".join([key] * depth) + "]\nx = 1"


# Settings that are right, so that examples get past loading them.
GOOD_TOML = ['break_interval = "45m"', "break_duration = 120", 'snooze_options = ["5m", 600]',
             "max_snoozes = 0", "notifications = false", 'tray_backend = "none"',
             'working_hours = "mon-fri 09:00-17:00"', "working_hours = { sat = \"10:00-12:00\" }",
             'checklist_reminder = "P7D"', 'max_deferral = "PT1M"', "reminder_interval = 60"]
deep_toml = st.builds(_deep, st.sampled_from(["[", "[open", "{", "dotted", "table"]),
                      st.sampled_from([2, 16, 17, 40, 450, 600, 3000, 100000]),
                      st.sampled_from(SETTINGS))
toml_text = st.one_of(
    st.lists(st.sampled_from(GOOD_TOML), max_size=4, unique=True).map("\n".join),
    # Well-formed, in the right shape, but with wrong (or right) values.
    st.lists(st.tuples(toml_key, toml_value).map(lambda kv: f"{kv[0]} = {kv[1]}"),
             max_size=6).map("\n".join),
    deep_toml,
    deep_toml,  # twice: the cause of the worst of the tracebacks issue 10 found
    st.text(max_size=200),
    hostile_text,
)


@st.composite
def file_bytes(draw, text: st.SearchStrategy[str]) -> bytes:
    how = draw(st.sampled_from(["text", "text", "text", "binary", "latin1", "huge"]))
    if how == "binary":
        return draw(st.binary(max_size=300))
    if how == "huge":
        return b"#" * (MiB + draw(st.integers(-10, 10))) + b"\n"
    data = draw(text).encode("utf-8", "surrogateescape")
    if how == "latin1":
        data += b"\n# caf\xe9\n"
    return data


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text,
              st.sampled_from(["yes", "no", "skip"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(
                                ["feet-supported", "back-supported", "screen-height"]),
                                hostile_text), inner, max_size=4)),
    max_leaves=10,
)
depths = st.sampled_from([1, 4, 5, 600, 3000, 100000])
answers_text = st.one_of(
    json_value.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.builds(lambda n: '{"a":' * n + "1" + "}" * n, depths),
    st.builds(lambda n: "[" * n, depths),
    st.sampled_from(['{"feet-supported": "yes"}', "{}", "[]", "", "nul", "1" * 5000,
                     '{"feet-supported": ' + "9" * 5000 + "}"]),
    hostile_text,
)

# Where a file argument points: the file made for the example, or something
# that is not a readable file of the right kind.
TARGETS = ["file"] * 10 + ["/dev/zero", "/dev/null", "fifo", "folder", "missing",
                           "link-to-zero", "dangling-link"]


def _args(command: str) -> st.SearchStrategy[list[str]]:
    if command == "status":
        return st.lists(st.just("--json"), max_size=1)
    if command == "snooze":
        return st.lists(hostile_text, max_size=1)
    if command == "pause":
        return st.lists(st.one_of(st.sampled_from(["tomorrow", "forever", "30m"]), hostile_text),
                        max_size=1)
    if command == "checklist":
        return st.sampled_from([[], ["--items"], ["--items", "--json"], ["--last"],
                                ["--last", "--json"], ["--history"], ["--history", "--json"],
                                ["--answers", "@answers"], ["--answers", "-"], ["--offer"],
                                ["--window"], ["--answers", "@answers", "--json"]])
    if command in ("autostart", "launcher"):
        return st.lists(st.one_of(st.sampled_from(["on", "off", "status", "--json"]),
                                  hostile_text), max_size=2)
    return st.just([])


@dataclass
class Case:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    config: bytes | None = None
    config_target: str = "file"
    config_named_by: str = "default"  # "default" (XDG_CONFIG_HOME), "env" or "flag"
    answers: bytes = b"{}"
    answers_target: str = "file"
    stdin: bytes = b""
    language: str = "en"
    strict_output: bool = False  # stdout as in most UTF-8 locales (C.UTF-8 is lenient)

    def __repr__(self) -> str:
        # Hypothesis prints a failing case: cut its 20 KB values to a readable size.
        def short(value):
            if isinstance(value, (str, bytes)) and len(value) > 80:
                return f"{value[:40]!r} ... ({len(value)} long) ... {value[-20:]!r}"
            if isinstance(value, list):
                return "[" + ", ".join(short(v) for v in value) + "]"
            if isinstance(value, dict):
                return "{" + ", ".join(f"{k}: {short(v)}" for k, v in value.items()) + "}"
            return repr(value)
        return "Case(" + ", ".join(f"{k}={short(v)}" for k, v in vars(self).items()) + ")"


@st.composite
def cases(draw) -> Case:
    if draw(st.integers(0, 9)) == 0:  # anything at all on the command line
        argv = draw(st.lists(hostile_text, max_size=4))
    else:
        command = draw(st.sampled_from([*cli.COMMANDS, "help", "stauts"]))
        argv = [command, *draw(_args(command))]
        if draw(st.integers(0, 4)) == 0:
            argv += draw(st.lists(hostile_text, min_size=1, max_size=2))
    env = {}
    if draw(st.booleans()):
        env = {f"POSTURE_{name.upper()}": draw(hostile_text)
               for name in draw(st.lists(st.sampled_from(SETTINGS), max_size=3, unique=True))}
    if draw(st.integers(0, 3)) == 0:  # the setting that names folders, more often
        env["POSTURE_DATA_DIR"] = draw(st.one_of(
            st.sampled_from(["/ok/data", "~/data", "data", "/" + "n" * 300 + "/data",
                             "/x" * 2100, "/" + "\u00e9" * 200 + "/d", "/a\nb", "/\udcff"]),
            hostile_text))
    case = Case(argv=argv, env=env, language=draw(st.sampled_from(["en", "de"])),
                strict_output=draw(st.booleans()))
    if draw(st.booleans()):
        case.config = draw(file_bytes(toml_text))
        case.config_target = draw(st.sampled_from(TARGETS))
        case.config_named_by = draw(st.sampled_from(["default", "env", "flag"]))
    if "@answers" in argv or draw(st.integers(0, 3)) == 0:
        case.answers = draw(file_bytes(answers_text))
        case.answers_target = draw(st.sampled_from(TARGETS))
        case.stdin = draw(st.one_of(file_bytes(answers_text), st.just(b"y\nn\ns\nq\n")))
    return case


# ---- how it runs --------------------------------------------------------------


@dataclass
class Result:
    code: object
    stdout: str
    stderr: str


def _place(tmp: Path, name: str, target: str, data: bytes) -> str:
    path = tmp / name
    if target == "file":
        path.write_bytes(data)
    elif target == "fifo":
        os.mkfifo(path)
    elif target == "folder":
        path.mkdir()
    elif target == "link-to-zero":
        path.symlink_to("/dev/zero")
    elif target == "dangling-link":
        path.symlink_to(tmp / "gone")
    elif target != "missing":
        return target  # /dev/zero, /dev/null
    return str(path)


def _safe_path(tmp: Path, value: str) -> str:
    # An absolute data_dir that happens to be valid must not make folders
    # outside the example's own (the tests may run as root).
    return str(tmp) + value if value.startswith("/") else value


def prepare(case: Case, tmp: Path) -> tuple[list[str], dict[str, str]]:
    """The argv and the environment for `case`, its files made in `tmp`."""
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith("POSTURE_")
           and k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    (tmp / "run").mkdir(mode=0o700)
    env.update(HOME=str(tmp / "home"), XDG_RUNTIME_DIR=str(tmp / "run"),
               XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "share"),
               XDG_STATE_HOME=str(tmp / "state"), XDG_CACHE_HOME=str(tmp / "cache"),
               DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp}/no-bus",
               POSTURE_DATA_DIR=str(tmp / "data"))
    for var, value in case.env.items():
        env[var] = _safe_path(tmp, value) if var == "POSTURE_DATA_DIR" else value
    argv = list(case.argv)
    if case.config is not None:
        if case.config_named_by == "default":
            (tmp / "config" / "posture-assistant").mkdir(parents=True)
            _place(tmp / "config" / "posture-assistant", "config.toml", case.config_target,
                   case.config)
        else:
            where = _place(tmp, "config.toml", case.config_target, case.config)
            if case.config_named_by == "env":
                env["POSTURE_CONFIG_FILE"] = where
            else:
                argv = ["--config", where, *argv]
    answers = _place(tmp, "answers.json", case.answers_target, case.answers)
    argv = [answers if a == "@answers" else a for a in argv]
    env.update(LANGUAGE=case.language, LC_ALL="C.UTF-8")
    if case.strict_output:
        env["PYTHONIOENCODING"] = "utf-8:strict"
    return argv, env


def _starts_the_app(argv: list[str], env: dict[str, str]) -> bool:
    """Whether `argv` would start a long-running app: `run` (or no command)
    with settings that load. `panel` is a window, `checklist --window` too:
    with no display they must refuse fast, and they are timed like the rest."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            args = cli._parser().parse_args(argv)
    except SystemExit:
        return False
    if (args.command or "run") != "run":
        return False
    from posture_assistant.storage.settings import load_settings

    with _environ(env):
        try:
            load_settings(getattr(args, "config", None))
        except Exception:  # a SettingsError, or a defect that main() will show
            return False
    return True


@contextlib.contextmanager
def _environ(env: dict[str, str]):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class Hang(BaseException):
    """A BaseException, so that no `except Exception` on the way swallows it."""


def _alarm(_signum, _frame):
    raise Hang(f"no answer in {HANG} s")  # not for users


def run_in_process(argv: list[str], env: dict[str, str], stdin: bytes) -> Result:
    from posture_assistant.i18n import use_language

    use_language(env["LANGUAGE"])  # the process's catalog is chosen once
    # Byte streams with the encoding a real process would get: a StringIO
    # takes what a strict terminal would refuse with a traceback.
    strict = env.get("PYTHONIOENCODING") == "utf-8:strict"
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8",
                           errors="strict" if strict else "surrogateescape")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="surrogateescape")
    try:
        with _environ(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                _stdin(fake_stdin):
            try:
                code = cli.main(argv)
            except SystemExit as e:  # argparse: --help, --version, a usage error
                code = 0 if e.code is None else e.code
    finally:
        use_language(None)
    out.flush()
    err.flush()
    return Result(code, out.buffer.getvalue().decode("utf-8", "replace"),
                  err.buffer.getvalue().decode("utf-8", "replace"))


@contextlib.contextmanager
def _time_limit(seconds: int):
    """Hang raised in this (the main) thread after `seconds`; a blocking
    open() or read() is interrupted by the signal, so this ends a hang too."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    # Then again every second, should anything still swallow the first.
    signal.setitimer(signal.ITIMER_REAL, seconds, 1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _stdin(stream):
    saved, sys.stdin = sys.stdin, stream
    try:
        yield
    finally:
        sys.stdin = saved


def _command() -> list[str]:
    script = Path(sys.executable).with_name("posture-assistant")
    return [str(script)] if script.exists() else [sys.executable, "-m", "posture_assistant"]


def run_subprocess(argv: list[str], env: dict[str, str], stdin: bytes) -> Result:
    try:
        r = subprocess.run([*_command(), *argv], env=env, input=stdin, capture_output=True,
                           timeout=HANG)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer in {HANG} s: {argv!r}")
    # As a terminal would show it; a strict decode would hide what was there.
    return Result(r.returncode, r.stdout.decode("utf-8", "replace"),
                  r.stderr.decode("utf-8", "replace"))


def check(result: Result, argv: list[str]) -> None:
    where = f"argv={[a[:60] for a in argv]!r}"  # not for users
    assert result.code in (0, 1, 2, 3), f"exit {result.code!r} {where}\n{result.stderr[:2000]}"
    assert "Traceback" not in result.stderr, f"{where}\n{result.stderr[-3000:]}"
    lines = result.stderr.splitlines()
    for line in lines:
        assert len(line) <= MAX_LINE, f"{len(line)} characters {where}: {line[:400]}"
    if result.code != 0:
        assert len(lines) == 1, f"exit {result.code} with {len(lines)} lines {where}: " \
                                f"{result.stderr[:1000]}"


# ---- the tests ------------------------------------------------------------------

# The defects issue 10's attack found, kept as examples so they stay fixed.
KNOWN = [
    Case(["config"], config=b"a = " + b"[" * 600 + b"]" * 600),
    Case(["run"], config=b"a = " + b"[" * 600 + b"]" * 600),
    Case(["checklist", "--answers", "@answers"], answers=b"\xff\xfe{}"),
    Case(["checklist", "--answers", "@answers"], answers=b'{"a":' * 2000 + b"1" + b"}" * 2000),
    Case(["status"], config=b'data_dir = "/tmp/a\\u0000b"'),
    Case(["config"], config=b"", config_target="/dev/zero", config_named_by="env"),
    Case(["config"], config=b"", config_target="fifo", config_named_by="flag"),
    Case(["checklist", "--answers", "@answers"], answers_target="fifo"),
    Case(["status"], env={"POSTURE_DATA_DIR": "/x" * 2500}),
    Case(["config"], config=b"snooze_options = [" + b'"5m",' * 26 + b"]"),
    Case(["snooze", "x" * 20000]),
    Case(["x" * 20000]),
    Case(["config"], env={"POSTURE_BREAK_INTERVAL": "1d" + " " * 5000 + "x"}),
]

_counts = {"in-process": 0, "subprocess": 0}
_seconds = {"in-process": 0.0, "subprocess": 0.0}


def _fuzz(case: Case, runner, kind: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="posture-fuzz-"))
    try:
        argv, env = prepare(case, tmp)
        started = time.monotonic()
        try:
            # A subprocess has its own limit of HANG s, which says more.
            with _time_limit(HANG if runner is run_in_process else HANG + 5):
                if _starts_the_app(argv, env):
                    argv = ["config"]  # loads the same settings, and returns
                result = runner(argv, env, case.stdin)
        except Hang as e:  # an AssertionError, for Hypothesis to shrink and show
            raise AssertionError(f"{e}: argv={[a[:60] for a in argv]!r}") from None
        _seconds[kind] += time.monotonic() - started
        _counts[kind] += 1
        # For --hypothesis-show-statistics: what the examples reached.
        event(f"exit {result.code}")
        event(f"first line: {(result.stderr.splitlines() or ['(none)'])[0][19:50]}")
        check(result, argv)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _with_known(test):
    for case in KNOWN:
        test = example(case=case)(test)
    return test


_settings = dict(derandomize=True, database=None, deadline=None, print_blob=True,
                 suppress_health_check=list(HealthCheck))


@settings(max_examples=EXAMPLES, **_settings)
@_with_known
@given(case=cases())
def test_fuzz_in_process(case):
    try:
        _fuzz(case, run_in_process, "in-process")
    except (AssertionError, pytest.fail.Exception):
        raise
    except Exception as e:  # escaped main(): a user would have seen a traceback
        raise AssertionError(f"traceback: {type(e).__name__}: {str(e)[:500]}") from e


@settings(max_examples=SUBPROCESS_EXAMPLES, **_settings)
@_with_known
@given(case=cases())
def test_fuzz_as_subprocesses(case):
    _fuzz(case, run_subprocess, "subprocess")


def test_fuzz_ran_every_example(figures):
    """The fuzz tests above ran as many examples as promised (hypothesis
    stops early when it believes it has seen every input), and their
    numbers go to the run's figures. Runs after them, in file order."""
    wanted = {"in-process": EXAMPLES, "subprocess": SUBPROCESS_EXAMPLES}
    for kind in _counts:
        figures(f"fuzz {kind}: {_counts[kind]} runs in {_seconds[kind]:.1f} s, "
                f"every one a clean exit")  # not for users
        assert _counts[kind] >= wanted[kind], (kind, _counts[kind])
