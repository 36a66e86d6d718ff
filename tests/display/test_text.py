"""Number formatting of reports and diffs (display only: numbers are never changed)."""

from __future__ import annotations

import math

from metaevidence.display.text import (
    NULL_VALUE,
    TRANSFORMS,
    fmt,
    fmt_ci,
    fmt_effect,
    fmt_i2,
    fmt_p,
    fmt_signed,
    fmt_tau2,
    level_pct,
    plural,
    present,
    study_ci,
    z_quantile,
)


def test_fmt():
    assert fmt(1.005) == "1.00" and fmt(1.0051) == "1.01"  # round-half-even on the binary value
    assert fmt(-0.001) == "0.00" and fmt(-0.01) == "-0.01"
    assert fmt(None) == "--" and fmt(math.nan) == "--" and fmt(math.inf) == "inf" and fmt(-math.inf) == "-inf"
    assert fmt_signed(0.123) == "+0.12" and fmt_signed(-0.123) == "-0.12" and fmt_signed(0.001) == "0.00"
    assert fmt_signed(None) == "--"


def test_effects_on_the_presentation_scale():
    assert fmt_effect(math.log(1.5), "exp") == "1.50"
    assert fmt_effect(math.atanh(0.3), "tanh") == "0.30"
    assert fmt_effect(0.25, None) == "0.25"
    assert present(None, "exp") is None and present(1000.0, "exp") == math.inf
    assert fmt_ci(math.log(0.5), math.log(2), "exp") == "0.50 to 2.00"
    assert fmt_ci(None, None, "exp") == "--"
    # the package's presentation transforms: logits as proportions too, which have no null
    assert fmt_effect(math.log(3.0), "expit") == "0.75"
    assert NULL_VALUE == {None: 0.0, "exp": 1.0, "tanh": 0.0, "expit": None}
    assert set(TRANSFORMS) == {None, "exp", "tanh", "expit"}


def test_p_tau2_i2_levels():
    assert fmt_p(0.0004) == "p < 0.001" and fmt_p(0.0344) == "p = 0.034" and fmt_p(None) == "p = --"
    assert fmt_tau2(0.123456) == "0.1235" and fmt_i2(45.25) == "45.2%" and fmt_i2(None) == "--"
    assert level_pct(0.95) == "95%" and level_pct(0.9) == "90%" and level_pct(0.975) == "97.5%"
    assert (
        plural(1, "study") == "1 study"
        and plural(2, "study") == "2 studies"
        and plural(3, "file") == "3 files"
    )
    assert plural(2, "analysis", "analyses") == "2 analyses"


def test_study_interval():
    assert z_quantile(0.95) == 1.959963984540054
    lo, hi = study_ci(0.0, 1.0, 0.95)
    assert (lo, hi) == (-1.959963984540054, 1.959963984540054)
    assert study_ci(None, 1.0, 0.95) == (None, None)
