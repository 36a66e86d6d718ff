"""Colours, fonts and matplotlib settings shared by every metaevidence figure.

Palette: the Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal
Design"), used sparingly -- data ink is black or dark grey so that every figure survives
greyscale printing, and the two accents (blue study markers, vermillion prediction
intervals) differ in lightness as well as hue. Shaded regions (contour-enhanced funnels)
are greys only.

Fonts: DejaVu Sans loaded *by file* from matplotlib's bundled fonts, never by family
name, so a system-wide DejaVu (or a user's font settings) cannot change the output bytes.

Nothing here touches global matplotlib state: :func:`rc` returns a dict for
``matplotlib.rc_context``, used only around figure construction and saving (see
:mod:`metaevidence.plots.output`). Other figure modules (baujat, GOSH, bubble plots)
should take their colours, fonts and sizes from this module.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = [
    "OKABE_ITO",
    "INK",
    "MUTED",
    "RULE",
    "STUDY",
    "POOLED",
    "PREDICTION",
    "CONTOUR_SHADES",
    "FONT_SIZE",
    "SMALL_FONT_SIZE",
    "LINE_WIDTH",
    "font",
    "font_path",
    "rc",
]

#: The Okabe-Ito palette (hex), colour-blind safe.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: Text, CI lines, axes and the no-effect line.
INK = "#000000"
#: Secondary text and reference lines (dark grey: still legible in greyscale).
MUTED = "#4D4D4D"
#: Thin rules between header and body.
RULE = "#999999"
#: Study markers (squares in forests, circles in funnels): Okabe-Ito blue, a dark colour
#: that prints as dark grey.
STUDY = OKABE_ITO["blue"]
#: Pooled-estimate diamonds.
POOLED = INK
#: Prediction intervals: Okabe-Ito vermillion (mid grey in greyscale), always on its own
#: labelled row so colour is never the only cue.
PREDICTION = OKABE_ITO["vermillion"]
#: Contour-enhanced funnel shading, from the p < 0.01 region inwards (greys only).
CONTOUR_SHADES: tuple[str, ...] = ("#E6E6E6", "#BFBFBF", "#8C8C8C")

#: Body text size in points (RevMan prints forest plots at about 8 pt).
FONT_SIZE = 8.0
#: Size of secondary text (funnel legends).
SMALL_FONT_SIZE = 7.0
#: Default line width in points for CI lines and axes.
LINE_WIDTH = 0.8

_FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


def font_path(*, bold: bool = False) -> str:
    """Path of matplotlib's bundled DejaVu Sans (regular or bold) font file."""
    import os

    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", _FONT_FILES[bold])


@cache
def font(*, bold: bool = False, size: float = FONT_SIZE) -> Any:
    """A ``FontProperties`` for the bundled DejaVu Sans at ``size`` points.

    Loaded by file name so that the glyphs, metrics and output bytes do not depend on the
    fonts installed on the machine. Cached: FontProperties are treated as immutable.
    """
    from matplotlib.font_manager import FontProperties

    # the weight is what an SVG's <text> says (the glyphs come from the file)
    return FontProperties(fname=font_path(bold=bold), size=size, weight="bold" if bold else "normal")


def rc() -> dict[str, Any]:
    """Settings for ``matplotlib.rc_context`` around building and saving a figure.

    Every artist gets explicit properties; these settings only pin what matplotlib reads
    from rcParams at draw or save time (SVG ids and hash salt, font embedding, hinting),
    so a user's own rcParams cannot change the bytes of a metaevidence figure.
    """
    return {
        "svg.hashsalt": "metaevidence",
        "svg.id": None,
        "svg.fonttype": "none",  # text as <text>, font-family: plots.output.SVG_FONT_FAMILIES
        "svg.image_inline": True,
        "pdf.fonttype": 42,
        "pdf.compression": 6,
        "pdf.use14corefonts": False,
        "text.usetex": False,
        "text.antialiased": True,
        "lines.antialiased": True,
        "patch.antialiased": True,
        "path.simplify": True,
        "path.simplify_threshold": 0.111111111111,
        "path.sketch": None,
        "agg.path.chunksize": 0,
        "axes.unicode_minus": True,
        "savefig.bbox": None,
        "savefig.pad_inches": 0.1,
        "savefig.facecolor": "white",
        "savefig.edgecolor": "white",
        "savefig.transparent": False,
        "savefig.orientation": "portrait",
        "figure.facecolor": "white",
        "figure.edgecolor": "white",
        "axes.facecolor": "white",
        "axes.edgecolor": INK,
        "axes.linewidth": LINE_WIDTH,
        "xtick.color": INK,
        "ytick.color": INK,
        "xtick.direction": "out",
        "ytick.direction": "out",
        "xtick.major.size": 3.0,
        "ytick.major.size": 3.0,
        "xtick.major.width": LINE_WIDTH,
        "ytick.major.width": LINE_WIDTH,
        "xtick.major.pad": 2.0,
        "ytick.major.pad": 2.0,
        "xtick.minor.visible": False,
        "ytick.minor.visible": False,
        "legend.frameon": False,
        "hatch.linewidth": 1.0,
    }
