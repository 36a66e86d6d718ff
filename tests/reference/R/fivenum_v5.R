# Fixture: metafor 5.x conv.fivenum() -- the test for skewness of Shi et al. (2023) (its
# statistic, critical value and verdict for each of the three cases, with test=TRUE dropping
# the skewed studies) and dist="lnorm" with transf=FALSE (the mean and SD of the log values,
# Shi et al. 2020b). conv.fivenum() is not in Debian's metafor 3.8-1.
#
# Writes tests/reference/fivenum_v5.json. Needs metafor >= 4.0-0: with an older metafor it
# leaves the committed file alone and says so. The committed file was written by metafor
# 5.1-12 (R_LIBS=/tmp/rlib5, built as described in escalc_v5.R); only its outputs are used.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_fivenum_fixture <- function() {
  if (packageVersion("metafor") < "4.0.0") {
    cat("fivenum_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 4.0-0; tests/reference/fivenum_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  ns <- c(5, 6, 8, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 1000, 5000, 1e4, 1e5)
  # three shapes (right-skewed, left-skewed, near-symmetric) at every n; all values positive
  shapes <- list(right = c(1, 3, 5, 7.5, 11), left = c(1, 6, 8.5, 9.5, 10),
                 symmetric = c(2, 4, 6, 8.2, 10))
  grid <- do.call(rbind, lapply(names(shapes), function(s)
    data.frame(shape = s, min = shapes[[s]][1], q1 = shapes[[s]][2], median = shapes[[s]][3],
               q3 = shapes[[s]][4], max = shapes[[s]][5], n = ns, stringsAsFactors = FALSE)))
  # edge cases: n < 5, no median, ties (a zero interquartile range), left skew, zero and
  # negative values (dist="norm" only)
  edges <- data.frame(min = c(1, 1, NA, 1, 1, 1, 2, 0, 1, -4),
                      q1 = c(3, 3, 3, NA, 5, 2, 2, 1, 3, -1),
                      median = c(5, NA, 5, 5, 5, 9, 2, 2, 5, 0),
                      q3 = c(7.5, 7.5, 7.5, NA, 5, 9.5, 3, 3, 7.5, 1.2),
                      max = c(11, 11, NA, 11, 5, 10, 3, 4, 30, 6),
                      n = c(4, 20, 20, 20, 20, 20, 20, 20, 20, 12))
  inputs <- function(d) lapply(d[c("min", "q1", "median", "q3", "max", "n")], as.numeric)
  cases <- list()
  cols <- list(case1 = c("min", "median", "max"), case2 = c("q1", "median", "q3"),
               case3 = c("min", "q1", "median", "q3", "max"))
  one <- function(id, d, test, dist = "norm", given = names(d)) {
    args <- lapply(c("min", "q1", "median", "q3", "max", "n"), function(v)
      if (v %in% c(given, "n")) d[[v]] else rep(NA_real_, nrow(d)))
    names(args) <- c("min", "q1", "median", "q3", "max", "n")
    extra <- list(test = test, dist = dist)
    if (dist == "lnorm") extra$transf <- FALSE
    res <- do.call(conv.fivenum, c(args, extra))
    a <- attributes(res$mean)
    cases[[id]] <<- list(
      call = scalar(sprintf("conv.fivenum(min, q1, median, q3, max, n, test=%s, dist=\"%s\"%s)",
                            test, dist, if (dist == "lnorm") ", transf=FALSE" else "")),
      inputs = lapply(args, as.numeric), test = scalar(test), dist = scalar(dist),
      mean = as.numeric(res$mean), sd = as.numeric(res$sd),
      tval = as.numeric(a$tval), crit = as.numeric(a$crit), sig = as.logical(a$sig))
  }
  for (cs in names(cols)) {
    for (dist in c("norm", "lnorm")) {
      one(sprintf("grid-%s-%s-test_false", cs, dist), grid, FALSE, dist, cols[[cs]])
      one(sprintf("grid-%s-%s-test_true", cs, dist), grid, TRUE, dist, cols[[cs]])
    }
  }
  one("edges-test_true", edges, TRUE)
  one("edges-test_false", edges, FALSE)
  write_fixture(cases, file.path(REF_DIR, "fivenum_v5.json"),
                "metafor 5.x conv.fivenum(): the skewness test of Shi et al. (2023) and dist='lnorm' (transf=FALSE)")
}
write_fivenum_fixture()
