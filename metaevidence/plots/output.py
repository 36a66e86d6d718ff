"""Building figures without pyplot, and saving them byte-for-byte reproducibly.

Every metaevidence figure is a ``matplotlib.figure.Figure`` attached to its own Agg
canvas (no pyplot, no current-figure state). :func:`save_figure` and
:func:`figure_bytes` write SVG, PNG (300 dpi by default) and PDF deterministically: the same
figure gives the same bytes on every run, because

* dates are removed from the metadata (SVG ``Date``, PDF ``CreationDate``/``ModDate``),
  and the ``Creator``/``Producer``/``Software`` entries name only package versions;
* SVG element ids come from a fixed hash salt (``svg.hashsalt``) under ``rc_context``;
* fonts are matplotlib's bundled DejaVu Sans loaded by file (see :mod:`.style`), so text is
  measured and laid out, and PNG glyphs drawn, from the same font file on every machine.

SVG text is written as ``<text>`` elements (``svg.fonttype: none``), not as glyph paths, so a
figure's labels can be searched, copied and edited in a vector editor; their
``font-family`` is :data:`SVG_FONT_FAMILIES`, DejaVu Sans first, then fonts of similar width
that a machine without DejaVu has. PDF embeds the TrueType font (``pdf.fonttype`` 42), so its
text is text too.

Files are written to a temporary file next to the target and renamed into place, so an
interrupted save never leaves a half-written figure.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from metaevidence._fileio import atomic_write
from metaevidence.plots import style

__all__ = [
    "FORMATS",
    "DEFAULT_DPI",
    "SVG_FONT_FAMILIES",
    "new_figure",
    "style_context",
    "figure_bytes",
    "save_figure",
]

#: Output formats and the file suffixes that select them.
FORMATS = ("svg", "png", "pdf")
#: Resolution of PNG output (dots per inch); publication quality.
DEFAULT_DPI = 300
#: The ``font-family`` list of SVG text, in order of preference: the font the figure was laid
#: out with (DejaVu Sans; Bitstream Vera Sans has the same metrics), then the wide sans-serif
#: fonts of Windows and macOS (Verdana), the common ones everywhere (Arial, Helvetica,
#: Liberation Sans), and the viewer's generic sans-serif.
SVG_FONT_FAMILIES = (
    "DejaVu Sans",
    "Bitstream Vera Sans",
    "Verdana",
    "Arial",
    "Helvetica",
    "Liberation Sans",
    "sans-serif",
)
#: What the writer adds to the style when it saves SVG (text as ``<text>``, ``svg.fonttype``
#: none in :func:`.style.rc`): that family list. matplotlib writes the fonts of the generic
#: family a text's font names, and every metaevidence font is sans-serif; DejaVu Sans stays
#: first, so a text given by family name is still measured with the bundled font.
_SVG_RC = {"svg.fonttype": "none", "font.sans-serif": list(SVG_FONT_FAMILIES)}


# session settings that do not affect drawing and must not be reset
_SESSION_KEYS = (
    "backend",
    "backend_fallback",
    "interactive",
    "toolbar",
    "timezone",
    "webagg.",
    "tk.",
    "macosx.",
    "figure.max_open_warning",
    "savefig.directory",
    "date.",
    "docstring.",
)


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """``matplotlib.rc_context`` pinning every drawing setting (local, restored on exit).

    matplotlib's defaults overlaid with :func:`metaevidence.plots.style.rc`, so that a
    user's matplotlibrc or rcParams cannot change how (or into which bytes) a figure
    renders. Session settings (backend, interactive mode, ...) are left alone.
    """
    import matplotlib

    base = {k: v for k, v in matplotlib.rcParamsDefault.items() if not k.startswith(_SESSION_KEYS)}
    with matplotlib.rc_context(rc={**base, **style.rc()}):
        yield


def new_figure(width: float, height: float) -> Any:
    """A white ``Figure`` of ``width`` x ``height`` inches on its own Agg canvas.

    Parameters
    ----------
    width, height : float
        Size in inches (must be positive).

    Returns
    -------
    matplotlib.figure.Figure
        Not registered with pyplot; draw on it through its own methods.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not (width > 0 and height > 0):
        raise ValueError(f"figure size must be positive inches; got {width!r} x {height!r}")
    with style_context():
        fig = Figure(figsize=(width, height), dpi=100, facecolor="white")
        FigureCanvasAgg(fig)
    return fig


def _metadata(fmt: str) -> dict[str, Any]:
    import matplotlib

    from metaevidence import __version__

    creator = f"metaevidence {__version__} (matplotlib {matplotlib.__version__})"
    if fmt == "svg":
        return {"Date": None, "Creator": creator}
    if fmt == "pdf":
        return {"CreationDate": None, "ModDate": None, "Creator": creator, "Producer": creator}
    return {"Software": creator}


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is None:
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise ValueError(
                f"cannot tell the figure format from the file name {str(path)!r}: the suffix must "
                f"be one of {', '.join('.' + f for f in FORMATS)}, or pass format=; got {path.suffix!r}"
            )
        return fmt
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    return fmt


def _write(fig: Any, target: Any, fmt: str, dpi: float) -> None:
    if not (isinstance(dpi, (int, float)) and dpi > 0):
        raise ValueError(f"dpi must be a positive number; got {dpi!r}")
    import matplotlib

    with style_context(), matplotlib.rc_context(rc=_SVG_RC if fmt == "svg" else {}):
        fig.savefig(target, format=fmt, dpi=dpi, metadata=_metadata(fmt), facecolor="white")


def figure_bytes(fig: Any, format: str = "png", *, dpi: float = DEFAULT_DPI) -> bytes:
    """The figure rendered as ``format`` ("svg", "png" or "pdf"), deterministically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    format : {"svg", "png", "pdf"}
    dpi : float, default 300
        Resolution for PNG (and for rasterised parts of vector output).

    Returns
    -------
    bytes
        Identical for identical figures (no dates, fixed SVG ids, bundled fonts).

    Example
    -------
    >>> data = figure_bytes(me.forest_plot(res), "svg")
    >>> data[:5]
    b'<?xml'
    """
    fmt = _format_of(Path("figure"), format)
    buffer = io.BytesIO()
    _write(fig, buffer, fmt, dpi)
    return buffer.getvalue()


def save_figure(
    fig: Any, path: str | os.PathLike[str], *, format: str | None = None, dpi: float = DEFAULT_DPI
) -> Path:
    """Save ``fig`` to ``path`` deterministically and atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from :func:`forest_plot`, :func:`funnel_plot` or any other figure.
    path : str or PathLike
        Target file; the format comes from its suffix (``.svg``, ``.png``, ``.pdf``)
        unless ``format`` is given. The parent directory must exist.
    format : {"svg", "png", "pdf"}, optional
    dpi : float, default 300

    Returns
    -------
    pathlib.Path
        The path written.

    Notes
    -----
    The figure is written to a temporary file in the target directory and renamed over
    the target, so an interrupted save leaves any previous file intact.
    """
    path = Path(path)
    fmt = _format_of(path, format)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cannot save figure to {str(path)!r}: directory {str(directory)!r} does not exist"
        )
    atomic_write(path, figure_bytes(fig, fmt, dpi=dpi))
    return path
