"""core/permute.py: the permutation sets behind permutation_test."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.core import permute as P


def test_sign_flips_enumerate_all_patterns_once():
    s = P.sign_flips(4)
    assert s.shape == (16, 4) and (s[0] == 1).all()
    assert len({tuple(r) for r in s.tolist()}) == 16
    np.testing.assert_array_equal(P.sign_flips(4, start=5, stop=9), s[5:9])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=1, max_size=7))
def test_unique_permutations_are_all_distinct_arrangements(classes):
    perms = P.unique_permutations(classes)
    classes = np.asarray(classes)
    assert perms.shape == (P.count_unique_permutations(classes), classes.size)
    arrangements = {tuple(classes[p]) for p in perms}
    assert len(arrangements) == perms.shape[0]  # distinct arrangements, none repeated
    np.testing.assert_array_equal(perms[0], np.arange(classes.size))  # observed first
    assert all(sorted(p) == list(range(classes.size)) for p in perms.tolist())


def test_counts():
    assert P.count_unique_permutations([0] * 7 + [1] * 2 + [2] * 4) == 25740
    assert P.count_unique_permutations(range(6)) == math.factorial(6)
    assert P.row_classes(np.array([[1, 5.0], [1, 3.0], [1, 5.0]])).tolist() == [0, 1, 0]


def test_random_sets_start_with_the_observed_data():
    rng = np.random.default_rng(3)
    perms = P.random_permutations(6, 50, rng)
    np.testing.assert_array_equal(perms[0], np.arange(6))
    assert all(sorted(p) == list(range(6)) for p in perms.tolist())
    signs = P.random_sign_flips(6, 50, rng)
    assert (signs[0] == 1).all() and set(np.unique(signs)) == {-1.0, 1.0}


def test_p_value_counts_ties_within_tolerance():
    observed = np.sqrt(3.0) ** 2
    assert P.permutation_p_value([3.0, 1.0, -3.0, 2.0], observed) == pytest.approx(0.5)
    assert P.permutation_p_value([3.0, 1.0, -3.0, 2.0], observed, two_sided=False) == 0.25
