# Fixture: the treatment-arm continuity correction (TACC; Sweeting, Sutton & Lambert 2004),
# from R meta's metabin(incr = "TACC"): metafor has no TACC, so the oracle is meta. Per-study
# log OR / log RR and their standard errors, the inverse-variance common-effect and DL random-
# effects pools, for every method.incr (only0, if0all, all) with allstudies FALSE and TRUE, and
# the Mantel-Haenszel pool with the TACC-corrected tables (MH.exact = FALSE, meta's default).
# RR.Cochrane = TRUE: the increment goes to every cell of a corrected table, as metafor's escalc
# does for RR (meta's default adds it to the event cells and the group sizes only).
#
# Data: dat.yusuf1985 table 9 (beta blockers, 26 trials, 11 with a zero cell, 8 double zero;
# shipped), dat.li2007 (magnesium; shipped), metadat::dat.nielweise2007 (catheter infections,
# not shipped: its counts are written into the fixture), and one table constructed for the
# test with very unequal groups (0/20 vs 2/60, 3/40 vs 0/20: labelled constructed).
#
# Writes tests/reference/tacc_meta.json. Needs meta; Debian has no r-cran-meta, so without it
# this script leaves the committed file alone and says so. The committed file was written by
# meta 6.6-0 built from the upstream source (github.com/guido-s/meta at commit 17a6ad3, the
# 6.6-0 release; only run, none of its code is copied), with CompQuadForm from
# github.com/cran/CompQuadForm and Debian's r-cran-lme4 and r-cran-xml2:
#   R CMD INSTALL -l /tmp/rlib-meta <CompQuadForm source> <meta source>
#   R_LIBS=/tmp/rlib-meta Rscript tests/reference/make_reference.R

write_tacc_fixture <- function() {
  if (!requireNamespace("meta", quietly = TRUE)) {
    cat("tacc_meta.R: R package meta is not installed; tests/reference/tacc_meta.json left unchanged\n")
    return(invisible(NULL))
  }
  yus <- read_metadat("dat.yusuf1985")
  yus <- yus[yus$table == "9" & is.finite(yus$ai), ]
  li <- read_metadat("dat.li2007")
  niel <- metadat::dat.nielweise2007
  sets <- list(
    yusuf1985_table9 = data.frame(ai = yus$ai, n1i = yus$n1i, ci = yus$ci, n2i = yus$n2i),
    li2007 = data.frame(ai = li$ai, n1i = li$n1i, ci = li$ci, n2i = li$n2i),
    nielweise2007 = data.frame(ai = niel$ai, n1i = niel$n1i, ci = niel$ci, n2i = niel$n2i),
    constructed_unequal = data.frame(ai = c(0, 3, 0, 5, 7), n1i = c(20, 40, 10, 60, 100),
                                     ci = c(2, 0, 0, 4, 12), n2i = c(60, 20, 30, 30, 50))
  )
  num <- function(x) as.numeric(x)
  cases <- list()
  for (nm in names(sets)) {
    d <- sets[[nm]]
    for (sm in c("OR", "RR")) {
      for (mi in c("only0", "if0all", "all")) {
        for (as in c(FALSE, TRUE)) {
          m <- meta::metabin(d$ai, d$n1i, d$ci, d$n2i, sm = sm, incr = "TACC", method = "Inverse",
                             method.incr = mi, allstudies = as, method.tau = "DL",
                             RR.Cochrane = TRUE)
          cases[[sprintf("%s-%s-%s-%s", nm, sm, mi, if (as) "allstudies" else "drop00")]] <- list(
            call = scalar(sprintf('metabin(ai, n1i, ci, n2i, sm = "%s", incr = "TACC", method = "Inverse", method.incr = "%s", allstudies = %s, method.tau = "DL", RR.Cochrane = TRUE)',
                                  sm, mi, as)),
            measure = scalar(sm), to = scalar(mi), drop00 = scalar(!as),
            ai = num(d$ai), n1i = num(d$n1i), ci = num(d$ci), n2i = num(d$n2i),
            yi = num(m$TE), sei = num(m$seTE),
            common = num(c(m$TE.common, m$seTE.common)),
            random = num(c(m$TE.random, m$seTE.random, m$tau2)))
        }
      }
      m <- meta::metabin(d$ai, d$n1i, d$ci, d$n2i, sm = sm, incr = "TACC", method = "MH")
      cases[[sprintf("%s-%s-MH", nm, sm)]] <- list(
        call = scalar(sprintf('metabin(ai, n1i, ci, n2i, sm = "%s", incr = "TACC", method = "MH")', sm)),
        measure = scalar(sm),
        ai = num(d$ai), n1i = num(d$n1i), ci = num(d$ci), n2i = num(d$n2i),
        common = num(c(m$TE.common, m$seTE.common)))
    }
  }
  doc_cases <- cases
  write_fixture(doc_cases, file.path(REF_DIR, "tacc_meta.json"),
                sprintf("Treatment-arm continuity correction: R meta %s metabin(incr = \"TACC\")",
                        as.character(packageVersion("meta"))))
}
write_tacc_fixture()
