"""Extra study columns of a forest plot: metafor's ``ilab``, meta's ``leftcols``.

:func:`study_columns` turns the ``columns=`` argument of
:func:`~metaevidence.plots.forest_plot` / :func:`~metaevidence.plots.forest_table` into
(header, one value per study) pairs; :func:`column_cells` formats them, one text per row of
the plot (blank on rows that show no study). Values are shown as given: numbers right-aligned
(whole numbers without decimals, others with up to 4 significant digits), text left-aligned,
a missing value blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from metaevidence.plots import labels as lab

__all__ = ["StudyColumn", "study_columns", "column_cells", "header_of"]

#: (header, values): one value per study of the result, in the result's order.
StudyColumn = tuple[str, tuple[Any, ...]]


def header_of(name: str) -> str:
    """The default header of a ``study_info`` name or record field path: its last part,
    underscores as spaces, first letter upper-case ("attributes.follow_up_years" ->
    "Follow up years", "citation.year" -> "Year").
    """
    last = name.rsplit(".", 1)[-1].replace("_", " ").strip()
    return last[:1].upper() + last[1:] if last else name


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def study_columns(columns: Any, effects: Any, n: int) -> tuple[StudyColumn, ...]:
    """The ``columns=`` argument resolved to (header, values) pairs of ``n`` values each.

    Each item is a name of ``effects.study_info`` (e.g. "year", "design",
    "attributes.dose") or a pair (header, values).
    """
    if columns is None:
        return ()
    if isinstance(columns, str) or not isinstance(columns, Sequence):
        raise TypeError(
            "columns must be a sequence of study_info names or (header, values) pairs, e.g. "
            f"['year'] or [('Dose', [10, 20, 40])]; got {columns!r}"
        )
    info = getattr(effects, "study_info", None) or {}
    out = []
    for item in columns:
        if isinstance(item, str):
            if item not in info:
                raise ValueError(
                    f"columns: {item!r} is not a study attribute of this result; available in "
                    f"result.effects.study_info: {', '.join(sorted(info)) or 'none'} (or pass a "
                    "(header, values) pair)"
                )
            header, values = header_of(item), info[item]
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            header, values = item
        else:
            raise TypeError(f"each column must be a study_info name or a (header, values) pair; got {item!r}")
        values = tuple(np.asarray(values, dtype=object).ravel().tolist())
        if len(values) != n:
            raise ValueError(
                f"column {header!r} has {len(values)} values for {n} studies; give one per study"
            )
        out.append((header, tuple(None if _missing(v) else v for v in values)))
    return tuple(out)


def _text(v: Any) -> str:
    if _missing(v):
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float, np.integer, np.floating)):
        return lab.format_value(float(v))
    return str(v)


def column_cells(values: Sequence[Any]) -> tuple[list[str], str]:
    """The texts of one extra column (one per plot row; "" where no study) and its alignment:
    "right" when every value is a number, else "left".
    """
    present = [v for v in values if not _missing(v)]
    numeric = all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in present
    )
    return [_text(v) for v in values], "right" if numeric else "left"
