"""``figures: {formats: [svg, png, pdf]}`` (issue 20 item 8): a spec may ask for PDF, and the
PDF is the same bytes in every run and every process (no creation dates)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import make_review, spec
from .test_run import _run, _status

REPO = Path(__file__).resolve().parents[2]


def test_a_spec_may_ask_for_pdf_and_the_pdf_is_byte_stable(tmp_path):
    root = make_review(
        tmp_path / "r", specs=[spec(figures={"draw": ["forest"], "formats": ["svg", "png", "pdf"]})]
    )
    rc, out, err = _run(root)
    assert rc == 0, out + err
    pdf = root / "figures" / "mortality" / "forest.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and b"CreationDate" not in data and b"ModDate" not in data
    assert b"/Creator (metaevidence" in data
    # another process, later: the same bytes (run --force keeps every file)
    proc = subprocess.run(
        [sys.executable, "-m", "metaevidence", "run", "--force", "-q"],
        cwd=root,
        env={"PYTHONPATH": str(REPO), "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _status(proc.stdout) == {"mortality": "unchanged"}
    assert pdf.read_bytes() == data


def test_an_unknown_format_is_refused_with_the_allowed_ones(tmp_path):
    root = make_review(tmp_path / "r", specs=[spec(figures={"draw": ["forest"], "formats": ["eps"]})])
    rc, out, err = _run(root)
    assert rc == 1
    assert "svg" in err + out and "pdf" in err + out and "eps" in err + out


def test_the_report_embeds_the_png_and_links_the_svg_and_pdf():
    from metaevidence.workflow.report import _figures

    doc = {
        "analysis": {"id": "m"},
        "figures": [
            {"name": "forest", "file": "forest.svg", "format": "svg"},
            {"name": "forest", "file": "forest.png", "format": "png"},
            {"name": "forest", "file": "forest.pdf", "format": "pdf"},
            {"name": "funnel", "file": "funnel.svg", "format": "svg"},
            {"name": "cumulative", "file": "cumulative.pdf", "format": "pdf"},
        ],
    }
    assert _figures(doc) == [
        "## Figures",
        "",
        "![forest plot](../figures/m/forest.png)",  # pandoc and Word embed PNG everywhere
        "",
        "The forest plot as [SVG](../figures/m/forest.svg), [PDF](../figures/m/forest.pdf).",
        "",
        "![funnel plot](../figures/m/funnel.svg)",  # only SVG: embedded
        "",
        "The cumulative plot as [PDF](../figures/m/cumulative.pdf).",  # a PDF is linked, not embedded
        "",
    ]
    assert _figures({"analysis": {"id": "m"}, "figures": []}) == []
