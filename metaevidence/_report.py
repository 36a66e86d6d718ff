"""Text and HTML rendering shared by the result types' ``summary()`` (display only).

Numbers are formatted here and nowhere else; nothing here changes a number. The layout
follows metafor's ``print.rma`` so that a reader who knows metafor finds every value
where they expect it.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

__all__ = ["Summary", "fmt", "fmt_p", "Table", "METHOD_NAMES", "TEST_NAMES", "transform_fn"]

#: Long names of the estimators (summary headings).
METHOD_NAMES = {
    "EE": "equal-effects", "FE": "fixed-effects", "DL": "DerSimonian-Laird",
    "HE": "Hedges", "HS": "Hunter-Schmidt", "SJ": "Sidik-Jonkman", "ML": "maximum likelihood",
    "REML": "restricted maximum likelihood", "EB": "empirical Bayes", "PM": "Paule-Mandel",
    "MH": "Mantel-Haenszel", "PETO": "Peto",
}
#: Long names of the tests.
TEST_NAMES = {
    "z": "normal (z) test",
    "knha": "Hartung-Knapp-Sidik-Jonkman (t) test",
    "adhoc": "Hartung-Knapp (t) test, never narrower than z",
}


def transform_fn(transform):
    """The presentation transform: None (identity) or "exp"."""
    if transform is None:
        return None
    if transform == "exp":
        return math.exp
    raise ValueError(f"transform must be None or 'exp'; got {transform!r}")


def fmt(x, digits: int = 4) -> str:
    """A float with ``digits`` decimals; NaN as "NA" (as R prints it)."""
    if x is None:
        return "NA"
    x = float(x)
    if math.isnan(x):
        return "NA"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return f"{x:.{digits}f}"


def fmt_p(p, digits: int = 4) -> str:
    """A p-value as metafor prints it: ``<.0001`` below 10^-digits."""
    if p is None or math.isnan(float(p)):
        return "NA"
    p = float(p)
    floor = 10.0 ** (-digits)
    if p < floor:
        return "<." + "0" * (digits - 1) + "1"
    return f"{p:.{digits}f}"


@dataclass(frozen=True, slots=True)
class Table:
    """A small table: a header row and string cells (right-aligned in text)."""

    header: tuple
    rows: tuple

    def text(self, indent: str = "") -> str:
        cols = list(zip(self.header, *self.rows))
        widths = [max(len(str(c)) for c in col) for col in cols]
        lines = ["  ".join(str(h).rjust(w) for h, w in zip(self.header, widths))]
        for row in self.rows:
            lines.append("  ".join(str(c).rjust(w) for c, w in zip(row, widths)))
        return "\n".join(indent + line.rstrip() for line in lines)

    def html(self) -> str:
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in self.header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in self.rows)
        return (f'<table class="metaevidence"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")


@dataclass(frozen=True, slots=True)
class Summary:
    """A rendered report: ``str()`` gives text, notebooks show ``_repr_html_()``.

    Attributes
    ----------
    title : str
    blocks : tuple
        Paragraphs (str) and tables (:class:`Table`), in order.
    """

    title: str
    blocks: tuple

    def __str__(self) -> str:
        parts = [self.title, ""]
        for b in self.blocks:
            parts.append(b.text() if isinstance(b, Table) else b)
            parts.append("")
        return "\n".join(parts).rstrip() + "\n"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        out = [f"<div class=\"metaevidence-summary\"><h4>{html.escape(self.title)}</h4>"]
        for b in self.blocks:
            if isinstance(b, Table):
                out.append(b.html())
            else:
                out.append("<p>" + html.escape(b).replace("\n", "<br>") + "</p>")
        out.append("</div>")
        return "".join(out)
