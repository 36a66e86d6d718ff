# Fixture: metafor::escalc() for the measures and vtype options added after the first escalc
# fixture (paired designs, variability ratios, single-group log measures, single-group rates,
# 2x2 association measures, Cronbach's alpha, partial correlations; MD/SMD/ROM vtypes).
#
# Writes tests/reference/escalc_more.json, with the same case layout as escalc.json (exact
# call, inputs under metafor's names, settings, yi, vi). Generated with Debian's metafor
# 3.8-1; measures or defaults that changed in metafor 5.x are tested in Python against the
# published formulas and metafor 5's own test values instead (see tests/stats/test_effects_more.py).
#
# Datasets: metadat's dat.curtis1998 (means/SDs, ratio-scale), dat.normand1999,
# dat.hart1999 (events and person-years), dat.bcg (2x2 tables), dat.bonett2010 (Cronbach's
# alpha), dat.aloe2013 (t statistics of regression coefficients); paired designs have no
# metadat dataset with pre/post correlations, so they use small constructed sets, one of
# which is the worked example of Morris & DeShon (2002) as used in metafor's tests.

library(metadat)

cases <- list()

add_case <- function(id, measure, inputs, dataset, settings = list()) {
  cases[[id]] <<- escalc_case(measure, inputs, dataset, settings)
}

# ------------------------------------------------------------------ two-group vtype options
curtis <- dat.curtis1998[1:30, ]
normand <- dat.normand1999
two_group <- escalc_two_group_data()
for (d in names(two_group)) {
  add_case(sprintf("%s-MD-HO", d), "MD", two_group[[d]], d, list(vtype = "HO"))
  for (v in c("UB", "AV", "LS2")) add_case(sprintf("%s-SMD-%s", d, v), "SMD", two_group[[d]], d, list(vtype = v))
  add_case(sprintf("%s-ROM-HO", d), "ROM", two_group[[d]], d, list(vtype = "HO"))
  for (m in c("VR", "CVR")) add_case(sprintf("%s-%s", d, m), m, two_group[[d]], d)
}
# two people in a group, equal SDs and CVs, a tiny mean
edge_var <- list(m1i = c(10, 5, 0.01, 100), sd1i = c(2, 1, 0.02, 1), n1i = c(2, 30, 5, 1000),
                 m2i = c(10, 10, 1, 50), sd2i = c(2, 2, 0.5, 3), n2i = c(2, 30, 8, 3))
for (m in c("VR", "CVR")) add_case(sprintf("constructed-%s", m), m, edge_var, "constructed")

# ------------------------------------------------------------------ paired (pre-post) designs
# Morris & DeShon (2002) example as used in metafor's tests, and a constructed set with
# negative, zero and near-one correlations and small n.
paired <- list(
  morris2002 = list(m1i = 26, m2i = 22, sd1i = sqrt(30), sd2i = sqrt(20), ni = 60, ri = 0.7),
  constructed = list(m1i = c(10, 12.5, 30, 5, 8), m2i = c(8, 13, 21, 4.5, 8),
                     sd1i = c(2, 3, 6, 1, 2.5), sd2i = c(2.5, 2, 7, 1.2, 2.5),
                     ni = c(20, 8, 45, 4, 100), ri = c(0.5, -0.3, 0, 0.95, 0.2))
)
for (m in c("MC", "SMCC", "SMCR", "SMCRH", "ROMC")) {
  for (d in names(paired)) add_case(sprintf("%s-%s", d, m), m, paired[[d]], d)
}

# ------------------------------------------------------------------ single-group means/SDs
single <- list(
  curtis1998 = list(mi = curtis$m1i, sdi = curtis$sd1i, ni = curtis$n1i),
  normand1999 = list(mi = normand$m2i, sdi = normand$sd2i, ni = normand$n2i),
  constructed = list(mi = c(1, 0.01, 250, 3), sdi = c(0.5, 0.02, 10, 3), ni = c(2, 5, 1000, 3))
)
for (m in c("MNLN", "CVLN", "SDLN")) {
  for (d in names(single)) add_case(sprintf("%s-%s", d, m), m, single[[d]], d)
}

# ------------------------------------------------------------------ single-group rates
hart <- dat.hart1999
rates <- list(
  hart1999 = list(xi = hart$x1i, ti = hart$t1i),
  hart1999_control = list(xi = hart$x2i, ti = hart$t2i),
  constructed = list(xi = c(0, 1, 50, 0, 3), ti = c(100, 10, 2000, 5, 0.5))
)
for (m in c("IR", "IRLN", "IRS", "IRFT")) {
  for (d in names(rates)) add_case(sprintf("%s-%s", d, m), m, rates[[d]], d)
  add_case(sprintf("constructed-%s-to_all", m), m, rates$constructed, "constructed", list(to = "all"))
}

# ------------------------------------------------------------------ 2x2 association measures
bcg <- dat.bcg
assoc <- list(
  bcg = list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg),
  hbook = list(ai = 135, bi = 15, ci = 40, di = 10),
  constructed = list(ai = c(0, 10, 3, 25), bi = c(10, 0, 5, 25), ci = c(5, 3, 0, 25), di = c(10, 7, 10, 25))
)
for (m in c("PHI", "YUQ", "YUY")) {
  for (d in names(assoc)) add_case(sprintf("%s-%s", d, m), m, assoc[[d]], d)
}
for (d in names(assoc)) add_case(sprintf("%s-PHI-ST", d), "PHI", assoc[[d]], d, list(vtype = "ST"))

# ------------------------------------------------------------------ Cronbach's alpha
bonett <- dat.bonett2010
alpha <- list(
  bonett2010 = list(ai = bonett$ai, mi = bonett$mi, ni = bonett$ni),
  constructed = list(ai = c(0.5, 0.99, 0.1, -0.2), mi = c(2, 40, 5, 3), ni = c(10, 500, 30, 12))
)
for (m in c("ARAW", "AHW", "ABT")) {
  for (d in names(alpha)) add_case(sprintf("%s-%s", d, m), m, alpha[[d]], d)
}

# ------------------------------------------------------------------ partial correlations
aloe <- dat.aloe2013
pcor <- list(
  aloe2013 = list(ti = aloe$tval, ni = aloe$n, mi = aloe$preds),
  constructed = list(ti = c(-2.5, 0, 10, 1.2), ni = c(30, 12, 500, 8), mi = c(3, 1, 10, 2))
)
for (m in c("PCOR", "ZPCOR")) {
  for (d in names(pcor)) add_case(sprintf("%s-%s", d, m), m, pcor[[d]], d)
}


# ------------------------------------------------------------------ round 2b
for (d in names(two_group)) {
  for (m in c("SMD1", "D2ORN", "D2ORL")) add_case(sprintf("%s-%s", d, m), m, two_group[[d]], d)
}
edge_smd1 <- list(m1i = c(10, 5, -3, 100), sd1i = c(2, 1, 4, 1), n1i = c(2, 30, 5, 1000),
                  m2i = c(10, 10, 1, 50), sd2i = c(2, 2, 0.5, 3), n2i = c(3, 30, 8, 3))
for (m in c("SMD1", "D2ORN", "D2ORL")) add_case(sprintf("constructed-%s", m), m, edge_smd1, "constructed")
for (m in c("OR2DN", "OR2DL")) {
  for (d in names(assoc)) add_case(sprintf("%s-%s", d, m), m, assoc[[d]], d)
}
# matched-pairs tables (paired 2x2: ai both events, bi only under treatment 1, ci only
# under treatment 2, di neither); constructed, with zero discordant cells
mp <- list(
  constructed = list(ai = c(20, 5, 0, 12, 30), bi = c(10, 0, 3, 7, 2), ci = c(4, 6, 0, 7, 0), di = c(66, 9, 17, 30, 1)),
  hbook = list(ai = 135, bi = 15, ci = 40, di = 10)
)
for (m in c("MPRD", "MPRR", "MPOR", "MPORC", "MPPETO")) {
  for (d in names(mp)) add_case(sprintf("%s-%s", d, m), m, mp[[d]], d)
}
molloy <- read_metadat("dat.molloy2014")
ucor <- list(
  molloy2014 = list(ri = molloy$ri, ni = molloy$ni),
  constructed = list(ri = c(0, 0.5, -0.9, 0.99, 0.3), ni = c(10, 5, 50, 1000, 4))
)
for (d in names(ucor)) add_case(sprintf("%s-UCOR", d), "UCOR", ucor[[d]], d)
for (d in names(ucor)) add_case(sprintf("%s-COR-AV", d), "COR", ucor[[d]], d, list(vtype = "AV"))

write_fixture(cases, file.path(REF_DIR, "escalc_more.json"),
  "metafor::escalc() for the measures and vtypes added in the second effect-size round")
