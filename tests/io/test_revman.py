"""RevMan files import, and the imported review re-run with metaevidence reproduces the
results RevMan stored in them (effects, CIs, weights, Chi², I², Z) -- at full stored
precision, which is tighter than RevMan's printed precision (2 decimals for effects, 1 for
weights in %, 2 for Chi² and Z, 0 for I²)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest

import metaevidence as me
from metaevidence.io.revman import read_revman
from metaevidence.plots.table import forest_table
from metaevidence.workflow.run import Paths, run_analyses
from tests.tolerances import CLOSED_FORM, DISTRIBUTION

DATA = Path(__file__).resolve().parent / "data"  # copies of ../shared/data/revman (see SOURCES.md there)
FILES = ("Fleiss1993.rm5", "Fleiss1993_CR.csv", "Fleiss1993.zip")
ASPIRIN = "aspirin-for-preventing-death-after-myocardial"


def imported(tmp_path, name):
    (tmp_path / "studies").mkdir()
    me.import_revman(DATA / name, tmp_path / "studies", tmp_path / "analyses", date=dt.date(2026, 12, 3))
    paths = Paths.of(*(tmp_path / d for d in ("studies", "analyses", "results", "figures")))
    report = run_analyses(paths)
    assert report.ok, report.summary()
    return tmp_path


def result(root, aid):
    return json.loads((root / "results" / f"{aid}.json").read_text())


@pytest.mark.parametrize("name", FILES)
def test_the_aspirin_analysis_reproduces_revmans_stored_numbers(tmp_path, name):
    review = read_revman(DATA / name)
    a = next(a for a in review.analyses if a.data_type == "dichotomous")
    assert (a.measure, a.method, a.random, len(a.rows)) == ("OR", "MH", False, 7)
    root = imported(tmp_path, name)
    doc = result(root, ASPIRIN)
    assert doc["pooled"]["method"] == "MH"
    s = a.stored
    # the .rm5 keeps full precision; RevMan's CSV prints 8 decimals and the data package 6
    # (P values 5): half a unit in the last printed place
    tol = {"rm5": {"rel": CLOSED_FORM}, "csv": {"abs": 5e-9}, "zip": {"abs": 5e-7}}[name.rsplit(".", 1)[1]]
    p = doc["pooled"]["presentation"]
    assert p["estimate"] == pytest.approx(s["effect"], **tol)
    assert p["ci_lower"] == pytest.approx(s["ci_start"], **tol)
    assert p["ci_upper"] == pytest.approx(s["ci_end"], **tol)
    assert abs(doc["pooled"]["statistic"]) == pytest.approx(s["z"], **tol)
    assert doc["heterogeneity"]["q"] == pytest.approx(s["chi2"], **tol)
    assert doc["heterogeneity"]["i2"] == pytest.approx(s["i2"], **tol)
    assert doc["heterogeneity"]["q_df"] == s["df"] == 6
    if "p_z" in s:
        assert doc["pooled"]["p_value"] == pytest.approx(
            s["p_z"], **({"abs": 5e-6} if name.endswith(".zip") else {"abs": 5e-9, "rel": DISTRIBUTION})
        )
    by_label = {r["label"]: r for r in doc["studies"]["included"]}
    names = {k: v[0] for k, v in review.studies.items()}
    for row in a.rows:
        ours = by_label[names[row.study]]
        assert ours["weight"] == pytest.approx(row.stored["weight"], **tol), row.study
        if "effect" in row.stored:
            assert math.exp(ours["yi"]) == pytest.approx(row.stored["effect"], **tol), row.study
            z = 1.959963984540054
            lo = math.exp(ours["yi"] - z * math.sqrt(ours["vi"]))
            assert lo == pytest.approx(row.stored["ci_start"], **tol), row.study
    # as RevMan prints them (the SVG forest plot in Fleiss1993.zip)
    assert f"{p['estimate']:.2f} [{p['ci_lower']:.2f}, {p['ci_upper']:.2f}]" == "0.90 [0.84, 0.96]"
    assert f"{doc['heterogeneity']['q']:.2f} {doc['heterogeneity']['i2']:.0f}" == "9.95 40"
    assert f"{abs(doc['pooled']['statistic']):.2f}" == "3.29"
    assert sorted(f"{r['weight']:.1f}" for r in by_label.values()) == sorted(
        ["3.2", "3.1", "5.7", "1.8", "3.2", "10.2", "72.9"]
    )


def test_the_mental_health_outcome_reproduces_revman_webs_mean_differences(tmp_path):
    """Fleiss1993_CR.csv stores the outcome as MD, inverse variance, fixed effect, with results."""
    review = read_revman(DATA / "Fleiss1993_CR.csv")
    a = next(a for a in review.analyses if a.data_type == "continuous")
    assert (a.measure, a.method, a.random) == ("MD", "IV", False)
    doc = result(imported(tmp_path, "Fleiss1993_CR.csv"), "mental-health-treatment-versus-control")
    s = a.stored
    assert doc["pooled"]["estimate"] == pytest.approx(s["effect"], abs=5e-9)
    assert doc["pooled"]["ci_lower"] == pytest.approx(s["ci_start"], abs=5e-9)
    assert doc["heterogeneity"]["q"] == pytest.approx(s["chi2"], abs=5e-9)
    assert doc["heterogeneity"]["i2"] == pytest.approx(s["i2"], abs=5e-9)
    assert abs(doc["pooled"]["statistic"]) == pytest.approx(s["z"], abs=5e-9)
    weights = {r["label"]: r["weight"] for r in doc["studies"]["included"]}
    for row in a.rows:
        assert weights[row.study.split(" (")[0]] == pytest.approx(row.stored["weight"], abs=5e-9)
        assert math.sqrt(
            next(r["vi"] for r in doc["studies"]["included"] if r["label"] == row.study.split(" (")[0])
        ) == pytest.approx(row.stored["se"], abs=5e-9)


def test_the_rm5_smd_outcome_has_no_stored_results_to_compare(tmp_path):
    """The .rm5 file codes the same outcome as SMD, and RevMan left its results empty
    (EFFECT_SIZE="" ...): there is nothing to reproduce. It imports and pools as SMD (metafor's
    Hedges' g with the exact bias correction; RevMan 5 uses the approximation 1 - 3/(4N - 9),
    so RevMan's printed g could differ in the third decimal)."""
    a = next(a for a in read_revman(DATA / "Fleiss1993.rm5").analyses if a.data_type == "continuous")
    assert a.measure == "SMD" and a.stored.get("effect") is None and a.stored.get("chi2") is None
    assert all(not r.stored for r in a.rows)
    doc = result(imported(tmp_path, "Fleiss1993.rm5"), "mental-health-treatment-versus-control")
    assert "SMD" in json.dumps(doc["measure"])
    assert doc["pooled"]["k"] == 5


def test_imported_records_carry_revman_provenance_and_risk_of_bias(tmp_path):
    root = imported(tmp_path, "Fleiss1993.rm5")
    eb = me.load_evidence(root / "studies")
    assert len(eb) == 12
    mrc = eb["mrc-1-1974"]
    assert mrc.outcomes[0].data.experimental.events == 49 and mrc.outcomes[0].data.control.total == 624
    assert mrc.outcomes[0].provenance.locator.startswith("analysis 1.1 ")
    assert mrc.risk_of_bias.domains[0].domain == "Allocation concealment?"
    assert mrc.risk_of_bias.domains[0].judgement == "unclear"  # RESULT="UNKNOWN"
    assert any("overall risk-of-bias" in m for m in mrc.extraction.missing)


def test_the_imported_aspirin_forest_plot_shows_every_interval_whole(tmp_path):
    """RevMan draws the aspirin trials with whole intervals; the automatic axis used to run
    0.5-2 with arrows on CDP (0.457), GASP (0.486) and MRC-1 (0.489). Now 0.2-5, no arrows."""
    root = imported(tmp_path, "Fleiss1993.rm5")
    eb = me.load_evidence(root / "studies")
    res = me.mantel_haenszel(eb.effect_sizes(ASPIRIN, "OR"))
    fig = me.forest_plot(res)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0.2, 5.0)
    arrows = [a for a in ax.get_children() if (a.get_gid() or "").startswith("ci-arrows")]
    assert arrows == []
    t = forest_table(res)
    lows = np.sort(t.loc[t.kind == "study", "ci_lower"].to_numpy())[:3]
    assert np.all((lows > 0.45) & (lows < 0.5))


RM5_SUBGROUPS = """<?xml version="1.0" encoding="UTF-8"?>
<COCHRANE_REVIEW REVMAN_VERSION="5">
<COVER_SHEET><TITLE>Synthetic</TITLE></COVER_SHEET>
<STUDIES_AND_REFERENCES><STUDIES><INCLUDED_STUDIES>
<STUDY ID="STD-A" NAME="Able" YEAR="2001"/><STUDY ID="STD-B" NAME="Baker" YEAR="2002"/>
</INCLUDED_STUDIES></STUDIES></STUDIES_AND_REFERENCES>
<ANALYSES_AND_DATA><COMPARISON ID="CMP-001" NO="1"><NAME>Drug vs placebo</NAME>
<DICH_OUTCOME NO="1" EFFECT_MEASURE="RR" METHOD="MH" RANDOM="YES" CI_STUDY="95"><NAME>Death</NAME>
<DICH_SUBGROUP NO="1"><NAME>Adults</NAME><DICH_DATA STUDY_ID="STD-A" EVENTS_1="3" TOTAL_1="50" EVENTS_2="6" TOTAL_2="50"/></DICH_SUBGROUP>
<DICH_SUBGROUP NO="2"><NAME>Children</NAME><DICH_DATA STUDY_ID="STD-B" EVENTS_1="2" TOTAL_1="40" EVENTS_2="5" TOTAL_2="41"/></DICH_SUBGROUP>
</DICH_OUTCOME>
<IV_OUTCOME NO="2" EFFECT_MEASURE="HR" METHOD="IV" RANDOM="NO" LOG_DATA="YES"><NAME>Time to relapse</NAME>
<IV_DATA STUDY_ID="STD-A" EFFECT_SIZE="-0.2" SE="0.1"/><IV_DATA STUDY_ID="STD-B" EFFECT_SIZE="-0.1" SE="0.15"/>
</IV_OUTCOME>
<IV_OUTCOME NO="3" EFFECT_MEASURE="MD" METHOD="IV" RANDOM="NO"><NAME>Score</NAME>
<IV_DATA STUDY_ID="STD-A" EFFECT_SIZE="1.5" SE="0.5"/>
</IV_OUTCOME>
</COMPARISON></ANALYSES_AND_DATA>
</COCHRANE_REVIEW>
"""


def test_subgroups_generic_inverse_variance_and_random_effects_from_an_rm5(tmp_path):
    """Synthetic structure (not data): subgroups become entry subgroups, generic IV log HRs
    become log_se entries, random effects become DL with inverse-variance weights, and an MD
    given as generic IV (no record kind for it) is reported, not imported."""
    path = tmp_path / "syn.rm5"
    path.write_text(RM5_SUBGROUPS)
    (tmp_path / "studies").mkdir()
    with pytest.raises(
        me.DataImportError, match="generic inverse-variance data of measure MD cannot be recorded"
    ):
        me.import_revman(path, tmp_path / "studies", tmp_path / "analyses")
    assert list((tmp_path / "studies").iterdir()) == []
    result = me.import_revman(path, tmp_path / "studies", tmp_path / "analyses", partial=True)
    assert len(result.problems) == 1
    eb = me.load_evidence(tmp_path / "studies")
    able = eb["able-2001"]
    death = next(e for e in able.outcomes if e.outcome == "death")
    assert death.subgroup == "Adults" and death.data.experimental.events == 3
    relapse = next(e for e in able.outcomes if e.outcome == "time-to-relapse")
    assert relapse.kind == "log_se" and relapse.data.measure == "HR" and relapse.data.log_estimate == -0.2
    import yaml

    spec = yaml.safe_load((tmp_path / "analyses" / "death.yaml").read_text())
    assert (spec["measure"], spec["pooling"], spec["tau2"], spec["ci_method"]) == (
        "RR",
        "inverse-variance",
        "DL",
        "z",
    )
    assert me.read_revman(path).analyses[0].rows[1].subgroup == "Children"
    assert spec["subgroups"] == {"by": "outcomes.subgroup", "common_tau2": False}  # RevMan: tau² per subgroup


def test_a_file_that_is_not_revman_is_refused(tmp_path):
    (tmp_path / "x.rm5").write_text("<html><body>not a review</body></html>")
    with pytest.raises(me.DataImportError, match="is XML but not a RevMan 5 review"):
        me.read_revman(tmp_path / "x.rm5")
    (tmp_path / "bomb.rm5").write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>')
    with pytest.raises(me.DataImportError, match="not a readable RevMan 5 file"):
        me.read_revman(tmp_path / "bomb.rm5")


def _with_subgroups(tmp_path) -> Path:
    """Fleiss1993_CR.csv with the mental-health outcome (MD, IV, fixed) split by the studies'
    year into two RevMan subgroups: RevMan's own subgroup header rows (a Subgroup Number and a
    name) added, every number left as RevMan stored it."""
    lines = (DATA / "Fleiss1993_CR.csv").read_text(encoding="utf-8-sig").splitlines()
    width = lines[0].count(",")
    out = []
    for line in lines:
        cells = line.split(",")
        if cells[:2] == ["1", "2"] and cells[3] in ("Davis", "Gruen"):
            number, name = ("1", "Before 1975") if cells[3] == "Davis" else ("2", "1975 or later")
            out.append(",".join(["1", "2", number, name] + [""] * (width - 3)))
        if cells[:2] == ["1", "2"] and cells[3] in ("Davis", "Florell", "Gruen", "Hart", "Wilson"):
            cells[2] = "1" if cells[3] in ("Davis", "Florell") else "2"
            line = ",".join(cells)
        out.append(line)
    path = tmp_path / "Fleiss1993_subgroups_CR.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_revman_subgroups_are_set_up_and_reproduce_revmans_numbers(tmp_path):
    """The subgroups become a spec's `subgroups: {by: outcomes.subgroup}` and the entries' subgroup.
    For an inverse-variance fixed-effect analysis RevMan's subgroup results follow from what it
    stored: each subgroup is the IV pool of RevMan's stored study effects and SEs, and the test for
    subgroup differences is RevMan's stored Chi² (5.66) minus the Chi² within the subgroups
    (Deeks & Higgins, Statistical algorithms in Review Manager 5, 2010, section on subgroups)."""
    path = _with_subgroups(tmp_path)
    review = read_revman(path)
    a = next(a for a in review.analyses if a.data_type == "continuous")
    assert [r.subgroup for r in a.rows] == ["Before 1975"] * 2 + ["1975 or later"] * 3
    (tmp_path / "studies").mkdir()
    me.import_revman(path, tmp_path / "studies", tmp_path / "analyses", date=dt.date(2026, 12, 3))
    import yaml

    aid = "mental-health-treatment-versus-control"
    spec = yaml.safe_load((tmp_path / "analyses" / f"{aid}.yaml").read_text())
    assert spec["subgroups"] == {"by": "outcomes.subgroup"}
    assert me.load_evidence(tmp_path / "studies")["davis-1973"].outcomes[-1].subgroup == "Before 1975"
    paths = Paths.of(*(tmp_path / d for d in ("studies", "analyses", "results", "figures")))
    assert run_analyses(paths).ok
    doc = result(tmp_path, aid)
    # the overall analysis is still RevMan's
    assert doc["pooled"]["estimate"] == pytest.approx(a.stored["effect"], abs=5e-9)
    groups = {g["name"]: g for g in doc["subgroups"]["groups"]}
    q_within = 0.0
    for name in ("Before 1975", "1975 or later"):
        rows = [r for r in a.rows if r.subgroup == name]
        y = np.array([r.stored["effect"] for r in rows])
        w = 1 / np.array([r.stored["se"] for r in rows]) ** 2
        est, se = (w * y).sum() / w.sum(), w.sum() ** -0.5
        q_within += (w * (y - est) ** 2).sum()
        g = groups[name]["pooled"]
        assert g["k"] == len(rows) and groups[name]["heterogeneity"]["q"] == pytest.approx(
            (w * (y - est) ** 2).sum(),
            abs=5e-7,  # RevMan stores the SEs to 8 decimals
        )
        assert g["estimate"] == pytest.approx(est, abs=1e-8)
        assert g["ci_lower"] == pytest.approx(est - 1.959963984540054 * se, abs=1e-8)
        assert g["ci_upper"] == pytest.approx(est + 1.959963984540054 * se, abs=1e-8)
    test = doc["subgroups"]["test"]
    assert test["q"] == pytest.approx(a.stored["chi2"] - q_within, abs=5e-7)
    assert test["df"] == 1


def test_mantel_haenszel_subgroups_are_kept_on_the_entries_and_the_import_says_why_not_in_the_spec(tmp_path):
    from metaevidence.io.revman_import import plan_review

    review = read_revman(DATA / "Fleiss1993_CR.csv")
    a = next(a for a in review.analyses if a.method == "MH")
    for i, row in enumerate(a.rows):
        row.subgroup = "first" if i < 3 else "second"
    plan = plan_review(review, tmp_path / "studies", tmp_path / "analyses", date=dt.date(2026, 12, 3))
    assert "subgroups" not in plan.specs[ASPIRIN]
    assert any(
        "has 2 subgroups (first, second), pooled by mantel-haenszel in RevMan" in n
        and "the spec pools overall only" in n
        for n in plan.notes
    )
    assert plan.records["mrc-1-1974"]["outcomes"][0]["subgroup"] == "first"
