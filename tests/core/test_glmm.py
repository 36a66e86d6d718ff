"""core.glmm: the quadrature against direct numerical integration, and the Newton fit."""

from __future__ import annotations

import numpy as np
from scipy import integrate, special, stats

from metaevidence.core.glmm import Design, _study_ll_q1, _study_ll_q2, fit_glmm, gh_rule, loglik_saturated


def _exact_q1(x, n, eta, z, theta):
    def f(u):
        p = special.expit(eta + z * theta * u)
        return np.prod(stats.binom.pmf(x, n, p)) * stats.norm.pdf(u)

    return np.log(integrate.quad(f, -12, 12, epsabs=0, epsrel=1e-13, limit=400)[0])


def test_gauss_hermite_rule_integrates_normal_moments():
    z, w = gh_rule(7)
    assert (
        abs(w.sum() - 1) < 1e-14 and abs(np.sum(w * z**2) - 1) < 1e-13 and abs(np.sum(w * z**4) - 3) < 1e-12
    )


def test_adaptive_quadrature_converges_to_the_integral():
    x, n = np.array([[3.0, 9.0]]), np.array([[40.0, 45.0]])
    eta, z, theta = np.array([[-2.0, -1.5]]), np.array([[0.5, -0.5]]), 1.3
    const = loglik_saturated(x, n)  # the kernel is the log-likelihood minus its saturated value
    exact = _exact_q1(x[0], n[0], eta[0], z[0], theta)
    errs = []
    for k in (1, 3, 7, 15, 25):
        approx = _study_ll_q1(x, n, eta, z, theta, *gh_rule(k))[0] + const
        errs.append(abs(approx - exact))
    assert errs[-1] < 1e-10 and errs[2] < 1e-5 and errs[0] > errs[2], errs  # Laplace is the crudest


def test_laplace_with_two_effects_reduces_to_one_when_a_sd_is_zero():
    x, n = np.array([[3.0, 9.0]]), np.array([[40.0, 45.0]])
    eta = np.array([[-2.0, -1.5]])
    Z = np.array([[[1.0, 0.5], [1.0, -0.5]]])
    two = _study_ll_q2(x, n, eta, Z, np.array([0.0, 1.3]))
    one = _study_ll_q1(x, n, eta, Z[:, :, 1], 1.3, *gh_rule(1))
    assert abs(two[0] - one[0]) < 1e-12


def test_logistic_regression_matches_closed_form():
    # one group: the MLE of the log-odds is logit(x/n), its variance 1/(n p (1-p))
    d = Design(
        np.array([[7.0]]), np.array([[30.0]]), np.ones((1, 1, 1)), np.zeros((1, 1, 0)), np.zeros((1, 1))
    )
    f = fit_glmm(d, [0.0])
    p = 7 / 30
    assert abs(f.beta[0] - special.logit(p)) < 1e-12
    assert abs(f.vcov[0, 0] - 1 / (30 * p * (1 - p))) < 1e-12
    assert abs(f.loglik - stats.binom.logpmf(7, 30, p)) < 1e-12
