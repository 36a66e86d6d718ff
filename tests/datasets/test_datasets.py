"""metaevidence.datasets: every packaged file loads, cell for cell as in the raw file, with a
catalogue entry and docstring that match SOURCES.md."""

from __future__ import annotations

import csv
import re
import shlex
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from metaevidence import datasets
from metaevidence.datasets import CATALOGUE

DATA = resources.files("metaevidence.datasets").joinpath("data")
FILES = sorted(p.name for p in DATA.iterdir() if p.name.startswith("dat."))


def raw_rows(file: str) -> list[list[str]]:
    text = DATA.joinpath(file).read_text(encoding="utf-8")
    if file.endswith(".csv"):
        return list(csv.reader(text.splitlines()))
    return [shlex.split(line) for line in text.splitlines() if line.strip()]


def sources_sections() -> dict[str, str]:
    text = datasets.sources()
    return {s.split("\n", 1)[0].strip(): s for s in re.split(r"\n## ", text)[1:]}


def test_every_file_has_a_loader_and_catalogue_entry():
    assert sorted(info.file for info in CATALOGUE.values()) == FILES
    assert len(FILES) == 16
    for name in CATALOGUE:
        assert callable(getattr(datasets, f"load_{name}")), name
        assert f"load_{name}" in datasets.__all__
    assert "SOURCES.md" in {p.name for p in DATA.iterdir()}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_loads_cell_for_cell_as_the_raw_file(name):
    info = CATALOGUE[name]
    frame = getattr(datasets, f"load_{name}")()
    rows = raw_rows(info.file)
    header, body = rows[0], rows[1:]
    assert list(frame.columns) == header == [c for c, _, _ in info.columns]
    assert frame.shape == (info.rows, len(info.columns)) == (len(body), len(header))
    for j, (column, kind, _) in enumerate(info.columns):
        values = frame[column]
        raw = [r[j] for r in body]
        missing = [t == "NA" for t in raw]
        assert values.isna().tolist() == missing, column
        for token, value, gone in zip(raw, values, missing):
            if gone:
                continue
            if kind == "str":
                assert value == token, (column, token, value)
            else:
                assert float(value) == float(token), (column, token, value)
        if kind != "str":
            assert np.issubdtype(values.dtype, np.number), column


def test_a_few_cells_by_hand():
    bcg = datasets.load_bcg()
    assert bcg.loc[0, ["author", "year", "tpos", "tneg", "cpos", "cneg"]].tolist() == [
        "Aronson",
        1948,
        4,
        119,
        11,
        128,
    ]
    yusuf = datasets.load_yusuf1985()
    assert yusuf.loc[9, ["id", "trial"]].tolist() == ["1.10", "Fuccella"]  # not 1.1
    assert yusuf.loc[7, ["ai", "n1i"]].isna().all()  # Snow 1: NA
    hack = datasets.load_hackshaw1998()
    assert hack.loc[0, ["author", "or", "ci.lb", "ci.ub"]].tolist() == ["Garfinkel", 1.18, 0.90, 1.54]
    green = datasets.load_greenland1992()
    assert green.loc[0, "author"] == "Hiatt and Bawol" and green.loc[0, "b"] == 0.00434
    hass = datasets.load_hasselblad1998()
    assert hass.loc[0, ["authors", "trt", "xi", "ni"]].tolist() == ["Reid et al.", "no_contact", 75, 731]
    assert datasets.load_normand1999().loc[0, "source"] == "Edinburgh"


def test_catalogue_text_is_sources_md():
    """Descriptions, citations and column meanings are SOURCES.md's, except the columns where
    the raw file differs from the table there (said so in the entry's note)."""
    sections = sources_sections()
    differs = {
        ("bangertdrowns2004", "di"),
        ("hackshaw1998", "ci.lb"),
        ("hackshaw1998", "ci.ub"),
        ("raudenbush1985", "sei"),
    }
    for name, info in CATALOGUE.items():
        section = sections[f"dat.{name}"]
        lines = section.split("\n")
        assert info.description == lines[2], name
        source = re.search(r"^Source: (.*)$", section, re.M).group(1).replace("--", "-")
        assert info.source == source, name
        table = dict(re.findall(r"^\| (\S+) \| \w+ \| (.*) \|$", section, re.M))
        for column, _, meaning in info.columns:
            if (name, column) in differs:
                assert info.note, name
                continue
            assert meaning == table[column].replace("\\%", "%"), (name, column)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_docstring_documents_columns_size_and_source(name):
    info = CATALOGUE[name]
    doc = getattr(datasets, f"load_{name}").__doc__
    assert f"Size: {info.rows} rows, {len(info.columns)} columns" in doc
    for column, _, _ in info.columns:
        assert re.search(rf"^\s+{re.escape(column)}\s+(int|float|str)\s", doc, re.M), column
    doi = re.search(r"https://doi\.org/\S+", info.source)
    assert doi is None or doi.group(0) in doc.replace("\n    ", "")


def test_catalogue_frame_and_errors():
    table = datasets.list_datasets()
    assert isinstance(table, pd.DataFrame) and table.shape == (16, 6)
    assert table.set_index("name").loc["lau1992", "rows"] == 33
    with pytest.raises(
        ValueError,
        match=r"unknown dataset 'bcg1994'; available: "
        r"bangertdrowns2004, bcg, collins1985a",
    ):
        datasets.load("bcg1994")


def test_each_load_is_a_fresh_frame():
    a = datasets.load_bcg()
    a.loc[0, "tpos"] = 999
    assert datasets.load_bcg().loc[0, "tpos"] == 4
