"""Deterministic output: the same result renders to the same bytes, in every format."""

import hashlib
import os
import re
import struct
import subprocess
import sys

import matplotlib
import pytest

from metaevidence.plots import figure_bytes, forest_plot, funnel_plot, save_figure
from metaevidence.plots.output import new_figure
from tests.plots import factories as f

FORMATS = ("svg", "png", "pdf")


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_result_same_bytes(fmt):
    first = figure_bytes(forest_plot(f.bcg()), fmt, dpi=100)
    second = figure_bytes(forest_plot(f.bcg()), fmt, dpi=100)
    assert first == second
    funnel = [figure_bytes(funnel_plot(f.bcg(), contours=True), fmt, dpi=100) for _ in range(2)]
    assert funnel[0] == funnel[1]


def test_no_dates_and_the_bundled_font():
    svg = figure_bytes(forest_plot(f.bcg()), "svg")
    assert b"<dc:date>" not in svg and b"metaevidence" in svg
    pdf = figure_bytes(forest_plot(f.bcg()), "pdf")
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    assert b"DejaVuSans" in pdf  # embedded TrueType (pdf.fonttype 42), editable text


def test_user_rcparams_do_not_change_the_bytes():
    reference = figure_bytes(forest_plot(f.bcg()), "svg")
    with matplotlib.rc_context(
        {
            "font.family": "serif",
            "font.size": 20,
            "lines.linewidth": 5,
            "axes.linewidth": 3,
            "xtick.labelsize": 4,
            "svg.hashsalt": None,
            "figure.facecolor": "red",
            "xtick.direction": "in",
        }
    ):
        assert figure_bytes(forest_plot(f.bcg()), "svg") == reference


def test_bytes_are_the_same_in_a_fresh_process():
    code = (
        "import sys, hashlib; sys.path.insert(0, '.')\n"
        "from tests.plots import factories as f\n"
        "from metaevidence.plots import figure_bytes, forest_plot\n"
        "print(hashlib.sha256(figure_bytes(forest_plot(f.bcg()), 'svg')).hexdigest())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = hashlib.sha256(figure_bytes(forest_plot(f.bcg()), "svg")).hexdigest()
    assert out.stdout.strip() == here


def test_png_is_300_dpi_by_default(tmp_path):
    fig = new_figure(2.0, 1.0)
    fig.text(0.1, 0.5, "x")
    path = save_figure(fig, tmp_path / "tiny.png")
    data = path.read_bytes()
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == (600, 300)
    ppm = 300 / 0.0254
    i = data.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[i + 4 : i + 13])
    assert unit == 1 and abs(x - ppm) < 1 and abs(y - ppm) < 1


def test_save_figure_writes_atomically_and_infers_the_format(tmp_path):
    fig = new_figure(2.0, 1.0)
    for fmt in FORMATS:
        path = save_figure(fig, tmp_path / f"figure.{fmt}")
        assert path.read_bytes() == figure_bytes(fig, fmt)
    path = save_figure(fig, tmp_path / "figure.out", format="svg")
    assert path.read_bytes().startswith(b"<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "figure.out",
        "figure.pdf",
        "figure.png",
        "figure.svg",
    ]  # no temporary files left
    assert (path.stat().st_mode & 0o777) == 0o644


def test_save_figure_errors(tmp_path):
    fig = new_figure(2.0, 1.0)
    with pytest.raises(
        ValueError,
        match=r"cannot tell the figure format from the file name .*figure.jpg.*: the suffix must be one of .svg, .png, .pdf, or pass format=; got '.jpg'",
    ):
        save_figure(fig, tmp_path / "figure.jpg")
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf; got 'bmp'"):
        save_figure(fig, tmp_path / "figure.png", format="bmp")
    with pytest.raises(FileNotFoundError, match="directory .*missing.* does not exist"):
        save_figure(fig, tmp_path / "missing" / "figure.png")
    with pytest.raises(ValueError, match="dpi must be a positive number; got 0"):
        figure_bytes(fig, "png", dpi=0)
    with pytest.raises(ValueError, match=r"figure size must be positive inches; got 0 x 1"):
        new_figure(0, 1)
    assert list(tmp_path.iterdir()) == []


def _svg_texts(svg: bytes) -> list[str]:
    import html

    return [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg.decode("utf-8"))]


def test_svg_text_is_written_as_text_that_can_be_searched_and_edited():
    res = f.bcg()
    svg = figure_bytes(forest_plot(res, max_width=None), "svg")  # natural width: labels uncut
    texts = _svg_texts(svg)
    assert svg.count(b"<text") == len(texts) > 100  # every label, number and heading
    assert set(res.labels) <= set(texts)  # each study label is one searchable string
    assert "Ferguson & Simes 1949" in texts and b">Ferguson &amp; Simes 1949</text>" in svg
    assert "IV, Random, 95% CI" in texts
    assert b'id="DejaVuSans-' not in svg  # no glyph outlines any more
    heading = re.search(rb"<text style=\"([^\"]*)\"[^>]*>Study</text>", svg)
    assert heading is not None and b"font-weight: 700" in heading.group(1)  # bold headings stay bold
    body = re.search(rb"<text style=\"([^\"]*)\"[^>]*>Aronson 1948</text>", svg)
    assert body is not None and b"font-weight" not in body.group(1)


def test_svg_text_names_a_fallback_font_list():
    from metaevidence.plots.output import SVG_FONT_FAMILIES

    svg = figure_bytes(funnel_plot(f.bcg(), contours=True), "svg")
    families = set(re.findall(rb"font-family: ([^;\"]*)", svg))
    expected = ", ".join(name if name == "sans-serif" else repr(name) for name in SVG_FONT_FAMILIES)
    assert families == {expected.encode()}  # one list on every text element
    assert SVG_FONT_FAMILIES[0] == "DejaVu Sans" and SVG_FONT_FAMILIES[-1] == "sans-serif"
    assert {"Arial", "Helvetica"} <= set(SVG_FONT_FAMILIES)  # what a machine without DejaVu has


def test_user_font_settings_do_not_reach_the_svg_text():
    reference = figure_bytes(forest_plot(f.bcg()), "svg")
    with matplotlib.rc_context({"font.sans-serif": ["Comic Sans MS"], "svg.fonttype": "path"}):
        assert figure_bytes(forest_plot(f.bcg()), "svg") == reference


def test_svg_bytes_are_the_same_under_the_baseline_cpu_kernels():
    # OpenBLAS's oldest x86-64 kernels and numpy's baseline (no AVX-512) transcendental code:
    # the SVG text positions must not depend on the kernels the machine picks
    code = (
        "import sys, hashlib; sys.path.insert(0, '.')\n"
        "from tests.plots import factories as f\n"
        "from metaevidence.plots import figure_bytes, forest_plot, funnel_plot\n"
        "print(hashlib.sha256(figure_bytes(forest_plot(f.bcg()), 'svg')).hexdigest())\n"
        "print(hashlib.sha256(figure_bytes(funnel_plot(f.bcg(), contours=True), 'svg')).hexdigest())\n"
    )
    env = {
        **os.environ,
        "OPENBLAS_CORETYPE": "Prescott",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
        "MPLBACKEND": "Agg",
    }
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    here = [
        hashlib.sha256(figure_bytes(forest_plot(f.bcg()), "svg")).hexdigest(),
        hashlib.sha256(figure_bytes(funnel_plot(f.bcg(), contours=True), "svg")).hexdigest(),
    ]
    assert out.stdout.split() == here
