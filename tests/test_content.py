import pytest

from posture_assistant.storage.content import ContentError, Suggestion, load_items, load_suggestions


def test_shipped_suggestions_validate_and_each_has_a_source():
    items = load_suggestions()
    assert len(items) >= 5
    for item in items:
        assert item.source.id.startswith("S") and item.source.title
    assert len({i.id for i in items}) == len(items)


def test_sources_exist_in_the_fact_sheet():
    """Every source id we cite is one the fact sheet lists (when it is beside us)."""
    from pathlib import Path

    sheet = Path(__file__).resolve().parents[2] / "shared" / "ergonomics.md"
    if not sheet.exists():
        pytest.skip("../shared/ergonomics.md is not beside this checkout")
    text = sheet.read_text()
    for item in load_suggestions():
        assert f"**{item.source.id}**" in text, item.id


@pytest.mark.parametrize("body, words", [
    ('[[suggestion]]\nid = "a"\ntext = "x"\n', ["suggestion 'a'", "field source", "Field required"]),
    ('[[suggestion]]\nid = "a"\ntext = ""\nsource = {id = "S1", title = "t"}\n',
     ["suggestion 'a'", "field text"]),
    ('[[suggestion]]\ntext = "x"\nsource = {id = "S1", title = "t"}\n', ["suggestion #1", "id"]),
    ('[[suggestion]]\nid = "a"\ntext = "x"\nsource = {id = "S1"}\n', ["field source.title"]),
    ('[[suggestion]]\nid = "a"\ntext = "x"\nsource = {id = "S1", title = "t"}\n' * 2,
     ["used twice"]),
    ("suggestion = [", ["cannot read"]),
    ("", ["has no [[suggestion]] items"]),
])
def test_a_broken_file_is_one_line_naming_item_and_field(tmp_path, body, words):
    path = tmp_path / "s.toml"
    path.write_text(body)
    with pytest.raises(ContentError) as e:
        load_items(path, "suggestion", Suggestion)
    line = str(e.value)
    assert "\n" not in line and str(path) in line
    for word in words:
        assert word in line
