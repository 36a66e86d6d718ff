# Fixture: metafor 5.x escalc() and conv.fivenum() for what Debian's metafor 3.8-1 lacks or
# computes differently: SMD1H's variance (changed in 4.6-0), SMCRP, SMCRPH, ZPHI, ZTET, ZPB,
# ZBIS, ZSPCOR, R2, ZR2, PRZ (added in 4.0-0, 4.6-0 and 4.8-0), SMN on metafor 5's inputs, and the
# default bias corrections of ROM, ROMC, CVR and CVRC (5.0-1); conv.fivenum() (4.0-0); the
# vtype options 3.8-1 lacks (ROM AV/AVHO, VR/CVR LS2, SMD1's, SMD H0, UCOR AV/UB, R2 AV/AV2).
#
# Writes tests/reference/escalc_v5.json. Needs metafor >= 5.0-1: with an older metafor (as
# Debian's 3.8-1) it leaves the committed file alone and says so. The committed file was
# written by metafor 5.1-12 built from the upstream source (github.com/wviechtb/metafor at
# commit 71ae8f5ac9befeacc6654ead1b03ff05c065d54d, 2026-07-01; the package is only run, none
# of its code is copied): R CMD INSTALL -l /tmp/rlib5 <source>; then
# R_LIBS=/tmp/rlib5 Rscript tests/reference/make_reference.R (needs jsonlite).

write_v5_fixture <- function() {
  if (packageVersion("metafor") < "5.0.1") {
    cat("escalc_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 5.0-1; tests/reference/escalc_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  cases <- list()
  add <- function(id, measure, inputs, dataset, settings = list()) {
    cases[[id]] <<- escalc_case(measure, inputs, dataset, settings)
  }
  two_group <- escalc_two_group_data()
  for (d in names(two_group)) {
    for (m in c("SMD1H", "SMDH", "ROM", "CVR", "VR", "RPB", "ZPB", "RBIS", "ZBIS")) {
      add(sprintf("%s-%s", d, m), m, two_group[[d]], d)
    }
    add(sprintf("%s-ZPB-CS", d), "ZPB", two_group[[d]], d, list(vtype = "CS"))
    add(sprintf("%s-ROM-uncorrected", d), "ROM", two_group[[d]], d, list(correct = FALSE))
    for (m in c("CVR", "VR")) add(sprintf("%s-%s-uncorrected", d, m), m, two_group[[d]], d, list(correct = FALSE))
  }
  paired <- list(
    morris2002 = list(m1i = 26, m2i = 22, sd1i = sqrt(30), sd2i = sqrt(20), ni = 60, ri = 0.7),
    constructed = list(m1i = c(10, 12.5, 30, 5, 8), m2i = c(8, 13, 21, 4.5, 8),
                       sd1i = c(2, 3, 6, 1, 2.5), sd2i = c(2.5, 2, 7, 1.2, 2.5),
                       ni = c(20, 8, 45, 4, 100), ri = c(0.5, -0.3, 0, 0.95, 0.2))
  )
  for (d in names(paired)) {
    for (m in c("SMCRP", "SMCRPH", "SMCRH", "ROMC", "CVRC", "VRC", "CLESCN", "AUCCN")) {
      add(sprintf("%s-%s", d, m), m, paired[[d]], d)
    }
    for (m in c("ROMC", "CVRC", "VRC")) {
      add(sprintf("%s-%s-uncorrected", d, m), m, paired[[d]], d, list(correct = FALSE))
    }
    for (m in c("VRC", "CVRC")) add(sprintf("%s-%s-LS2", d, m), m, paired[[d]], d, list(vtype = "LS2"))
  }
  bcg <- metadat::dat.bcg
  assoc <- list(
    bcg = list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg),
    hbook = list(ai = 135, bi = 15, ci = 40, di = 10)
  )
  for (d in names(assoc)) {
    for (m in c("PHI", "ZPHI", "RTET", "ZTET")) add(sprintf("%s-%s", d, m), m, assoc[[d]], d)
    add(sprintf("%s-ZPHI-ST", d), "ZPHI", assoc[[d]], d, list(vtype = "ST"))
  }
  aloe <- metadat::dat.aloe2013
  reg <- list(
    aloe2013 = list(ti = aloe$tval, ni = aloe$n, mi = aloe$preds, r2i = aloe$R2),
    constructed = list(ti = c(-2.5, 0.5, 10, 1.2), ni = c(30, 12, 500, 8), mi = c(3, 1, 10, 2),
                       r2i = c(0.2, 0.05, 0.6, 0.9))
  )
  for (d in names(reg)) {
    for (m in c("SPCOR", "ZSPCOR", "PCOR", "ZPCOR")) add(sprintf("%s-%s", d, m), m, reg[[d]], d)
    r2 <- reg[[d]][c("r2i", "ni", "mi")]
    for (m in c("R2", "ZR2")) add(sprintf("%s-%s", d, m), m, r2, d)
    add(sprintf("%s-R2-LS2", d), "R2", r2, d, list(vtype = "LS2"))
  }
  curtis <- metadat::dat.curtis1998[1:30, ]
  single <- list(
    curtis1998 = list(mi = curtis$m1i, sdi = curtis$sd1i, ni = curtis$n1i),
    constructed = list(mi = c(1, -0.01, 250, 0, 3), sdi = c(0.5, 0.02, 10, 1, 3), ni = c(2, 5, 1000, 3, 2))
  )
  for (d in names(single)) add(sprintf("%s-SMN", d), "SMN", single[[d]], d)
  prop <- list(
    pritz1997 = list(xi = metadat::dat.pritz1997$xi, ni = metadat::dat.pritz1997$ni),
    constructed = list(xi = c(0, 10, 40, 1), ni = c(40, 40, 40, 1000))
  )
  for (d in names(prop)) add(sprintf("%s-PRZ", d), "PRZ", prop[[d]], d)
  # common language effect size: reported values (constructed) and from means/SDs
  cles <- list(ai = c(0.7, 0.55, 0.9, 0.5, 0.02, 1), n1i = c(20, 50, 10, 100, 8, 30), n2i = c(25, 40, 12, 100, 9, 2))
  for (m in c("CLES", "AUC")) {
    add(sprintf("constructed-%s", m), m, cles, "constructed")
    add(sprintf("constructed-%s-LS2", m), m, cles, "constructed", list(vtype = "LS2"))
    # the proportion of tied pairs (Cho et al. 2019; NA is no adjustment; LS ignores it)
    ties <- c(cles, list(mi = c(0.1, 0, 0.3, NA, 0.05, 0.5)))
    add(sprintf("constructed-%s-LS2-ties", m), m, ties, "constructed", list(vtype = "LS2"))
    add(sprintf("constructed-%s-LS-ties", m), m, ties, "constructed")
  }
  for (d in names(two_group)) {
    for (m in c("CLESN", "AUCN")) {
      add(sprintf("%s-%s", d, m), m, two_group[[d]], d)
      add(sprintf("%s-%s-HO", d, m), m, two_group[[d]], d, list(vtype = "HO"))
    }
  }

  # vtype options of metafor 5 (ROM "AV"/"AVHO" of Nakagawa et al. 2023; VR/CVR "LS2";
  # the SMD1 variances; SMD "H0"; UCOR "AV"/"UB"; R2 "AV"/"AV2")
  for (d in names(two_group)) {
    for (vt in c("AV", "AVHO")) {
      add(sprintf("%s-ROM-%s", d, vt), "ROM", two_group[[d]], d, list(vtype = vt))
      add(sprintf("%s-ROM-%s-uncorrected", d, vt), "ROM", two_group[[d]], d, list(vtype = vt, correct = FALSE))
    }
    for (m in c("VR", "CVR")) add(sprintf("%s-%s-LS2", d, m), m, two_group[[d]], d, list(vtype = "LS2"))
    # one vtype per study (metafor's vector vtype)
    k <- length(two_group[[d]]$n1i)
    per_row <- function(choices) rep_len(choices, k)
    add(sprintf("%s-SMD-vtype-per-row", d), "SMD", two_group[[d]], d,
        list(vtype = per_row(c("LS", "AV", "UB", "LS2", "H0"))))
    add(sprintf("%s-ROM-vtype-per-row", d), "ROM", two_group[[d]], d,
        list(vtype = per_row(c("AV", "LS", "HO", "LS2", "AVHO"))))
    add(sprintf("%s-MD-vtype-per-row", d), "MD", two_group[[d]], d, list(vtype = per_row(c("HO", "LS"))))
    for (vt in c("LS2", "UB", "AV", "H0")) {
      add(sprintf("%s-SMD1-%s", d, vt), "SMD1", two_group[[d]], d, list(vtype = vt))
    }
    add(sprintf("%s-SMD-H0", d), "SMD", two_group[[d]], d, list(vtype = "H0"))
  }
  # studies without SDs: the average CV gives them a variance (and, uncorrected, an estimate)
  nosd <- list(m1i = c(10, 12, 9, 15, 11), sd1i = c(2, NA, 2.5, 4, 1.5), n1i = c(20, 35, 15, 50, 12),
               m2i = c(8, 11, 9.5, 12, 10), sd2i = c(2.2, 2.5, 3, NA, 2), n2i = c(22, 30, 18, 45, 10))
  for (vt in c("AV", "AVHO")) {
    add(sprintf("constructed-ROM-%s", vt), "ROM", nosd, "constructed", list(vtype = vt))
    add(sprintf("constructed-ROM-%s-uncorrected", vt), "ROM", nosd, "constructed", list(vtype = vt, correct = FALSE))
  }
  molloy <- metadat::dat.molloy2014
  cors <- list(molloy2014 = list(ri = molloy$ri, ni = molloy$ni),
               constructed = list(ri = c(0.3, -0.5, 0.8, 0.6, 0.95, -0.2), ni = c(20, 50, 200, 8, 30, 15)))
  for (d in names(cors)) for (vt in c("AV", "UB")) add(sprintf("%s-UCOR-%s", d, vt), "UCOR", cors[[d]], d, list(vtype = vt))
  for (d in names(reg)) {
    r2 <- reg[[d]][c("r2i", "ni", "mi")]
    for (vt in c("AV", "AV2")) add(sprintf("%s-R2-%s", d, vt), "R2", r2, d, list(vtype = vt))
  }

  # every case of the metafor 3.8-1 escalc fixtures, recomputed by metafor 5 (prefixed
  # "replay-"): where the two versions differ, effect_sizes follows 5.x by default
  for (f in c("escalc.json", "escalc_more.json", "escalc_round3.json")) {
    old <- jsonlite::fromJSON(file.path(REF_DIR, f), simplifyVector = FALSE)$cases
    for (id in names(old)) {
      case <- old[[id]]
      inputs <- lapply(case$inputs, function(v) vapply(v, function(x) if (is.null(x)) NA_real_ else as.numeric(x), 0))
      settings <- lapply(case$settings, function(v) if (is.list(v)) unlist(v) else v)
      # cases escalc() cannot replay as such (reported statistics) are left out
      tryCatch(add(paste0("replay-", id), case$measure, inputs, case$dataset, settings),
               error = function(e) cat("escalc_v5.R: not replayed:", id, "\n"))
    }
  }

  # conv.fivenum(): the example of its help page (three cases at n = 20) and a constructed
  # set (negative values, ties, n from 5 to 1000), with and without the skewness test
  fivenum <- list(
    helppage = list(min = c(2, NA, 2), q1 = c(NA, 4, 4), median = c(6, 6, 6),
                    q3 = c(NA, 10, 10), max = c(14, NA, 14), n = c(20, 20, 20)),
    constructed = list(min = c(-10, NA, 0, 1, NA, 3), q1 = c(NA, -2, 1, 2, 5, 3),
                       median = c(-1, 0, 2, 2, NA, 4), q3 = c(NA, 3, 4, 2.5, 9, 5),
                       max = c(12, NA, 9, 3, NA, 6), n = c(5, 40, 1000, 25, 60, 12))
  )
  conv <- list()
  for (d in names(fivenum)) {
    for (test in c(FALSE, TRUE)) {
      res <- do.call(conv.fivenum, c(fivenum[[d]], list(test = test)))
      conv[[sprintf("%s-test_%s", d, tolower(test))]] <- list(
        dataset = scalar(d),
        call = scalar(sprintf("conv.fivenum(min, q1, median, q3, max, n, test=%s)", test)),
        inputs = lapply(fivenum[[d]], as.numeric),
        mean = as.numeric(res$mean), sd = as.numeric(res$sd),
        sig = as.logical(attr(res$mean, "sig"))
      )
    }
  }
  write_fixture(c(cases, conv), file.path(REF_DIR, "escalc_v5.json"),
    "metafor 5.x escalc() and conv.fivenum() where Debian's metafor 3.8-1 lacks them or differs")
}
write_v5_fixture()
