"""Named tolerances for comparisons with reference values, each with its justification.

Use them through :func:`tests.reference_data.assert_close`; never compare rounded numbers.
"""

#: Closed-form formulas (escalc measures, DL/HE/HS/SJ tau^2, inverse-variance pooling,
#: MH/Peto): the same arithmetic in a different order; double rounding error grows to a
#: few ulps times the condition number, so 1e-10 relative leaves ample margin.
CLOSED_FORM = 1e-10

#: Quantities that pass through a special-function evaluation (t/chi^2 quantiles and
#: p-values in scipy vs R's nmath): both are accurate to ~1e-14 relative in the body of
#: the distribution, worse in far tails; 1e-8 relative covers p-values down to 1e-300.
DISTRIBUTION = 1e-8

#: Iterative tau^2 estimators (REML, ML, EB, PM, SJ iterations) solved to 1e-10 here and
#: to metafor's tightened threshold (control = list(threshold = 1e-12, tol = 1e-12))
#: there: the two fixed points agree to ~1e-9; 1e-6 relative is the issue's bound.
ITERATIVE = 1e-6

#: Absolute floor for quantities that are exactly zero in theory (tau^2 truncated at 0,
#: I^2 = 0): relative error is meaningless there.
ZERO_ABS = 1e-12

#: Absolute floor for effect sizes that are logs of ratios within ~1e-7 of 1 (or similar
#: cancellations, e.g. Fisher's z of r = 1e-8): any evaluation order rounds the ratio by
#: ~1e-16 relative, i.e. the result by ~1e-16 absolute, so relative agreement is bounded by
#: ~1e-16/|yi| (2e-9 at |yi| = 5e-8). Only matters where |yi| < ABS/CLOSED_FORM = 1e-4.
CANCELLATION_ABS = 1e-14

#: Meta-regressions with a raw calendar-year moderator beside an intercept: the condition
#: number of X'WX is ~2e11 (bcg ~ ablat + year), so the forward error of the coefficients
#: can reach kappa * eps ~ 5e-5 in theory; in both implementations it stays near 1e-9.
#: 1e-7 relative leaves margin while still catching any formula difference.
ILL_CONDITIONED = 1e-7

#: tau^2 on the boundary: metafor's Fisher scoring approaches tau^2 = 0 by step halving
#: and stops within its threshold (1e-12 in the fixtures), leaving ~1e-11; we return
#: exactly 0. Statistics that depend on tau^2 move by the same order.
TAU2_BOUNDARY_ABS = 1e-9

# metafor's tes() finds its limit estimate theta_lim with uniroot() at the default
# tolerance .Machine$double.eps^0.25 (about 1.2e-4) and passes no control: absolute.
METAFOR_UNIROOT_DEFAULT = 1.22e-4

# metafor's tes() computes the expected power under tau^2 > 0 with integrate() (default
# rel.tol eps^0.25); ours is the closed form, so the fixture carries integration error
# (5.7e-7 in power on bcg): absolute.
METAFOR_INTEGRATE = 1e-5

#: rma.mv fits: metafor's nlminb stops at rel.tol = 1e-10 on the (restricted) deviance
#: (tighter settings make nlminb report false convergence); at that objective tolerance the
#: variance components are fixed only to ~sqrt(1e-10) relative in theory, and the fixtures
#: agree with our Fisher scoring (solved to 1e-10) to <= 1e-6 relative (coefficients and
#: SEs to <= 1e-7). Profile-likelihood bounds come from uniroot at tol = 1e-12 on refits
#: at that optimum and agree to ~1e-11.
MULTILEVEL = 5e-6

#: A variance component on the boundary in rma.mv: nlminb on log(sigma2) walks toward
#: -infinity and stops near sigma2 = 1e-10; we return exactly 0.
MULTILEVEL_BOUNDARY_ABS = 1e-8

#: rma.mv multivariate fits (struct UN/CS/HCS/AR): nlminb at rel.tol = 1e-10 over
#: log(tau^2) and atanh(rho); metafor's own UN and HCS fits of the same two-outcome model
#: (dat.berkey1998) differ by 1.6e-5 relative in tau^2, so that is the reference's accuracy.
MULTIVARIATE = 5e-5

#: metafor's tetrachoric correlation (RTET, ZTET) is found by numerical optimization of a
#: likelihood whose bivariate normal probabilities come from mvtnorm's randomized
#: integration (absolute error ~1e-6): its estimates sit up to ~2e-5 from the exact root
#: of Phi2(h, k; r) = a/n that we solve to 1e-15 (checked independently in the tests), and
#: the variance moves with them (up to ~2% relative where r is near 1 and vi ~1e-4).
#: Absolute 5e-5 on yi; on vi 1e-4 relative or 5e-6 absolute.
TETRACHORIC_YI_ABS = 5e-5
TETRACHORIC_VI_REL = 1e-4
TETRACHORIC_VI_ABS = 5e-6

#: selmodel (step-function selection models): metafor's optim stops at reltol = 1e-10 on
#: the log-likelihood, which pins the parameters only to about sqrt(1e-10) relative, and
#: the two programs differentiate the Hessian numerically in different ways (the SEs).
SELMODEL_OPTIM = 5e-5

#: Simulated Q-Q envelopes (qq_plot against metafor's qqnorm(smooth=FALSE)): both are
#: quantiles of 20000 replicates from different random streams. The Monte Carlo SE of a
#: 2.5%/97.5% quantile of a sorted-residual rank is about 0.02 (0.025*0.975/20000 over the
#: density there); 0.08 absolute is 4 SE per point for the 26 points of a figure. A
#: Bonferroni envelope (quantiles near 0.2%) has about twice that SE: 0.15.
QQ_ENVELOPE_ABS = 0.08
QQ_ENVELOPE_BONFERRONI_ABS = 0.15
#: selmodel with a parametric selection function (beta, halfnorm, negexp, logistic, power):
#: metafor integrates the normalising constant adaptively (integrate(), rel.tol 1e-10 in the
#: fixture) inside optim's numerical gradients, so its maximum is found to ~1e-11 in the
#: log-likelihood (parameters to a few 1e-6 relative where the likelihood is flat) and its
#: numDeriv Hessian sees that integration noise; ours is a fixed Gauss-Legendre rule
#: (~1e-14). Observed agreement <= 5.1e-5 relative (negexp SE); the estimate of mu has an
#: absolute floor (negexp's mu is 0.005, off by 1.5e-6).
SELMODEL_PARAM = 1e-4
SELMODEL_PARAM_ABS = 1e-5
#: Standard errors of the parametric models: metafor's come from a numDeriv Hessian at its
#: optimiser's stopping point (its numerical gradient there is up to 1e-4; hackshaw negexp:
#: Nelder-Mead started from it climbs to our maximum, 5e-11 higher in the log-likelihood) of
#: a likelihood integrated adaptively. Ours are stable to 1e-6 across Hessian steps 3e-3 to
#: 3e-4 (tests/stats/test_selection.py). Observed: <= 1.2e-5, except the SE of tau^2 of the
#: power model with prec="vi" (8.5e-4), where a likelihood integrated by scipy's adaptive quad
#: at 1e-13 gives our SEs to 1e-7 (0.0175493 against metafor's 0.0175643).
SELMODEL_PARAM_SE = 1e-3
#: The truncated beta model's log-likelihood at metafor's estimates against metafor's: the
#: integrand of its normalising constant has kinks where p(y) crosses the truncation points,
#: which our rule puts on panel edges and metafor's integrate() (rel.tol 1e-10) does not;
#: measured 2.6e-7 on hackshaw (0.025, 0.975), where scipy's quad with the kinks as break
#: points gives ours to 1e-15; 1.2e-11 and 2.2e-9 on the other two cases.
SELMODEL_TRUNC_BETA_LL = 1e-6
#: negexppow with a threshold, min(1, w(p)/w(alpha)): the integrand of the normalising
#: constant jumps in its derivative at alpha and metafor's integrate() at rel.tol 1e-10 does
#: not finish (20 minutes), so the fixture uses rel.tol 1e-8 (its default, ~1e-4, is 4e-3 off
#: in the log-likelihood on hackshaw). Measured: metafor's log-likelihood 8.5e-8 above ours
#: at its estimates (scipy's quad with alpha as a break point gives ours to 1e-15).
SELMODEL_THRESHOLD_LL = 5e-7
#: selmodel(type="truncest"): metafor's optimiser stops on a likelihood that jumps at every
#: estimate, within 6e-4 of the observed estimate where the supremum lies and short of the
#: optimum in the other parameters (at its own cut-point the truncation model climbs 7.7e-4
#: higher on hackshaw). Against our supremum: mu within 8.2e-4 relative (hackshaw) and
#: 1.6e-4 (bcg), delta_1 within 4.0e-3 and 8.6e-3; tau^2 (6% on hackshaw, SE larger than
#: the estimate) is not compared.
TRUNCEST_STOP = 2e-2
#: GLMMs with one random effect per study (rma.glmm UM.FS, CM.AL, ML) against the "polished"
#: fixture optimum (lme4's own deviance function minimised further by nlminb, SEs from
#: numDeriv's Richardson Hessian): we solve to 1e-8 relative with finite-difference
#: derivatives (step 1e-5/1e-4) of the per-study quadrature; measured agreement <= 6.5e-7
#: (bcg UM.FS tau^2), SEs <= 3e-7.
GLMM_AGQ = 2e-6

#: The same fits against what metafor itself reports (tightened bobyqa): glmer stops short
#: of the optimum (bcg UM.FS: deviance 2.3e-9 above it, estimate off 1.3e-6) and lme4's
#: vcov() uses a plain central-difference Hessian (step 1e-4), off by up to 3.5e-5 relative.
GLMM_GLMER = 5e-5

#: Equal-effects GLMMs are glm() fits: glm stops when the deviance changes by < 1e-8
#: relative and takes vcov from the last IRLS weights, so its SEs sit up to 2.2e-6 from the
#: exact inverse information we compute (estimates agree to ~1e-11).
GLMM_GLM_SE = 1e-5

#: UM.RS (two random effects per study, Laplace approximation): lme4's penalized IRLS stops
#: at tolPwrss = 1e-7, so its deviance function is rough at the 1e-7 level; bobyqa's optimum
#: sits 9e-5 (bcg) from the exact Laplace optimum we compute (where lme4's own deviance is
#: 1.6e-7 lower than at its optimum under ours), and finite-difference Hessians of that rough
#: function move the SE by up to 0.4% (bcg: lme4 vcov 0.181465, numDeriv 0.181465, ours
#: 0.182141). Estimates, tau^2, sigma^2 and the LRT: 2e-4 relative; SEs and the Wald test 5e-3.
GLMM_LAPLACE2 = 2e-4
GLMM_LAPLACE2_SE = 5e-3

#: Henmi & Copas (2010) bounds and critical value: the critical value is the root of a
#: numerical integral. Ours is adaptive quadrature to 1e-12 and root finding to 1e-14 (an
#: independent implementation agrees to 1e-13); metafor's integrate() keeps its default
#: rel.tol (~1.2e-4 requested, typically ~1e-8 achieved) even with control tol = 1e-12, which
#: leaves up to 3.1e-8 in the bounds (egger2001, li2007). 1e-7 absolute keeps margin and still
#: catches any difference in the formulas (metafor's default uniroot tolerance alone moves
#: the bounds by ~1e-5).
HENMI_COPAS_ABS = 1e-7

#: CM.EL (exact conditional GLMM) against the independent R computation of the same model
#: (tests/reference/R/rma_glmm_cmel.R): that fit's optimum is found by nlminb on a
#: log-likelihood evaluated with integrate(rel.tol = 1e-12), whose ~1e-12 noise leaves the
#: parameters up to ~sqrt(1e-12 / curvature) ~ 1e-6 from the optimum (measured <= 6e-8);
#: ours stops at a gradient of ~1e-12.
CMEL_OPTIMUM = 1e-6

#: CM.EL standard errors against metafor's: metafor takes them from numDeriv's Hessian at
#: its optimizer's stopping point, and they move in the 4th-5th digit with the optimizer
#: (dat.bcg: 0.1800768 nlminb, 0.1800717 nlm, 0.1800717 ours and independently); measured
#: 3e-5 to 1.7e-4 relative. 2e-3 still catches a wrong variance formula.
CMEL_METAFOR_SE = 2e-3

#: metafor's fsn(type = "General") refits with rma's defaults and passes no control: Fisher
#: scoring (REML, ML) stops once tau^2 changes by less than the default threshold 1e-5
#: (2.7e-6 measured), absolute in tau^2. Its PM fits use uniroot's default tolerance,
#: METAFOR_UNIROOT_DEFAULT (4.8e-5 measured).
METAFOR_DEFAULT_THRESHOLD = 1e-5

#: The closed-form t tail of core/tails.py against R's pt: it computes p = 1 - A with A
#: accurate to a few 1e-16 absolute, and is used only where p >= 1e-3, so its relative
#: error is at most ~1e-16 / 1e-3 times a few (3e-13 measured against 40-digit mpmath).
T_TAIL_CLOSED_FORM = 2e-12

#: Friedman's SuperSmoother (core/smooth.py) against R's stats::supsmu: the same running
#: lines, their sums formed directly here and by running updates in R's Fortran; measured
#: agreement <= 1.3e-13 relative on 41 seeded cases (n = 5 to 250).
SUPSMU = 1e-11
