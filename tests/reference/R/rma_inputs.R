# Inputs of the engine fixtures (rma.R, profile.R): yi/vi of published datasets computed
# with escalc (or from the reported statistics) and generated edge cases, as the named
# list `ds`. Sourced by rma.R and profile.R; run on its own it writes
# tests/reference/rma_datasets.json, which the Python tests read.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"

# rma() with the tightened control; where metafor's Fisher scoring oscillates (it does
# for REML on edge-dl0) the step is halved (control stepadj = 0.5), as metafor's help
# recommends. The control used is returned in attr(, "control").
CONTROL <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
fit_rma <- function(yi, vi, ...) {
  res <- tryCatch(rma(yi, vi, ..., control = CONTROL), error = function(e) NULL)
  ctrl <- "control=list(threshold=1e-12, tol=1e-12, maxiter=10000)"
  if (is.null(res)) {
    res <- rma(yi, vi, ..., control = c(CONTROL, list(stepadj = 0.5)))
    ctrl <- "control=list(threshold=1e-12, tol=1e-12, maxiter=10000, stepadj=0.5)"
  }
  attr(res, "control") <- ctrl
  res
}

ds <- list()
add_ds <- function(id, yi, vi, labels, call) {
  ds[[id]] <<- list(yi = as.numeric(yi), vi = as.numeric(vi),
                    labels = as.character(labels), call = scalar(call))
}

# ---- published datasets (metadat raw files) ---------------------------------------
bcg <- read_metadat("dat.bcg")
e <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
add_ds("bcg-RR", e$yi, e$vi, bcg$author, 'escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)')
e <- escalc("OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
add_ds("bcg-OR", e$yi, e$vi, bcg$author, 'escalc("OR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)')

lau <- read_metadat("dat.lau1992")
e <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = lau)
add_ds("lau1992-OR", e$yi, e$vi, lau$trial, 'escalc("OR", ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=dat.lau1992)')

egg <- read_metadat("dat.egger2001")
e <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = egg)
add_ds("egger2001-OR", e$yi, e$vi, egg$study, 'escalc("OR", ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=dat.egger2001)')

li <- read_metadat("dat.li2007")
e <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = li)
add_ds("li2007-OR", e$yi, e$vi, li$study, 'escalc("OR", ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=dat.li2007)')

hack <- read_metadat("dat.hackshaw1998")
add_ds("hackshaw1998-OR", log(hack$or), ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2,
       paste(hack$author, hack$year),
       "yi = log(or), vi = ((log(ci.ub) - log(ci.lb)) / (2 * qnorm(0.975)))^2")

gre <- read_metadat("dat.greenland1992")
add_ds("greenland1992-GEN", gre$b, gre$SE^2, gre$author, "yi = b, vi = SE^2")

nor <- read_metadat("dat.normand1999")
e <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor)
add_ds("normand1999-MD", e$yi, e$vi, nor$source,
       'escalc("MD", m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i, data=dat.normand1999)')

rau <- read_metadat("dat.raudenbush1985")
add_ds("raudenbush1985-SMD", rau$yi, rau$vi, rau$author, "yi, vi as published")

mol <- read_metadat("dat.molloy2014")
e <- escalc("ZCOR", ri = ri, ni = ni, data = mol)
add_ds("molloy2014-ZCOR", e$yi, e$vi, mol$authors, 'escalc("ZCOR", ri=ri, ni=ni, data=dat.molloy2014)')

ban <- read_metadat("dat.bangertdrowns2004")
add_ds("bangertdrowns2004-SMD", ban$di, 4 / ban$ni + ban$di^2 / (2 * ban$ni), ban$author,
       "yi = di, vi = 4/ni + di^2/(2*ni) (equal group sizes)")

lin <- read_metadat("dat.linde2005")
e <- escalc("RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = lin)
add_ds("linde2005-RR", e$yi, e$vi, lin$study, 'escalc("RR", ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=dat.linde2005)')

pri <- read_metadat("dat.pritz1997")
e <- escalc("PLO", xi = xi, ni = ni, data = pri)
add_ds("pritz1997-PLO", e$yi, e$vi, pri$authors, 'escalc("PLO", xi=xi, ni=ni, data=dat.pritz1997)')

hb <- read_metadat("dat.hartmannboyce2018")
e <- escalc("RR", ai = x.nrt, n1i = n.nrt, ci = x.ctrl, n2i = n.ctrl, data = hb)
add_ds("hartmannboyce2018-RR", e$yi, e$vi, hb$study,
       'escalc("RR", ai=x.nrt, n1i=n.nrt, ci=x.ctrl, n2i=n.ctrl, data=dat.hartmannboyce2018)')

col <- read_metadat("dat.collins1985a")
e <- escalc("OR", ai = b.xti, n1i = nti, ci = b.xci, n2i = nci, data = col)
add_ds("collins1985a-OR", e$yi, e$vi, col$trial,
       'escalc("OR", ai=b.xti, n1i=nti, ci=b.xci, n2i=nci, data=dat.collins1985a) (2 rows NA)')

# ---- generated edge cases --------------------------------------------------------
add_ds("edge-k1", 0.5, 0.1, "only", "single study")
add_ds("edge-k2", c(0.2, 0.9), c(0.04, 0.09), c("a", "b"), "two heterogeneous studies")
add_ds("edge-k2-homog", c(0.2, 0.25), c(0.04, 0.09), c("a", "b"), "two homogeneous studies")
add_ds("edge-tau0", c(0.10, 0.12, 0.09, 0.11, 0.10, 0.13), c(0.02, 0.03, 0.05, 0.02, 0.04, 0.03),
       letters[1:6], "homogeneous: Q < k - 1, tau^2 = 0 boundary")
add_ds("edge-hugetau", c(-80, 35, 120, -15, 60, 5, -42), c(0.01, 0.02, 0.05, 0.01, 0.03, 0.02, 0.04),
       letters[1:7], "tau^2 about 10^5 times the sampling variances")
add_ds("edge-var6", c(0.1, -0.2, 0.5, 1.5, -3, 8, 30), c(1e-3, 1e-2, 0.1, 1, 10, 100, 1000),
       letters[1:7], "sampling variances spanning 6 orders of magnitude")
add_ds("edge-equalvar", c(0.3, -0.1, 0.8, 0.5, 0.05, 1.1, 0.4, 0.2), rep(0.05, 8),
       letters[1:8], "identical sampling variances")
add_ds("edge-tinytau", c(0.08, 0.96, -0.64, 1.2, -0.88, 0.72), c(0.5, 0.8, 0.6, 0.9, 0.7, 0.4),
       letters[1:6], "tau^2 far below the sampling variances")

add_ds("edge-dl0", c(0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0), c(1, 1, 1, 1, 1, 1, 0.125, 1, 1, 1, 1),
       letters[1:11], "DL truncated at 0 while the ML estimate is positive")

write_fixture(ds, file.path(REF_DIR, "rma_datasets.json"),
              "Inputs (yi, vi, labels) of the rma/profile fixtures, computed in R")

