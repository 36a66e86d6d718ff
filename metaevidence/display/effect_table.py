"""The per-study table of a set of effect sizes, as text and HTML.

``EffectSizes.summary()`` returns an :class:`EffectSizesSummary`: each study's estimate, SE,
interval and how the row was obtained (zero-cell corrections, drops), optionally
back-transformed for display.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from metaevidence.core.effects import convert as _cv
from metaevidence.core.effects.measures import MEASURES
from metaevidence.display.transforms import presentation

__all__ = ["EffectSizesSummary"]


@dataclass(frozen=True, slots=True)
class EffectSizesSummary:
    """Display of an :class:`EffectSizes` (``str()`` for text, ``_repr_html_`` for notebooks).

    Attributes
    ----------
    effects : EffectSizes
    level : float
        Level of the per-study intervals.
    transform : str or None
        Back-transformation applied to estimates and intervals for display.
    digits : int
        Decimals shown.
    """

    effects: Any
    level: float
    transform: str | None
    digits: int

    def _table(self) -> tuple[list[str], list[list[str]], list[str]]:
        es = self.effects
        info = MEASURES[es.measure]
        z = float(_cv.normal_quantile_two_sided(self.level))
        lo, hi = es.yi - z * es.sei, es.yi + z * es.sei
        est = es.yi
        if self.transform is not None:
            back = presentation(self.transform, es.measure).array
            est, lo, hi = back(est), back(lo), back(hi)
            head = info.effect
        else:
            head = "yi"
        pct = f"{100 * self.level:g}% CI"
        d = self.digits
        header = ["Study", head, "SE" if self.transform is None else "SE (yi)", pct, "Source"]
        rows = []
        for i in range(len(es)):
            note = es.source[i]
            if es.corrected[i]:
                note += (
                    "; TACC increments added (zero cells)"
                    if es.add == "TACC"
                    else f"; {es.add:g} added (zero cells)"
                )
            if es.dropped[i]:
                rows.append([es.labels[i], "-", "-", "-", note])
            else:
                rows.append(
                    [
                        es.labels[i],
                        f"{est[i]:.{d}f}",
                        f"{es.sei[i]:.{d}f}",
                        f"[{lo[i]:.{d}f}, {hi[i]:.{d}f}]",
                        note,
                    ]
                )
        n_drop, n_corr = int(es.dropped.sum()), int(es.corrected.sum())
        lines = [
            f"Effect sizes: {info.description} ({es.measure}), {len(es)} "
            f"stud{'y' if len(es) == 1 else 'ies'}, {n_corr} corrected, {n_drop} dropped"
        ]
        if info.family in ("binary", "proportion", "rate"):
            add = "'TACC' (treatment-arm continuity correction)" if es.add == "TACC" else f"{es.add:g}"
            lines.append(f"Zero cells: add={add}, to={es.to!r}, drop00={es.drop00}")
        if es.group_labels is not None:
            lines.append(f"Groups: {es.group_labels[0]} vs {es.group_labels[1]}")
        if self.transform is not None:
            lines.append(f"Estimates and intervals shown as {self.transform}(yi)")
        return header, rows, lines

    def __str__(self) -> str:
        header, rows, lines = self._table()
        widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
        fmt = lambda r: "  ".join(  # noqa: E731
            c.ljust(w) if j in (0, 4) else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))
        )
        return "\n".join(line.rstrip() for line in [*lines, "", fmt(header), *(fmt(r) for r in rows)])

    def _repr_html_(self) -> str:
        header, rows, lines = self._table()
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
        caption = "<br>".join(esc(line) for line in lines)
        return (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
