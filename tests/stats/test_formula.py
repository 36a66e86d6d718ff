"""The moderator formula language: columns as R's model.matrix builds them."""

import numpy as np
import pandas as pd
import pytest

from metaevidence.stats.formula import design_from_columns, model_matrix
from tests.reference_data import load_reference

REF = load_reference("regression")


@pytest.mark.parametrize(
    "cid", sorted(c for c, v in REF["cases"].items() if v["formula"] and c.endswith("-z"))
)
def test_columns_match_r_model_matrix(cid):
    case = REF["cases"][cid]
    mm = model_matrix(case["formula"], case["moderators"])
    keep = np.array(case["not_na"])
    assert mm.names == tuple(case["colnames"])
    np.testing.assert_array_equal(np.isfinite(mm.X).all(axis=1), keep)
    np.testing.assert_allclose(mm.X[keep], np.array(case["X"]), rtol=1e-15)


def test_text_columns_are_factors_with_sorted_levels():
    mm = model_matrix("~ g", {"g": ["b", "c", "a", "b"]})
    assert mm.names == ("intrcpt", "gb", "gc")
    np.testing.assert_array_equal(mm.X[:, 1], [1, 0, 0, 1])


def test_numeric_factor_levels_sort_numerically():
    mm = model_matrix("~ factor(dose)", {"dose": [10, 2, 5, 2]})
    assert mm.names == ("intrcpt", "factor(dose)5", "factor(dose)10")


def test_pandas_categorical_keeps_category_order():
    g = pd.Categorical(["lo", "hi", "mid"], categories=["lo", "mid", "hi"])
    mm = model_matrix("~ g", pd.DataFrame({"g": g}))
    assert mm.names == ("intrcpt", "gmid", "ghi")


def test_interactions_and_arithmetic():
    data = {"x": [1.0, 2.0, 3.0, 4.0], "z": [0.5, 1.0, 1.5, 3.0], "g": ["a", "b", "a", "b"]}
    mm = model_matrix("~ x * z + I(x^2) + log(z + 1)", data)
    assert mm.names == ("intrcpt", "x", "z", "I(x^2)", "log(z + 1)", "x:z")
    np.testing.assert_allclose(mm.X[:, 3], np.array(data["x"]) ** 2)
    np.testing.assert_allclose(mm.X[:, 4], np.log(np.array(data["z"]) + 1))
    np.testing.assert_allclose(mm.X[:, 5], np.array(data["x"]) * np.array(data["z"]))
    mm = model_matrix("~ x:g + g + x", data)
    assert mm.names == ("intrcpt", "gb", "x", "x:gb")


def test_no_intercept_spellings():
    data = {"g": ["a", "b", "c"]}
    for formula in ("~ 0 + g", "~ g - 1", "~ g + 0"):
        mm = model_matrix(formula, data)
        assert mm.names == ("ga", "gb", "gc") and not mm.intercept


def test_missing_values_blank_the_row():
    mm = model_matrix("~ x + g", {"x": [1.0, np.nan, 3.0], "g": ["a", "b", None]})
    np.testing.assert_array_equal(np.isfinite(mm.X).all(axis=1), [True, False, False])


def test_design_from_columns():
    mm = design_from_columns(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]), n=3)
    assert mm.names == ("intrcpt", "mods1", "mods2")
    mm = design_from_columns({"lat": [1.0, 2.0, 3.0], "arm": ["x", "y", "x"]}, n=3, intercept=False)
    assert mm.names == ("lat", "armx", "army")


def test_errors():
    with pytest.raises(ValueError, match="must be one-sided and start with '~'"):
        model_matrix("y ~ x", {"x": [1.0]})
    with pytest.raises(ValueError, match="uses column\\(s\\) w not in the moderator data; available: x"):
        model_matrix("~ w", {"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="function foo\\(\\) is not supported"):
        model_matrix("~ I(foo(x))", {"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="cannot read '\\$x'"):
        model_matrix("~ $x", {"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="x holds text and cannot be used in arithmetic"):
        model_matrix("~ I(x^2)", {"x": ["a", "b"]})
    with pytest.raises(ValueError, match="needs the main effect g"):
        model_matrix("~ x:g", {"x": [1.0, 2.0], "g": ["a", "b"]})
    with pytest.raises(ValueError, match="fewer than two levels"):
        model_matrix("~ g", {"g": ["a", "a"]})
    with pytest.raises(ValueError, match="needs data"):
        model_matrix("~ x", None)
    with pytest.raises(TypeError, match="formula must be a string"):
        model_matrix(3, {"x": [1.0]})
    with pytest.raises(ValueError, match="columns have different lengths"):
        model_matrix("~ x + z", {"x": [1.0, 2.0], "z": [1.0]})
    with pytest.raises(ValueError, match="removing terms other than the intercept"):
        model_matrix("~ x - z", {"x": [1.0, 2.0], "z": [1.0, 2.0]})
    with pytest.raises(ValueError, match="one row per study \\(4\\); got 3 rows"):
        design_from_columns([1.0, 2.0, 3.0], n=4)
