"""The checklist's content and logic."""
import re

import pytest

from posture_assistant.features.checklist import model as checklist
from posture_assistant.storage.content import (
    GROUPS, ChecklistItem, ContentError, load_checklist, load_items,
)



def test_the_content_validates_with_20_to_30_sourced_items():
    items = load_checklist()
    assert 20 <= len(items) <= 30
    assert len({i.id for i in items}) == len(items)
    assert {i.group for i in items} == set(GROUPS)
    for item in items:
        assert item.source.id and item.source.title and item.fix and "?" in item.question


def test_the_three_questions_from_the_brief_come_first():
    first = [i.id for i in load_checklist()[:3]]
    assert first == ["feet-supported", "back-supported", "screen-eye-level"]


def test_no_unconfirmed_figure_is_used():
    # The fact sheet marks the 20-40 in / 50-100 cm screen range unconfirmed.
    for item in load_checklist():
        words = f"{item.question} {item.target} {item.fix}"
        assert not re.search(r"100 ?cm|40 ?in", words), item.id


def test_score_counts_only_answered_applicable_items():
    assert checklist.score({"a": "yes", "b": "no", "c": "skip", "d": "yes"}) == 66.7
    assert checklist.score({"a": "yes"}) == 100
    assert checklist.score({"a": "skip"}) is None


def test_fixes_and_changes():
    items = load_checklist()
    answers = {i.id: "yes" for i in items} | {"feet-supported": "no"}
    assert checklist.fixes(items, answers) == [
        {"id": "feet-supported", "fix": items[0].fix}]
    delta = checklist.changes({"a": "no", "b": "yes", "c": "skip"},
                              {"a": "yes", "b": "no", "c": "no", "d": "no"})
    assert delta.as_dict() == {"better": ["a"], "worse": ["b"]}


def test_parse_answers_fills_the_rest_with_skip():
    items = load_checklist()
    answers = checklist.parse_answers('{"feet-supported": "no"}', items)
    assert answers["feet-supported"] == "no"
    assert set(answers.values()) == {"no", "skip"} and len(answers) == len(items)


@pytest.mark.parametrize("text, words", [
    ('{"nope": "yes"}', "unknown checklist item 'nope'"),
    ('{"feet-supported": "maybe"}', "'maybe'"),
    ("[1]", "JSON object"),
    ("{", "not valid JSON"),
])
def test_parse_answers_rejects_bad_input_in_one_line(text, words):
    with pytest.raises(checklist.AnswersError) as e:
        checklist.parse_answers(text, load_checklist())
    assert words in str(e.value) and "\n" not in str(e.value)


def test_a_broken_checklist_file_names_the_item_and_field(tmp_path):
    path = tmp_path / "checklist.toml"
    path.write_text('[[item]]\nid = "chair"\ngroup = "kitchen"\nquestion = "Q?"\nfix = "F"\n'
                    'source = { id = "S1", title = "T" }\n')
    with pytest.raises(ContentError, match=r"item 'chair', field group") as e:
        load_items(path, "item", ChecklistItem)
    assert "\n" not in str(e.value)
