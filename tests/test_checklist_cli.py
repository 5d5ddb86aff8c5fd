"""`posture-assistant checklist` in a real subprocess, on a real database."""
import json
import subprocess
import sys

import pytest

from posture_assistant.storage.content import load_checklist


def cli(cli_env, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "posture_assistant", "checklist", *args],
                          env=cli_env, input=stdin, capture_output=True, text=True, timeout=30)


def last(cli_env):
    r = cli(cli_env, "--last", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_the_terminal_flow_through_stdin(cli_env):
    items = load_checklist()
    # yes, no, a typo that is asked again, not applicable, yes, then stop.
    r = cli(cli_env, stdin="y\nn\nmaybe\ns\nyes\nq\n")
    assert r.returncode == 0, r.stderr
    assert "Question 1 of" in r.stdout and "Please answer y, n, s or q." in r.stdout
    assert "Your workspace score: 66.7%" in r.stdout
    assert f"Fix: {items[1].fix}" in r.stdout
    result = last(cli_env)
    assert result["score"] == 66.7
    assert result["fixes"] == [{"id": items[1].id, "fix": items[1].fix}]
    assert result["answers"][items[0].id] == "yes" and result["answers"][items[2].id] == "skip"
    assert set(result) >= {"taken_at", "score", "answers", "fixes"}


def test_end_of_input_before_any_answer_saves_nothing(cli_env):
    r = cli(cli_env, stdin="")
    assert r.returncode == 0 and "nothing was saved" in r.stdout
    assert cli(cli_env, "--last").returncode == 1


def test_answers_from_a_file_and_from_stdin(cli_env, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"feet-supported": "yes", "back-supported": "no"}))
    assert cli(cli_env, "--answers", str(path)).returncode == 0
    assert last(cli_env)["score"] == 50
    r = cli(cli_env, "--answers", "-", stdin='{"back-supported": "yes"}')
    assert r.returncode == 0 and "better:" in r.stdout
    result = last(cli_env)
    assert result["score"] == 100 and result["fixes"] == []
    assert result["changes"] == {"better": ["back-supported"], "worse": []}


@pytest.mark.parametrize("stdin, words", [
    ('{"chair-colour": "yes"}', "unknown checklist item 'chair-colour'"),
    ('{"feet-supported": "sometimes"}', "'sometimes'"),
    ("not json", "not valid JSON"),
])
def test_bad_answers_exit_2_with_one_line(cli_env, stdin, words):
    r = cli(cli_env, "--answers", "-", stdin=stdin)
    assert r.returncode == 2
    assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert cli(cli_env, "--last").returncode == 1  # nothing saved


def test_a_missing_answers_file_exits_2(cli_env, tmp_path):
    r = cli(cli_env, "--answers", str(tmp_path / "none.json"))
    assert r.returncode == 2 and "cannot read the answers file" in r.stderr


def test_items_list_and_json(cli_env):
    r = cli(cli_env, "--items", "--json")
    items = json.loads(r.stdout)
    assert len(items) == len(load_checklist())
    assert set(items[0]) == {"id", "group", "question", "target", "fix", "source"}
    assert items[0]["source"]["id"] and items[0]["source"]["title"]
    text = cli(cli_env, "--items").stdout
    assert "feet-supported (Seat and feet)" in text and "Source: S1" in text


def test_history_compares_two_runs(cli_env):
    all_yes = {i.id: "yes" for i in load_checklist()}
    cli(cli_env, "--answers", "-", stdin=json.dumps(all_yes | {"leg-room": "no"}))
    r = cli(cli_env, "--answers", "-", stdin=json.dumps(all_yes | {"mouse-close": "no"}))
    assert "better: Can your thighs" in r.stdout and "worse: Is the mouse" in r.stdout
    history = json.loads(cli(cli_env, "--history", "--json").stdout)
    assert len(history) == 2 and history[0]["score"] == history[1]["score"] < 100
    assert len(cli(cli_env, "--history").stdout.strip().splitlines()) == 2
    assert last(cli_env)["changes"] == {"better": ["leg-room"], "worse": ["mouse-close"]}


# ---- bounds on the answers: one line, exit 2, nothing saved, never a hang.


def refused(cli_env, r, words):
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) <= 300 and words in lines[0], r.stderr
    assert cli(cli_env, "--last").returncode == 1  # nothing saved


def test_answers_that_are_not_utf8(cli_env, tmp_path):
    path = tmp_path / "answers.json"
    path.write_bytes(b'{"feet-supported":\n "caf\xe9"}')
    refused(cli_env, cli(cli_env, "--answers", str(path)), "not UTF-8 text (line 2)")
    r = subprocess.run([sys.executable, "-m", "posture_assistant", "checklist", "--answers", "-"],
                       env=cli_env, input=b"\xff\xfe{}", capture_output=True, timeout=30)
    r.stderr = r.stderr.decode()
    refused(cli_env, r, "not UTF-8 text (line 1)")


@pytest.mark.parametrize("text", [
    '{"a":' * 5000 + "1" + "}" * 5000,     # past the JSON parser's stack
    "[" * 100000,
    '{"feet-supported": [[[["yes"]]]]}',   # parsed, but deeper than answers are
])
def test_deeply_nested_answers(cli_env, tmp_path, text):
    path = tmp_path / "answers.json"
    path.write_text(text)
    refused(cli_env, cli(cli_env, "--answers", str(path)), "nested more than")
    refused(cli_env, cli(cli_env, "--answers", "-", stdin=text), "nested more than")


def test_answers_files_must_be_small_regular_files(cli_env, tmp_path):
    import os

    refused(cli_env, cli(cli_env, "--answers", "/dev/zero"), "not a regular file")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused(cli_env, cli(cli_env, "--answers", str(fifo)), "not a regular file")
    big = tmp_path / "big.json"
    big.write_text(" " * (1 << 20) + "{}")
    refused(cli_env, cli(cli_env, "--answers", str(big)), "larger than 1 MiB")
    refused(cli_env, cli(cli_env, "--answers", "-", stdin=" " * (1 << 20) + "{}"),
            "larger than 1 MiB")


@pytest.mark.parametrize("text, words", [
    ('{"' + "k" * 20000 + '": "yes"}', "unknown checklist item"),
    ('{"feet-supported": "' + "y" * 20000 + '"}', 'use "yes", "no" or "skip"'),
    ('{"feet-supported": {"a": 1}}', 'use "yes", "no" or "skip"'),
])
def test_long_or_odd_answers_are_cut_in_the_message(cli_env, text, words):
    r = cli(cli_env, "--answers", "-", stdin=text)
    refused(cli_env, r, words)
    assert "…" in r.stderr or "{" in r.stderr
