"""Deterministic output: the same result renders to the same bytes, in every format."""

import hashlib
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
