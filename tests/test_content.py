import pytest

from posture_assistant.storage.content import (
    ContentError, Suggestion, load_checklist, load_items, load_suggestions,
)


def test_shipped_suggestions_validate_and_each_has_a_source():
    items = load_suggestions()
    assert len(items) >= 5
    for item in items:
        assert item.source.id.startswith("S") and item.source.title
    assert len({i.id for i in items}) == len(items)


def shipped_sources() -> dict[str, dict]:
    from posture_assistant.files import asset_path, read_toml

    return {s["id"]: s for s in read_toml(asset_path("sources.toml"))["source"]}


def test_the_source_list_ships_with_titles():
    sources = shipped_sources()
    assert len(sources) >= 30
    assert all(s["title"] for s in sources.values())


@pytest.mark.parametrize("load", [load_suggestions, load_checklist])
def test_every_cited_source_is_on_the_shipped_list(load):
    known = shipped_sources()
    for item in load():
        assert item.source.id in known, item.id


@pytest.mark.parametrize("body, words", [
    ('[[suggestion]]\nid = "a"\ntext = "x"\n',
     ["suggestion 'a'", "field source", "Field required"]),
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
