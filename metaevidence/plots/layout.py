"""Measured text layout: widths from the renderer, truncation and wrapping, overlap checks.

Figures are laid out in inches from the measured size of every string they print (with
matplotlib's own Agg text engine and the bundled fonts), so columns are exactly as wide
as their widest cell and nothing is hand-placed. :func:`text_extents` and
:func:`overlapping_texts` let tests (and other figure modules) verify a rendered figure:
no two texts overlap and none falls outside the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ELLIPSIS",
    "TextMeasurer",
    "truncate",
    "wrap",
    "thin_labels",
    "text_extents",
    "overlapping_texts",
    "outside_figure",
    "layout_problems",
]

ELLIPSIS = "\u2026"
#: Widths measured so far, by resolution, shared by every :class:`TextMeasurer` of the process:
#: a run draws the same labels in its forest, cumulative and leave-one-out plots, and each
#: measurement is a FreeType layout of the string (the same inputs give the same width).
_WIDTHS: dict[float, dict[tuple[str, Any], float]] = {}
_MAX_WIDTHS = 200_000  # a long-lived process starts again rather than grow without bound


class TextMeasurer:
    """Widths and heights of single-line strings, in inches, as Agg renders them.

    Parameters
    ----------
    dpi : float, default 300
        Resolution of the measuring renderer; 300 matches PNG output (hinting makes
        widths differ by a fraction of a pixel between resolutions, which the column gaps
        absorb).
    """

    def __init__(self, dpi: float = 300.0):
        from matplotlib.backends.backend_agg import RendererAgg

        self._renderer = RendererAgg(1, 1, dpi)
        self._dpi = float(dpi)
        self._cache = _WIDTHS.setdefault(self._dpi, {})
        if len(self._cache) > _MAX_WIDTHS:
            self._cache.clear()

    def width(self, text: str, prop: Any) -> float:
        """Width of ``text`` (one line) in inches with FontProperties ``prop``."""
        if not text:
            return 0.0
        key = (text, prop)  # FontProperties compare and hash by value (family, size, file, ...)
        if key not in self._cache:
            w, _, _ = self._renderer.get_text_width_height_descent(text, prop, ismath=False)
            self._cache[key] = w / self._dpi
        return self._cache[key]

    def line_height(self, prop: Any) -> float:
        """Height of one line of text (ascent + descent of "lp", as matplotlib lays it out)."""
        _, h, _ = self._renderer.get_text_width_height_descent("lp", prop, ismath=False)
        return h / self._dpi


def truncate(text: str, max_width: float, measurer: TextMeasurer, prop: Any) -> str:
    """``text`` if it fits in ``max_width`` inches, else its longest prefix + "…" that does."""
    if measurer.width(text, prop) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # largest n with text[:n] + ELLIPSIS fitting
        mid = (lo + hi + 1) // 2
        if measurer.width(text[:mid].rstrip() + ELLIPSIS, prop) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


def wrap(text: str, max_width: float, measurer: TextMeasurer, prop: Any, *, max_lines: int = 2) -> list[str]:
    """Greedy word wrap into at most ``max_lines`` lines of ``max_width`` inches.

    Words longer than a line, and whatever does not fit in the last line, are truncated
    with an ellipsis, so the result always fits.
    """
    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if measurer.width(candidate, prop) <= max_width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[i:])
            break
    lines.append(current)
    return [truncate(line, max_width, measurer, prop) for line in lines]


def thin_labels(centres: Any, widths: Any, priority: Any, *, gap: float) -> list[int]:
    """Indices of labels to keep so that none touch: greedy in ``priority`` order.

    Parameters
    ----------
    centres, widths : sequence of float
        Centre and width of each label along the axis (same units, e.g. inches).
    priority : sequence of int
        Label indices, most important first (e.g. the no-effect tick, then the ends).
    gap : float
        Minimum clear space between kept labels.

    Returns
    -------
    list of int
        Kept indices, in priority order.
    """
    kept: list[int] = []
    for i in priority:
        lo, hi = centres[i] - widths[i] / 2, centres[i] + widths[i] / 2
        if all(
            hi + gap <= centres[j] - widths[j] / 2 or lo - gap >= centres[j] + widths[j] / 2 for j in kept
        ):
            kept.append(i)
    return kept


@dataclass(frozen=True, slots=True)
class TextExtent:
    """A visible text of a rendered figure and its box in display pixels."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def text_extents(fig: Any) -> list[TextExtent]:
    """Every visible, non-empty text of ``fig`` with its rendered bounding box.

    Draws the figure once on its Agg canvas (under the package's rc settings) and collects
    figure texts, axes texts, tick labels, axis labels and legend texts.
    """
    from matplotlib.text import Text

    from metaevidence.plots.output import style_context

    with style_context():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        out = []
        for artist in fig.findobj(Text):
            if not artist.get_visible() or not artist.get_text().strip():
                continue
            bbox = artist.get_window_extent(renderer)
            out.append(TextExtent(artist.get_text(), bbox.x0, bbox.y0, bbox.x1, bbox.y1))
    return out


def _extents(fig_or_extents: Any) -> list[TextExtent]:
    if isinstance(fig_or_extents, list):
        return fig_or_extents
    return text_extents(fig_or_extents)


def overlapping_texts(fig: Any, *, tolerance: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of texts of ``fig`` whose boxes overlap by more than ``tolerance`` pixels.

    ``fig`` may also be the list returned by :func:`text_extents` (to draw only once).
    """
    ext = _extents(fig)
    if len(ext) < 2:
        return []
    box = np.array([[e.x0, e.y0, e.x1, e.y1] for e in ext])
    overlap_x = np.minimum(box[:, None, 2], box[None, :, 2]) - np.maximum(box[:, None, 0], box[None, :, 0])
    overlap_y = np.minimum(box[:, None, 3], box[None, :, 3]) - np.maximum(box[:, None, 1], box[None, :, 1])
    hit = (overlap_x > tolerance) & (overlap_y > tolerance)
    i, j = np.nonzero(np.triu(hit, k=1))
    return [(ext[a].text, ext[b].text) for a, b in zip(i, j)]


def outside_figure(fig: Any, *, tolerance: float = 0.5) -> list[str]:
    """Texts of ``fig`` that extend beyond the figure edges (clipped when saved)."""
    width, height = fig.bbox.width, fig.bbox.height
    return [
        e.text
        for e in text_extents(fig)
        if e.x0 < -tolerance or e.y0 < -tolerance or e.x1 > width + tolerance or e.y1 > height + tolerance
    ]


def layout_problems(fig: Any, *, tolerance: float = 0.5) -> dict[str, list]:
    """Both checks from one drawing: ``{"overlapping": [...], "outside": [...]}``.

    Empty lists mean a clean layout; this is what the figure tests assert.
    """
    ext = text_extents(fig)
    width, height = fig.bbox.width, fig.bbox.height
    outside = [
        e.text
        for e in ext
        if e.x0 < -tolerance or e.y0 < -tolerance or e.x1 > width + tolerance or e.y1 > height + tolerance
    ]
    return {"overlapping": overlapping_texts(ext, tolerance=tolerance), "outside": outside}
