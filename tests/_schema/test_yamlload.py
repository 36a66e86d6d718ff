"""Safe YAML reading: line numbers, and every refusal with its own message and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metaevidence._schema.yamlload import MAX_DEPTH, YMap, YScalar, YSeq, parse_yaml, read_yaml, to_plain


def one(text, path=None):
    tree, problems = parse_yaml(text, path)
    return tree, [str(p) for p in problems]


def test_tree_keeps_lines_and_types():
    tree, problems = one("id: x\nn: 12\nr: 0.5\nok: true\nwhen: 2026-11-27\nitems:\n  - a\n  - {b: 1}\n")
    assert problems == []
    assert isinstance(tree, YMap) and tree.keys() == ["id", "n", "r", "ok", "when", "items"]
    assert tree.get("n") == YScalar(12, 2, "tag:yaml.org,2002:int")
    assert tree.get("when").value == dt.date(2026, 11, 27)
    items = tree.get("items")
    assert isinstance(items, YSeq) and [i.line for i in items.items] == [7, 8]
    assert to_plain(tree)["items"] == ["a", {"b": 1}]


def test_impossible_date_and_datetime_stay_text():
    tree, problems = one("a: 2026-13-45\nb: 2026-11-27 10:00:00\n")
    assert problems == []
    assert tree.get("a").value == "2026-13-45" and tree.get("b").value == "2026-11-27 10:00:00"


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n# another\n"])
def test_empty_file(text):
    tree, problems = one(text, Path("s/x.yaml"))
    assert tree is None
    assert problems == ["s/x.yaml:1: file is empty; a study record is a mapping that starts with 'id: ...'"]


def test_bom_is_accepted():
    tree, problems = one("\ufeffid: x\n".encode("utf-8"))
    assert problems == [] and tree.get("id").value == "x"


def test_non_utf8_says_byte_offset_and_line():
    raw = b"id: x\ntitle: caf" + b"\xe9\n"
    tree, problems = one(raw, Path("x.yaml"))
    assert tree is None
    assert problems == [
        "x.yaml:2: is not valid UTF-8 text: byte 0xe9 at byte offset 16 cannot be decoded; "
        "save the file as UTF-8"
    ]


def test_file_too_large_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 1_000_000 + b"\n")
    tree, problems = read_yaml(path)
    assert tree is None and len(problems) == 1
    assert problems[0].line is None
    assert "larger than the 1,000,000 bytes a study record may have" in problems[0].message


def test_max_bytes_is_a_parameter(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("id: abcdef\n")
    assert read_yaml(path, max_bytes=5)[1][0].message.startswith("file is 11 bytes, larger than the 5 bytes")
    assert read_yaml(path)[1] == []


def test_unreadable_path(tmp_path):
    tree, problems = read_yaml(tmp_path / "missing.yaml")
    assert tree is None and "cannot be read" in problems[0].message


def test_anchor_and_alias_are_refused():
    tree, problems = one("a: &x [1, 2]\nb: *x\n", Path("x.yaml"))
    assert tree is None
    assert problems == [
        "x.yaml:1: defines the anchor &x; anchors and aliases are not allowed in study records: write the value out in full",
        "x.yaml:2: uses the alias *x; anchors and aliases are not allowed in study records: write the value out in full",
    ]


def test_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    tree, problems = one("\n".join(lines) + "\n")
    assert tree is None and problems and all("anchor" in p or "alias" in p for p in problems)


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a: !!python/object:os.system {}\n", "!!python/object:os.system"),
        ("a: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("a: !custom 3\n", "!custom"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x: null}\n", "!!set"),
        ("a: !!omap [{x: 1}]\n", "!!omap"),
    ],
)
def test_tags_beyond_plain_yaml_are_refused(text, shown):
    tree, problems = one(text, Path("x.yaml"))
    assert problems == [
        f"x.yaml:1: the YAML tag {shown} is not allowed; study records use plain text, "
        "numbers, true/false, dates, lists and mappings only (safe YAML)"
    ]


def test_refused_scalar_is_marked_so_it_is_not_reported_twice():
    tree, _ = one("a: !custom 3\n")
    assert tree.get("a").refused and to_plain(tree) == {"a": None}


def test_explicit_plain_tags_are_fine():
    tree, problems = one("a: !!str 12\nb: !!int '7'\n")
    assert problems == [] and to_plain(tree) == {"a": "12", "b": 7}


def test_duplicate_keys_are_errors_first_kept():
    tree, problems = one("id: a\ndoi: 10.1/x\nyear: 2\ndoi: 10.1/y\n", Path("x.yaml"))
    assert problems == [
        "x.yaml:4: duplicate key 'doi' (first given on line 2); each key may appear only once"
    ]
    assert to_plain(tree)["doi"] == "10.1/x"


def test_keys_must_be_text():
    tree, problems = one("yes: 1\n2: b\n? [a]\n: c\nok: d\n", Path("x.yaml"))
    assert problems == [
        "x.yaml:1: a key must be text; got boolean true (YAML reads yes/no/on/off/true/false as booleans: quote the key)",
        "x.yaml:2: a key must be text; got number 2 (quote a number used as a key: '2')",
        "x.yaml:3: a key must be plain text; got a list",
    ]
    assert to_plain(tree) == {"ok": "d"}


def test_merge_key_is_refused():
    _tree, problems = one("a: 1\n<<: {b: 2}\n", Path("x.yaml"))
    assert problems == [
        "x.yaml:2: merge keys ('<<') are not allowed in study records: write the fields out in full"
    ]


def test_tabs_in_indentation_are_explained():
    _tree, problems = one("id: x\ncitation:\n\tyear: 2000\n", Path("x.yaml"))
    assert len(problems) == 1
    assert problems[0].startswith("x.yaml:3: YAML syntax error: found character")
    assert problems[0].endswith("tab characters are used for indentation on line(s) 3: indent with spaces")


def test_an_unquoted_colon_in_a_value_gets_the_hint_to_quote_it():
    _tree, problems = one("id: x\ntitle: Mutual aid: employment\n", Path("x.yaml"))
    assert len(problems) == 1
    assert problems[0].startswith("x.yaml:2: YAML syntax error: mapping values are not allowed")
    assert problems[0].endswith(
        "; the value of title contains ': ', which YAML reads as a new field: put the value in "
        'quotes (title: "...") or write it without the colon'
    )


def test_a_misindented_field_gets_the_indentation_hint():
    _tree, problems = one("id: x\ncitation:\n  title: a\n   year: 2020\n", Path("x.yaml"))
    assert len(problems) == 1
    assert problems[0].startswith("x.yaml:4: YAML syntax error: mapping values are not allowed")
    assert problems[0].endswith("; check the indentation and that each field is written 'key: value'")


def test_unclosed_flow_mapping():
    _tree, problems = one("id: x\ndata: {kind: binary\nz: 1\n", Path("x.yaml"))
    assert len(problems) == 1 and problems[0].startswith("x.yaml:")
    assert "YAML syntax error" in problems[0]


def test_more_than_one_document():
    _tree, problems = one("id: a\n---\nid: b\n", Path("x.yaml"))
    assert problems == [
        "x.yaml:2: holds more than one YAML document ('---'); a study record file holds exactly one study"
    ]


def test_deep_nesting_is_refused():
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    _tree, problems = one(text, Path("x.yaml"))
    assert problems == [
        f"x.yaml:1: is nested more than {MAX_DEPTH} levels deep; a study record needs about six"
    ]


def test_extremely_deep_nesting_is_a_problem_not_a_crash():
    _tree, problems = one("[" * 200_000 + "]" * 200_000)
    assert len(problems) == 1 and problems[0].startswith("<record>:1: is nested more than")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("id: x\nn: 2\n", []),
        ("a: &x 1\nb: *x\n", ["anchor", "alias"]),
        ("a: " + "[" * 40 + "]" * 40 + "\n", ["nested more than"]),
        ("a: 1\na: 2\n", ["duplicate key"]),
        ("a: !custom 1\n", ["YAML tag !custom"]),
        ("a: [1\n", ["YAML syntax error"]),
    ],
)
def test_pure_python_loader_behaves_the_same(monkeypatch, text, expected):
    """Without libyaml (CSafeLoader) the pure-Python SafeLoader gives the same problems."""
    import yaml

    from metaevidence._schema import yamlload

    monkeypatch.setattr(yamlload, "_Loader", yaml.SafeLoader)
    _tree, problems = parse_yaml(text)
    assert len(problems) == len(expected)
    for problem, word in zip(problems, expected):
        assert word in problem.message
