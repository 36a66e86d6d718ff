# Fixture: metafor::escalc() for every measure metaevidence.effect_sizes() implements.
#
# Writes tests/reference/escalc.json. Each case holds the exact call, the input columns under
# metafor's names (as passed; NA -> null), the zero-cell settings given explicitly (an absent
# `add` means metafor's default, which is 1/2 except for AS/PAS/PFT where it is 0), and the
# resulting yi/vi. Inputs are stored so that Python replays exactly what R computed.
#
# Datasets: the metadat raw files in metaevidence/datasets/data (read_metadat) and, where no
# local file has the needed data type, the metadat R package (dat.curtis1998, dat.gibson2002,
# dat.mcdaniel1994, dat.craft2003, dat.debruin2009, dat.pagliaro1992, dat.senn2013,
# dat.hart1999, dat.nielweise2008, dat.hackshaw1998); edge cases are small constructed tables.

library(metadat)

cases <- list()

add_case <- function(id, measure, inputs, dataset, settings = list()) {
  res <- do.call(escalc, c(list(measure = measure), inputs, settings))
  arg_txt <- paste(c(
    sprintf("measure=\"%s\"", measure),
    paste0(names(inputs), "=", names(inputs)),
    vapply(names(settings), function(s) {
      v <- settings[[s]]
      if (is.character(v)) sprintf("%s=\"%s\"", s, v) else sprintf("%s=%s", s, format(v))
    }, "")
  ), collapse = ", ")
  settings_json <- lapply(settings, scalar)
  if (length(settings_json) == 0) settings_json <- structure(list(), names = character(0))
  cases[[id]] <<- list(
    measure = scalar(measure),
    dataset = scalar(dataset),
    call = scalar(sprintf("escalc(%s)", arg_txt)),
    settings = settings_json,
    inputs = lapply(inputs, as.numeric),
    yi = as.numeric(res$yi),
    vi = as.numeric(res$vi)
  )
}

# ---------------------------------------------------------------- two-group binary (2x2 tables)
binary_measures <- c("OR", "RR", "RD", "PETO", "AS")

bcg <- read_metadat("dat.bcg")
lau <- read_metadat("dat.lau1992")
egger <- read_metadat("dat.egger2001")
linde <- read_metadat("dat.linde2005")
collins <- read_metadat("dat.collins1985a")
hb <- read_metadat("dat.hartmannboyce2018")

binary_data <- list(
  bcg = list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg),
  lau1992 = list(ai = lau$ai, n1i = lau$n1i, ci = lau$ci, n2i = lau$n2i),
  egger2001 = list(ai = egger$ai, n1i = egger$n1i, ci = egger$ci, n2i = egger$n2i),
  linde2005 = list(ai = linde$ai, n1i = linde$n1i, ci = linde$ci, n2i = linde$n2i),
  collins1985a = list(ai = collins$d.xti, n1i = collins$nti, ci = collins$d.xci, n2i = collins$nci),
  hartmannboyce2018 = list(ai = hb$x.nrt, n1i = hb$n.nrt, ci = hb$x.ctrl, n2i = hb$n.ctrl)
)
for (m in binary_measures) {
  for (d in names(binary_data)) add_case(sprintf("%s-%s", d, m), m, binary_data[[d]], d)
}

# Edge cases: zero cells in one arm (each cell in turn), no events in either arm, all events in
# both arms, tiny and huge counts, single-person arms.
edge2x2 <- list(
  ai = c(0, 10, 3, 5, 0, 10, 1, 1e6, 1, 7),
  bi = c(10, 0, 5, 3, 10, 0, 1, 2e6, 0, 13),
  ci = c(5, 3, 0, 10, 0, 10, 1, 1.5e6, 0, 9),
  di = c(10, 7, 10, 0, 10, 0, 1, 3e6, 1, 11)
)
# the only zero cells are in a double-zero study (tests drop00 together with if0all)
only00 <- list(ai = c(0, 4, 6), bi = c(20, 16, 14), ci = c(0, 8, 9), di = c(20, 12, 11))
# a column of zeros: no events in any treated group
zero_col <- list(ai = c(0, 0, 0), n1i = c(10, 20, 15), ci = c(3, 5, 1), n2i = c(10, 20, 14))
# no zero cells anywhere (if0all must then add nothing)
no_zero <- list(ai = c(2, 4, 6), bi = c(18, 16, 14), ci = c(5, 8, 9), di = c(15, 12, 11))

for (m in binary_measures) {
  for (to in c("only0", "all", "if0all", "none")) {
    for (drop in c(FALSE, TRUE)) {
      tag <- sprintf("edge2x2-%s-to_%s%s", m, to, if (drop) "-drop00" else "")
      add_case(tag, m, edge2x2, "constructed", list(to = to, drop00 = drop))
      add_case(sprintf("only00-%s-to_%s%s", m, to, if (drop) "-drop00" else ""), m, only00,
               "constructed", list(to = to, drop00 = drop))
    }
    add_case(sprintf("edge2x2-%s-to_%s-add1", m, to), m, edge2x2, "constructed",
             list(add = 1, to = to))
  }
  add_case(sprintf("edge2x2-%s-add0", m), m, edge2x2, "constructed", list(add = 0))
  add_case(sprintf("zerocol-%s", m), m, zero_col, "constructed")
  add_case(sprintf("zerocol-%s-to_if0all", m), m, zero_col, "constructed", list(to = "if0all"))
  add_case(sprintf("nozero-%s-to_if0all", m), m, no_zero, "constructed", list(to = "if0all"))
}

# ---------------------------------------------------------------- two-group continuous
cont_measures <- c("MD", "SMD", "SMDH", "ROM")
norm <- read_metadat("dat.normand1999")
curtis <- dat.curtis1998
gibson <- dat.gibson2002
cont_data <- list(
  normand1999 = list(m1i = norm$m1i, sd1i = norm$sd1i, n1i = norm$n1i,
                     m2i = norm$m2i, sd2i = norm$sd2i, n2i = norm$n2i),
  curtis1998 = list(m1i = curtis$m1i, sd1i = curtis$sd1i, n1i = curtis$n1i,
                    m2i = curtis$m2i, sd2i = curtis$sd2i, n2i = curtis$n2i),
  gibson2002 = list(m1i = gibson$m1i, sd1i = gibson$sd1i, n1i = gibson$n1i,
                    m2i = gibson$m2i, sd2i = gibson$sd2i, n2i = gibson$n2i)
)
for (m in cont_measures) {
  for (d in names(cont_data)) add_case(sprintf("%s-%s", d, m), m, cont_data[[d]], d)
}
# Edge cases: two per group (the smallest n where every measure is defined), unequal and huge
# groups, tiny and huge SDs, negative means (not for ROM), equal means.
edge_cont <- list(m1i = c(10, 5.5, 100, 1e-3, 3, -2), sd1i = c(2, 0.01, 50, 1e-4, 1e3, 1),
                  n1i = c(2, 1e6, 3, 40, 12, 8),
                  m2i = c(12, 5.4, 80, 2e-3, 3, -5), sd2i = c(3, 0.02, 40, 3e-4, 2e3, 2),
                  n2i = c(2, 2e6, 150, 35, 15, 9))
for (m in c("MD", "SMD", "SMDH")) add_case(sprintf("edgecont-%s", m), m, edge_cont, "constructed")
edge_rom <- lapply(edge_cont, function(x) x[1:5])
add_case("edgecont-ROM", "ROM", edge_rom, "constructed")
# a single person in one group: MD and ROM are defined (sd^2/n), SMD is defined when n1+n2 > 2
one_arm <- list(m1i = c(4, 7), sd1i = c(1, 2), n1i = c(1, 1), m2i = c(5, 6), sd2i = c(1.5, 2.5),
                n2i = c(10, 4))
for (m in c("MD", "SMD", "ROM")) add_case(sprintf("n1-%s", m), m, one_arm, "constructed")

# ---------------------------------------------------------------- correlations
molloy <- read_metadat("dat.molloy2014")
mcd <- dat.mcdaniel1994
craft <- dat.craft2003
cor_data <- list(
  molloy2014 = list(ri = molloy$ri, ni = molloy$ni),
  mcdaniel1994 = list(ri = mcd$ri, ni = mcd$ni),
  craft2003 = list(ri = craft$ri, ni = craft$ni)
)
edge_cor <- list(ri = c(0, 0.99, -0.99, 0.5, -1e-8, 0.3), ni = c(5, 10, 4, 1e6, 30, 4))
for (m in c("COR", "ZCOR")) {
  for (d in names(cor_data)) add_case(sprintf("%s-%s", d, m), m, cor_data[[d]], d)
  add_case(sprintf("edgecor-%s", m), m, edge_cor, "constructed")
}
# the smallest n with a sampling variance: metafor gives none for ni <= 3 (COR and ZCOR)
add_case("n4-COR", "COR", list(ri = c(0.2, -0.7), ni = c(4, 4)), "constructed")
add_case("n4-ZCOR", "ZCOR", list(ri = c(0.2, -0.7), ni = c(4, 4)), "constructed")

# ---------------------------------------------------------------- single-group proportions
prop_measures <- c("PR", "PLN", "PLO", "PAS", "PFT")
pritz <- read_metadat("dat.pritz1997")
hass <- read_metadat("dat.hasselblad1998")
debruin <- dat.debruin2009
pagl <- dat.pagliaro1992
prop_data <- list(
  pritz1997 = list(xi = pritz$xi, ni = pritz$ni),
  hasselblad1998 = list(xi = hass$xi, ni = hass$ni),
  debruin2009 = list(xi = debruin$xi, ni = debruin$ni),
  pagliaro1992 = list(xi = pagl$xi, ni = pagl$ni),
  lau1992_treated = list(xi = lau$ai, ni = lau$n1i)
)
# Edge cases: no events, all events, single-person groups (x = 0 and x = 1), tiny and huge.
edge_prop <- list(xi = c(0, 10, 0, 1, 1, 5e5, 3), ni = c(10, 10, 1, 1, 2, 1e6, 7))
nozero_prop <- list(xi = c(2, 5, 9), ni = c(10, 12, 20))
for (m in prop_measures) {
  for (d in names(prop_data)) add_case(sprintf("%s-%s", d, m), m, prop_data[[d]], d)
  for (to in c("only0", "all", "if0all", "none")) {
    add_case(sprintf("edgeprop-%s-to_%s", m, to), m, edge_prop, "constructed", list(to = to))
    add_case(sprintf("edgeprop-%s-to_%s-add1", m, to), m, edge_prop, "constructed",
             list(add = 1, to = to))
  }
  add_case(sprintf("nozeroprop-%s-to_if0all", m), m, nozero_prop, "constructed",
           list(to = "if0all"))
  # the complement given as mi instead of ni
  add_case(sprintf("edgeprop-mi-%s", m), m, list(xi = edge_prop$xi, mi = edge_prop$ni - edge_prop$xi),
           "constructed")
}

# ---------------------------------------------------------------- single-group means
senn <- dat.senn2013
mn_data <- list(
  normand1999_specialist = list(mi = norm$m1i, sdi = norm$sd1i, ni = norm$n1i),
  senn2013 = list(mi = senn$mi, sdi = senn$sdi, ni = senn$ni),
  curtis1998_ambient = list(mi = curtis$m2i, sdi = curtis$sd2i, ni = curtis$n2i)
)
for (d in names(mn_data)) add_case(sprintf("%s-MN", d), "MN", mn_data[[d]], d)
add_case("edgemn-MN", "MN", list(mi = c(-3, 0, 1e6, 2.5), sdi = c(1, 2, 1e3, 0.5),
                                 ni = c(1, 2, 1e6, 7)), "constructed")

# ---------------------------------------------------------------- incidence rates (two groups)
hart <- dat.hart1999
niel <- dat.nielweise2008
rate_data <- list(
  hart1999 = list(x1i = hart$x1i, t1i = hart$t1i, x2i = hart$x2i, t2i = hart$t2i),
  nielweise2008 = list(x1i = niel$x1i, t1i = niel$t1i, x2i = niel$x2i, t2i = niel$t2i),
  # egger2001 deaths per patient treated as events per unit of person-time (a derived layout,
  # used only as a third set of realistic counts for the rate formulas)
  egger2001_per_patient = list(x1i = egger$ai, t1i = egger$n1i, x2i = egger$ci, t2i = egger$n2i)
)
edge_rate <- list(x1i = c(0, 4, 0, 1, 2e5, 7), t1i = c(100, 50, 80, 0.5, 1e9, 30.5),
                  x2i = c(3, 0, 0, 1, 3e5, 2), t2i = c(90, 60, 70, 2, 2e9, 12.25))
only00_rate <- list(x1i = c(0, 4, 6), t1i = c(50, 40, 60), x2i = c(0, 8, 9), t2i = c(45, 42, 58))
for (m in c("IRR", "IRD")) {
  for (d in names(rate_data)) add_case(sprintf("%s-%s", d, m), m, rate_data[[d]], d)
  for (to in c("only0", "all", "if0all", "none")) {
    for (drop in c(FALSE, TRUE)) {
      add_case(sprintf("edgerate-%s-to_%s%s", m, to, if (drop) "-drop00" else ""), m, edge_rate,
               "constructed", list(to = to, drop00 = drop))
      add_case(sprintf("only00rate-%s-to_%s%s", m, to, if (drop) "-drop00" else ""), m,
               only00_rate, "constructed", list(to = to, drop00 = drop))
    }
    add_case(sprintf("edgerate-%s-to_%s-add1", m, to), m, edge_rate, "constructed",
             list(add = 1, to = to))
  }
}

# ---------------------------------------------------------------- reported statistics
# metafor 3.8-1 has no conv.wald(); the oracles are (a) the yi/vi that the metadat package
# ships for dat.hackshaw1998 (log OR and variance from the published 95% CI) and (b) R's own
# qnorm/pnorm applied to the same textbook formulas, passed through escalc(measure="GEN").
hack <- dat.hackshaw1998
cases[["hackshaw1998-ratio_ci"]] <- list(
  measure = scalar("OR"), dataset = scalar("hackshaw1998"),
  call = scalar("dat.hackshaw1998[, c(\"yi\", \"vi\")]  # metadat's log OR and variance from the 95% CI"),
  settings = list(level = scalar(95)),
  inputs = list(estimate = hack$or, ci_lower = hack$or.lb, ci_upper = hack$or.ub),
  yi = as.numeric(hack$yi), vi = as.numeric(hack$vi))

# 90% and 99% intervals: sei = (log(ub) - log(lb)) / (2 qnorm(1 - (1 - level)/2))
for (lvl in c(90, 99)) {
  z <- qnorm(1 - (1 - lvl / 100) / 2)
  sei <- (log(hack$or.ub) - log(hack$or.lb)) / (2 * z)
  res <- escalc(measure = "GEN", yi = log(hack$or), sei = sei)
  cases[[sprintf("hackshaw1998-ratio_ci-level%d", lvl)]] <- list(
    measure = scalar("OR"), dataset = scalar("hackshaw1998"),
    call = scalar(sprintf("escalc(measure=\"GEN\", yi=log(or), sei=(log(ci.ub)-log(ci.lb))/(2*qnorm(%s)))",
                          format(1 - (1 - lvl / 100) / 2))),
    settings = list(level = scalar(lvl)),
    inputs = list(estimate = hack$or, ci_lower = hack$or.lb, ci_upper = hack$or.ub),
    yi = as.numeric(res$yi), vi = as.numeric(res$vi))
}

greenland <- read_metadat("dat.greenland1992")
res <- escalc(measure = "GEN", yi = greenland$b, sei = greenland$SE)
cases[["greenland1992-log_se"]] <- list(
  measure = scalar("RR"), dataset = scalar("greenland1992"),
  call = scalar("escalc(measure=\"GEN\", yi=b, sei=SE)"),
  settings = structure(list(), names = character(0)),
  inputs = list(yi = greenland$b, sei = greenland$SE),
  yi = as.numeric(res$yi), vi = as.numeric(res$vi))

# estimate with a two-sided z-test p-value: sei = |yi| / qnorm(1 - p/2); the p-values are
# computed here from greenland1992's b and SE, so the expected vi is SE^2 up to R's rounding.
# The study with b = 0 (p = 1) is left out: a p-value gives no SE for an estimate of 0
# (effect_sizes rejects it, tested in tests/test_effects_errors.py).
gl <- greenland[greenland$b != 0, ]
pv <- 2 * pnorm(-abs(gl$b / gl$SE))
sei <- abs(gl$b) / qnorm(pv / 2, lower.tail = FALSE)
res <- escalc(measure = "GEN", yi = gl$b, sei = sei)
cases[["greenland1992-log_pval"]] <- list(
  measure = scalar("RR"), dataset = scalar("greenland1992"),
  call = scalar("escalc(measure=\"GEN\", yi=b, sei=abs(b)/qnorm(pval/2, lower.tail=FALSE))  # pval=2*pnorm(-abs(b/SE)), rows with b != 0"),
  settings = structure(list(), names = character(0)),
  inputs = list(yi = gl$b, pval = pv),
  yi = as.numeric(res$yi), vi = as.numeric(res$vi))

# ratio with a p-value (no CI): hackshaw1998 ORs with the p-value of their own Wald test
pv <- 2 * pnorm(-abs(hack$yi / sqrt(hack$vi)))
sei <- abs(log(hack$or)) / qnorm(pv / 2, lower.tail = FALSE)
res <- escalc(measure = "GEN", yi = log(hack$or), sei = sei)
cases[["hackshaw1998-ratio_pval"]] <- list(
  measure = scalar("OR"), dataset = scalar("hackshaw1998"),
  call = scalar("escalc(measure=\"GEN\", yi=log(or), sei=abs(log(or))/qnorm(pval/2, lower.tail=FALSE))  # pval=2*pnorm(-abs(yi/sqrt(vi)))"),
  settings = structure(list(), names = character(0)),
  inputs = list(estimate = hack$or, pval = pv),
  yi = as.numeric(res$yi), vi = as.numeric(res$vi))

write_fixture(cases, file.path("tests", "reference", "escalc.json"),
              "metafor::escalc() for every measure of metaevidence.effect_sizes(): published datasets and edge cases")
