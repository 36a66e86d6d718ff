"""Measured text: truncation, wrapping, and the overlap checks the figure tests rely on."""

from metaevidence.plots import style
from metaevidence.plots.layout import (
    ELLIPSIS,
    TextMeasurer,
    layout_problems,
    outside_figure,
    overlapping_texts,
    thin_labels,
    truncate,
    wrap,
)
from metaevidence.plots.output import new_figure

M = TextMeasurer()
FONT = style.font()
LONG = "The Extraordinarily Long-Named Multicentre Collaborative Randomised Trial Group 1979"


def test_widths_are_additive_and_bold_is_wider():
    assert M.width("", FONT) == 0.0
    assert M.width("Aronson 1948", FONT) > M.width("Aronson", FONT) > 0
    assert M.width("Aronson", style.font(bold=True)) > M.width("Aronson", FONT)
    assert M.width("WWWW", FONT) > M.width("iiii", FONT)
    # 8 pt text: ascent + descent of "lp" is about one em
    assert 6 / 72 < M.line_height(FONT) < 10 / 72


def test_truncate_keeps_what_fits_and_marks_the_cut():
    assert truncate("Aronson 1948", 2.0, M, FONT) == "Aronson 1948"
    cut = truncate(LONG, 2.0, M, FONT)
    assert cut.endswith(ELLIPSIS) and LONG.startswith(cut[:-1])
    assert M.width(cut, FONT) <= 2.0
    # the longest prefix that fits: one more character would not
    longer = LONG[: len(cut)].rstrip() + ELLIPSIS
    assert M.width(longer, FONT) > 2.0 or longer == cut


def test_wrap_fits_each_line_and_keeps_the_words():
    lines = wrap("Favours streptokinase plus aspirin", 1.0, M, FONT)
    assert len(lines) == 2
    assert all(M.width(line, FONT) <= 1.0 for line in lines)
    assert " ".join(lines).replace(ELLIPSIS, "").split()[0] == "Favours"
    assert wrap("Favours control", 3.0, M, FONT) == ["Favours control"]
    long = wrap(LONG, 1.0, M, FONT, max_lines=2)
    assert len(long) == 2 and long[-1].endswith(ELLIPSIS)


def test_overlap_and_outside_checks_detect_problems():
    fig = new_figure(2.0, 1.0)
    fig.text(0.1, 0.5, "first text")
    fig.text(0.15, 0.5, "second text")
    fig.text(0.5, 0.1, "clear of both")
    assert overlapping_texts(fig) == [("first text", "second text")]
    assert outside_figure(fig) == []
    fig.text(0.95, 0.9, "runs past the right edge")
    assert outside_figure(fig) == ["runs past the right edge"]
    assert layout_problems(fig) == {
        "overlapping": [("first text", "second text")],
        "outside": ["runs past the right edge"],
    }


def test_thin_labels_keeps_priorities_and_drops_touching_labels():
    centres = [0.0, 0.3, 0.6, 0.9, 1.2]
    widths = [0.4] * 5
    # middle first, then the ends: neighbours of kept labels are dropped
    assert thin_labels(centres, widths, [2, 0, 4, 1, 3], gap=0.05) == [2, 0, 4]
    assert thin_labels(centres, [0.1] * 5, [2, 0, 4, 1, 3], gap=0.05) == [2, 0, 4, 1, 3]


def test_measurers_of_one_resolution_share_their_widths_and_keep_fonts_apart():
    from matplotlib.font_manager import FontProperties

    text = "Shared-measurement 2026 trial"
    first = TextMeasurer().width(text, FONT)
    other = TextMeasurer()
    calls = []
    real = other._renderer.get_text_width_height_descent
    other._renderer.get_text_width_height_descent = lambda *a, **k: calls.append(a) or real(*a, **k)
    same_font = FontProperties(fname=style.font_path(), size=style.FONT_SIZE)  # equal, not identical
    assert other.width(text, same_font) == first and calls == []  # measured once per process
    bold = other.width(text, style.font(bold=True))
    assert len(calls) == 1 and bold > first  # another font is measured, not taken from the cache
    assert other.width(text, style.font(size=16)) > 1.9 * first and len(calls) == 2
    from metaevidence.plots.layout import _WIDTHS

    TextMeasurer(dpi=100).width(text, FONT)  # another resolution: its own table (hinting differs)
    assert (text, FONT) in _WIDTHS[100.0] and _WIDTHS[100.0] is not _WIDTHS[300.0]
