# Fixture: metafor::escalc() for the third round of measures that Debian's metafor 3.8-1
# computes: SMD1H, VRC, CVRC (paired variability), RTET (tetrachoric), PBIT (probit risk
# difference), IRSD (square-root rate difference), RPB and RBIS
# ((point-)biserial from group statistics), SPCOR (semi-partial correlation) and SMN
# (single-group standardized mean).
#
# Writes tests/reference/escalc_round3.json (layout as escalc_more.json). Measures only
# metafor >= 4.0 has (ZPHI, ZTET, ZPB, ZBIS, ZSPCOR, R2, ZR2, SMCRP, SMCRPH) and the 5.x
# default bias corrections of ROMC, CVR and CVRC are tested in Python against the
# published formulas and worked examples instead (tests/stats/test_effects_round3.py).
#
# Datasets: metadat's dat.curtis1998 and dat.normand1999 (two groups), dat.bcg (2x2
# tables), dat.hart1999 (events and person-years), dat.aloe2013 (t statistics and R^2 of regression models); the 2x2 table of the
# Handbook of Research Synthesis (2nd ed., Table 13.4, p. 242); the paired sets of
# escalc_more.R; constructed edge cases.

library(metadat)

cases <- list()
add_case <- function(id, measure, inputs, dataset, settings = list()) {
  cases[[id]] <<- escalc_case(measure, inputs, dataset, settings)
}

two_group <- escalc_two_group_data()
two_group$constructed <- list(m1i = c(10, 5, -3, 100, 2), sd1i = c(2, 1, 4, 1, 3),
                              n1i = c(2, 30, 5, 1000, 40), m2i = c(10, 10, 1, 50, 2.5),
                              sd2i = c(2, 2, 0.5, 3, 1), n2i = c(3, 30, 8, 3, 10))
for (d in names(two_group)) {
  add_case(sprintf("%s-SMD1H", d), "SMD1H", two_group[[d]], d)
  add_case(sprintf("%s-RPB", d), "RPB", two_group[[d]], d)
  add_case(sprintf("%s-RPB-CS", d), "RPB", two_group[[d]], d, list(vtype = "CS"))
  add_case(sprintf("%s-RBIS", d), "RBIS", two_group[[d]], d)
}

# paired: Morris & DeShon (2002) example and a constructed set (positive means)
paired <- list(
  morris2002 = list(m1i = 26, m2i = 22, sd1i = sqrt(30), sd2i = sqrt(20), ni = 60, ri = 0.7),
  constructed = list(m1i = c(10, 12.5, 30, 5, 8), m2i = c(8, 13, 21, 4.5, 8),
                     sd1i = c(2, 3, 6, 1, 2.5), sd2i = c(2.5, 2, 7, 1.2, 2.5),
                     ni = c(20, 8, 45, 4, 100), ri = c(0.5, -0.3, 0, 0.95, 0.2))
)
for (m in c("VRC", "CVRC")) {
  for (d in names(paired)) add_case(sprintf("%s-%s", d, m), m, paired[[d]], d)
}

bcg <- dat.bcg
assoc <- list(
  bcg = list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg),
  hbook = list(ai = 135, bi = 15, ci = 40, di = 10),
  constructed = list(ai = c(1, 10, 3, 25, 40, 200), bi = c(10, 1, 5, 25, 2, 3),
                     ci = c(5, 3, 2, 25, 3, 4), di = c(10, 7, 10, 25, 55, 1))
)
for (d in names(assoc)) {
  add_case(sprintf("%s-RTET", d), "RTET", assoc[[d]], d)
  add_case(sprintf("%s-PBIT", d), "PBIT", assoc[[d]], d)
}
# zero cells: RTET's default add is 0 (the estimate is then +-1); with add=0.5 it is finite
zero_cells <- list(ai = c(0, 10, 3), bi = c(10, 0, 5), ci = c(5, 3, 0), di = c(10, 7, 10))
add_case("constructed-RTET-add", "RTET", zero_cells, "constructed", list(add = 0.5))
add_case("constructed-PBIT-zero", "PBIT", zero_cells, "constructed")

# square-root incidence rate difference (default add = 0)
hart <- dat.hart1999
irsd <- list(
  hart1999 = list(x1i = hart$x1i, t1i = hart$t1i, x2i = hart$x2i, t2i = hart$t2i),
  constructed = list(x1i = c(0, 10, 3), t1i = c(100, 20, 0.5), x2i = c(0, 5, 40), t2i = c(50, 30, 1000))
)
for (d in names(irsd)) add_case(sprintf("%s-IRSD", d), "IRSD", irsd[[d]], d)

aloe <- dat.aloe2013
spcor <- list(
  aloe2013 = list(ti = aloe$tval, ni = aloe$n, mi = aloe$preds, r2i = aloe$R2),
  constructed = list(ti = c(-2.5, 0, 10, 1.2), ni = c(30, 12, 500, 8), mi = c(3, 1, 10, 2),
                     r2i = c(0.2, 0, 0.6, 0.9))
)
for (d in names(spcor)) add_case(sprintf("%s-SPCOR", d), "SPCOR", spcor[[d]], d)

single <- list(
  curtis1998 = list(mi = metadat::dat.curtis1998$m1i[1:30], sdi = metadat::dat.curtis1998$sd1i[1:30],
                    ni = metadat::dat.curtis1998$n1i[1:30]),
  constructed = list(mi = c(1, -0.01, 250, 0, 3), sdi = c(0.5, 0.02, 10, 1, 3), ni = c(2, 5, 1000, 3, 2))
)
for (d in names(single)) add_case(sprintf("%s-SMN", d), "SMN", single[[d]], d)

write_fixture(cases, file.path(REF_DIR, "escalc_round3.json"),
  "metafor::escalc() for the third effect-size round (measures metafor 3.8-1 has)")
