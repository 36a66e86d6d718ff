"""Classic meta-analysis datasets for teaching, as pandas DataFrames.

Imports the standard library and pandas only (package data read with importlib.resources).

Sixteen study-level datasets of published meta-analyses, shipped as package data (the raw
files of the R data package metadat 1.7-2, with their provenance in ``data/SOURCES.md``).
Each ``load_<name>()`` returns a fresh DataFrame with the file's columns, in order; its
docstring lists the columns, the size and the original publication -- cite that publication
when you use the data.

>>> from metaevidence import datasets
>>> dat = datasets.load_bcg()
>>> dat.shape
(13, 9)
>>> sorted(datasets.list_datasets()["name"])[:3]
['bangertdrowns2004', 'bcg', 'collins1985a']

``list_datasets()`` gives the catalogue as a DataFrame; ``CATALOGUE`` holds the same
information as :class:`DatasetInfo` records; ``load(name)`` loads any dataset by name.
"""

from __future__ import annotations

import textwrap
from importlib import resources
from typing import TYPE_CHECKING

from metaevidence.datasets._catalogue import CATALOGUE, DatasetInfo

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CATALOGUE",
    "DatasetInfo",
    "list_datasets",
    "load",
    "sources",
    "load_bcg",
    "load_lau1992",
    "load_egger2001",
    "load_li2007",
    "load_yusuf1985",
    "load_collins1985a",
    "load_linde2005",
    "load_hartmannboyce2018",
    "load_hasselblad1998",
    "load_pritz1997",
    "load_hackshaw1998",
    "load_greenland1992",
    "load_normand1999",
    "load_raudenbush1985",
    "load_bangertdrowns2004",
    "load_molloy2014",
]


def _data_file(name: str):
    return resources.files("metaevidence.datasets").joinpath("data", name)


def load(name: str) -> pd.DataFrame:
    """The dataset ``name`` (a key of :data:`CATALOGUE`) as a new DataFrame.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"bcg"``; ``list_datasets()`` lists them.

    Returns
    -------
    pandas.DataFrame
        One row per line of the raw file; ``NA`` becomes a missing value; text columns
        are strings (identifiers such as yusuf1985's ``"1.10"`` keep their spelling).
    """
    import pandas as pd

    info = CATALOGUE.get(name)
    if info is None:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(sorted(CATALOGUE))}")
    text_columns = {c: "str" for c, kind, _ in info.columns if kind == "str"}
    with _data_file(info.file).open("r", encoding="utf-8") as fh:
        if info.file.endswith(".csv"):
            frame = pd.read_csv(fh, dtype=text_columns)
        else:
            frame = pd.read_csv(fh, sep=r"\s+", quotechar='"', dtype=text_columns)
    return frame


def list_datasets() -> pd.DataFrame:
    """The catalogue: one row per dataset with name, title, rows, columns, loader and source."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "name": i.name,
                "title": i.title,
                "rows": i.rows,
                "columns": len(i.columns),
                "loader": f"load_{i.name}()",
                "source": i.source,
            }
            for i in CATALOGUE.values()
        ]
    )


def sources() -> str:
    """The text of ``data/SOURCES.md``: every dataset's description, columns and citation."""
    return _data_file("SOURCES.md").read_text(encoding="utf-8")


def _document(loader, name: str) -> None:
    """Fill a loader's docstring from the catalogue: title, size, columns, source, example."""
    info = CATALOGUE[name]
    wrap = lambda text: textwrap.wrap(text, 84, break_on_hyphens=False)  # noqa: E731
    width = max(len(c) for c, _, _ in info.columns)
    rule = f"    {'=' * width}  =====  {'=' * 60}"
    table = [rule, f"    {'column'.ljust(width)}  type   meaning", rule]
    for column, kind, meaning in info.columns:
        parts = textwrap.wrap(meaning, 60)
        table.append(f"    {column.ljust(width)}  {kind.ljust(5)}  {parts[0]}")
        table += [f"    {' ' * width}         {more}" for more in parts[1:]]
    table.append(rule)
    lines = [f"{info.title}.", "", *wrap(info.description), ""]
    if info.note:
        lines += [*wrap(info.note), ""]
    lines += [
        f"Size: {info.rows} rows, {len(info.columns)} columns (file ``data/{info.file}``).",
        "",
        "Returns",
        "-------",
        "pandas.DataFrame",
        *table,
        "",
        "References",
        "----------",
        *wrap(info.source),
        "",
        "Examples",
        "--------",
        ">>> import metaevidence as me",
        f">>> dat = me.datasets.load_{name}()",
        ">>> dat.shape",
        f"({info.rows}, {len(info.columns)})",
    ]
    if info.example is not None:
        measure, arguments = info.example
        rows = info.rows
        if info.example_setup:
            lines.append(f">>> {info.example_setup}")
            rows = info.example_rows
        call = [f'>>> es = me.effect_sizes("{measure}", {arguments})']
        if len(call[0]) > 88:
            call = [">>> es = me.effect_sizes("] + [
                f"...     {part}" for part in textwrap.wrap(f'"{measure}", {arguments})', 76)
            ]
        lines += [*call, ">>> len(es)", f"{rows}"]
    loader.__doc__ = (
        "\n".join(f"    {line}" if line and i else line for i, line in enumerate(lines)) + "\n    "
    )


def load_bcg() -> pd.DataFrame:
    return load("bcg")


def load_lau1992() -> pd.DataFrame:
    return load("lau1992")


def load_egger2001() -> pd.DataFrame:
    return load("egger2001")


def load_li2007() -> pd.DataFrame:
    return load("li2007")


def load_yusuf1985() -> pd.DataFrame:
    return load("yusuf1985")


def load_collins1985a() -> pd.DataFrame:
    return load("collins1985a")


def load_linde2005() -> pd.DataFrame:
    return load("linde2005")


def load_hartmannboyce2018() -> pd.DataFrame:
    return load("hartmannboyce2018")


def load_hasselblad1998() -> pd.DataFrame:
    return load("hasselblad1998")


def load_pritz1997() -> pd.DataFrame:
    return load("pritz1997")


def load_hackshaw1998() -> pd.DataFrame:
    return load("hackshaw1998")


def load_greenland1992() -> pd.DataFrame:
    return load("greenland1992")


def load_normand1999() -> pd.DataFrame:
    return load("normand1999")


def load_raudenbush1985() -> pd.DataFrame:
    return load("raudenbush1985")


def load_bangertdrowns2004() -> pd.DataFrame:
    return load("bangertdrowns2004")


def load_molloy2014() -> pd.DataFrame:
    return load("molloy2014")


for _name in CATALOGUE:
    _document(globals()[f"load_{_name}"], _name)
del _name
