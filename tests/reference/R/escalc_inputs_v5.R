# Fixture: metafor 5.x escalc() from its alternative inputs (Cohen's d via di, point-biserial
# r via ri, t statistics via ti, signed two-sided p-values via pi, F statistics via fi), as
# its help page lists them: SMD (di ri ti pi), CLESN/AUCN (di ti pi, and the binormal CLES ai), COR UCOR ZCOR (ti pi),
# RPB ZPB RBIS ZBIS (di ri ti pi), SMCC (di ti pi), PCOR ZPCOR (ri pi), SPCOR ZSPCOR (ri pi),
# R2 ZR2 (fi pi); the measures added after 4.8: MPORM (marginal tables with ri or pi) and
# REH (genotype counts). Each input set is written with the primary inputs it was derived
# from where there are some (the Python tests also check that both give the same numbers).
#
# Writes tests/reference/escalc_inputs_v5.json. Needs metafor >= 5.0-1 (Debian's 3.8-1 has
# neither pi nor fi): with an older metafor it leaves the committed file alone. The committed
# file was written by metafor 5.1-12 (R_LIBS=/tmp/rlib5, built as described in escalc_v5.R).

write_inputs_fixture <- function() {
  if (packageVersion("metafor") < "5.0.1") {
    cat("escalc_inputs_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 5.0-1; tests/reference/escalc_inputs_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  cases <- list()
  add <- function(id, measure, inputs, dataset, settings = list()) {
    cases[[id]] <<- escalc_case(measure, inputs, dataset, settings)
  }
  # two groups: d, t and p from the means of normand1999 (and a constructed set with signs)
  nor <- metadat::dat.normand1999
  n1 <- c(nor$n1i, 20, 5, 300); n2 <- c(nor$n2i, 20, 4, 250)
  m1 <- c(nor$m1i, 1, 2, 10); m2 <- c(nor$m2i, 1.5, 0, 10.2); s1 <- c(nor$sd1i, 1, 3, 2); s2 <- c(nor$sd2i, 2, 1, 2.5)
  sp <- sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / (n1 + n2 - 2))
  d <- (m1 - m2) / sp
  t <- d / sqrt(1 / n1 + 1 / n2)
  p <- sign(t) * 2 * pt(abs(t), df = n1 + n2 - 2, lower.tail = FALSE)
  h <- (n1 + n2 - 2) / n1 + (n1 + n2 - 2) / n2
  rpb <- d / sqrt(d^2 + h)
  p[length(p) - 1] <- -0.018  # the help page's example p-value (n1i = n2i = 20 there)
  two <- list(di = d, ti = t, pi = p, ri = rpb)
  means <- list(m1i = m1, sd1i = s1, n1i = n1, m2i = m2, sd2i = s2, n2i = n2)
  for (m in c("SMD", "RPB", "ZPB", "RBIS", "ZBIS", "CLESN", "AUCN")) {
    add(sprintf("twogroup-%s-means", m), m, means, "normand1999+constructed")
    for (a in names(two)) {
      if (a == "ri" && m %in% c("CLESN", "AUCN")) next
      add(sprintf("twogroup-%s-%s", m, a), m, c(two[a], list(n1i = n1, n2i = n2)), "normand1999+constructed")
    }
  }
  # CLESN/AUCN from binormal CLES values (ai), with and without the SDs (constructed)
  cl <- list(ai = c(0.7, 0.55, 0.9, 0.3, 0.5), n1i = c(20, 50, 10, 100, 8), n2i = c(25, 40, 12, 90, 9))
  for (m in c("CLESN", "AUCN")) {
    add(sprintf("cles-%s-ai", m), m, cl, "constructed")
    add(sprintf("cles-%s-ai-sd", m), m, c(cl, list(sd1i = c(1, 2, 1.5, 3, 1), sd2i = c(1.2, 1, 1.5, 2, 4))), "constructed")
  }
  add("twogroup-SMD-ti-UB", "SMD", list(ti = t, n1i = n1, n2i = n2), "normand1999+constructed", list(vtype = "UB"))
  add("twogroup-RPB-ti-CS", "RPB", list(ti = t, n1i = n1, n2i = n2), "normand1999+constructed", list(vtype = "CS"))
  # correlations from t and p
  mol <- metadat::dat.molloy2014
  r <- c(mol$ri, -0.3, 0.9); nr <- c(mol$ni, 30, 12)
  tr <- r * sqrt(nr - 2) / sqrt(1 - r^2)
  pr <- sign(tr) * 2 * pt(abs(tr), df = nr - 2, lower.tail = FALSE)
  pr[length(pr) - 1] <- -0.07  # the help page's example (ni = 30)
  for (m in c("COR", "UCOR", "ZCOR")) {
    add(sprintf("cor-%s-ri", m), m, list(ri = r, ni = nr), "molloy2014+constructed")
    add(sprintf("cor-%s-ti", m), m, list(ti = tr, ni = nr), "molloy2014+constructed")
    add(sprintf("cor-%s-pi", m), m, list(pi = pr, ni = nr), "molloy2014+constructed")
  }
  # paired: standardized mean change from d, t and p
  pm1 <- c(26, 10, 12.5, 30, 5); pm2 <- c(22, 8, 13, 21, 4.5); psd1 <- c(sqrt(30), 2, 3, 6, 1)
  psd2 <- c(sqrt(20), 2.5, 2, 7, 1.2); pn <- c(60, 20, 8, 45, 50); pri <- c(0.7, 0.5, -0.3, 0, 0.95)
  sdc <- sqrt(psd1^2 + psd2^2 - 2 * pri * psd1 * psd2)
  dc <- (pm1 - pm2) / sdc
  tc <- dc * sqrt(pn)
  pc <- sign(tc) * 2 * pt(abs(tc), df = pn - 1, lower.tail = FALSE)
  pc[5] <- -0.018  # the help page's example (ni = 50)
  add("paired-SMCC-means", "SMCC", list(m1i = pm1, m2i = pm2, sd1i = psd1, sd2i = psd2, ni = pn, ri = pri), "constructed")
  add("paired-SMCC-di", "SMCC", list(di = dc, ni = pn), "constructed")
  add("paired-SMCC-ti", "SMCC", list(ti = tc, ni = pn), "constructed")
  add("paired-SMCC-pi", "SMCC", list(pi = pc, ni = pn), "constructed")
  # partial and semi-partial correlations from p and r
  aloe <- metadat::dat.aloe2013
  ti <- c(aloe$tval, -2.5, 0.5); ni <- c(aloe$n, 30, 12); mi <- c(aloe$preds, 5, 1); r2i <- c(aloe$R2, 0.2, 0.05)
  df <- ni - mi - 1
  pp <- sign(ti) * 2 * pt(abs(ti), df = df, lower.tail = FALSE)
  pp[length(pp) - 1] <- -0.07  # the help page's example (mi = 5, ni = 30)
  pcor <- ti / sqrt(ti^2 + df)
  spcor <- ti * sqrt(1 - r2i) / sqrt(df)
  for (m in c("PCOR", "ZPCOR")) {
    add(sprintf("partial-%s-ti", m), m, list(ti = ti, ni = ni, mi = mi), "aloe2013+constructed")
    add(sprintf("partial-%s-pi", m), m, list(pi = pp, ni = ni, mi = mi), "aloe2013+constructed")
    add(sprintf("partial-%s-ri", m), m, list(ri = pcor, ni = ni, mi = mi), "aloe2013+constructed")
  }
  for (m in c("SPCOR", "ZSPCOR")) {
    add(sprintf("partial-%s-ti", m), m, list(ti = ti, ni = ni, mi = mi, r2i = r2i), "aloe2013+constructed")
    add(sprintf("partial-%s-pi", m), m, list(pi = pp, ni = ni, mi = mi, r2i = r2i), "aloe2013+constructed")
    add(sprintf("partial-%s-ri", m), m, list(ri = spcor, ni = ni, mi = mi, r2i = r2i), "aloe2013+constructed")
  }
  # R^2 from F and p
  r2 <- c(aloe$R2, 0.2, 0.05, 0.6, 0.9); n2r <- c(aloe$n, 30, 12, 500, 8); m2r <- c(aloe$preds, 3, 1, 10, 2)
  fi <- (r2 / m2r) / ((1 - r2) / (n2r - m2r - 1))
  pf <- pf(fi, m2r, n2r - m2r - 1, lower.tail = FALSE)
  for (m in c("R2", "ZR2")) {
    add(sprintf("r2-%s-r2i", m), m, list(r2i = r2, ni = n2r, mi = m2r), "aloe2013+constructed")
    add(sprintf("r2-%s-fi", m), m, list(fi = fi, ni = n2r, mi = m2r), "aloe2013+constructed")
    add(sprintf("r2-%s-pi", m), m, list(pi = pf, ni = n2r, mi = m2r), "aloe2013+constructed")
  }
  # MPORM: marginal tables of paired 2x2 tables, with their phi coefficients (ri) or the
  # proportion of pairs with the event under both (pi); constructed, with zero cells and
  # unequal margins (n1i != n2i) and infeasible pi
  a <- c(20, 5, 30, 0, 12, 9); b <- c(10, 8, 4, 7, 3, 1); c <- c(6, 12, 9, 2, 0, 3); dd <- c(40, 25, 7, 31, 5, 17)
  npair <- a + b + c + dd
  mar <- list(ai = a + b, bi = c + dd, ci = a + c, di = b + dd)
  phi <- (a * dd - b * c) / sqrt((a + b) * (c + dd) * (a + c) * (b + dd))
  add("mporm-paired-MPOR", "MPOR", list(ai = a, bi = b, ci = c, di = dd), "constructed")
  add("mporm-ri", "MPORM", c(mar, list(ri = phi)), "constructed")
  add("mporm-pi", "MPORM", c(mar, list(pi = a / npair)), "constructed")
  add("mporm-n-ri", "MPORM", list(ai = a + b, n1i = npair, ci = a + c, n2i = npair, ri = phi), "constructed")
  un <- list(ai = c(25, 25, 10, 25, 20, 10, 30), bi = c(5, 5, 10, 5, 10, 10, 10),
             ci = c(25, 25, 10, 20, 25, 10, 20), di = c(10, 5, 12, 5, 5, 30, 20))
  add("mporm-unequal-ri", "MPORM", c(un, list(ri = c(0, 0.5, 0.5, 0.2, -0.3, 0.9, 1))), "constructed")
  add("mporm-unequal-pi", "MPORM", c(un, list(pi = c(0.3, 0.6, 0.2, 0.01, 0.4, 0.1, 0.45))), "constructed")
  add("mporm-unequal-ri-all", "MPORM", c(un, list(ri = c(0, 0.5, 0.5, 0.2, -0.3, 0.9, 1))), "constructed",
      list(add = 0.5, to = "all"))
  # REH: genotype counts of dat.frank2008 (cases and controls) and constructed ones with zeros
  fr <- metadat::dat.frank2008
  add("reh-frank2008-controls", "REH", list(ai = fr$ct.ins.ins, bi = fr$ct.ins.del, ci = fr$ct.del.del), "frank2008")
  add("reh-frank2008-cases", "REH", list(ai = fr$bc.ins.ins, bi = fr$bc.ins.del, ci = fr$bc.del.del), "frank2008")
  add("reh-constructed", "REH", list(ai = c(0, 10, 5, 7, 1), bi = c(10, 0, 5, 8, 1), ci = c(5, 5, 0, 9, 1)), "constructed")
  write_fixture(cases, file.path(REF_DIR, "escalc_inputs_v5.json"),
    "metafor 5.x escalc() from alternative inputs (di, ri, ti, pi, fi) and the measures MPORM, REH")
}
write_inputs_fixture()
