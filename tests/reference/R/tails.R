# Fixture: R's t and chi-square tail probabilities, the oracle of the closed forms in
# metaevidence/core/tails.py (two-sided Student t p-values and chi-square upper tails for an
# integer number of degrees of freedom). Base R only (pt, pchisq: TOMS 708 and R's pgamma);
# metafor's rma() reports exactly these for its tests.
#
# Writes tests/reference/tails.json: for df 1..20, 25, 30, 33, 40, 50, 63, 64, a fixed grid of statistics from
# 0 to 1e4 (dense where the closed form hands over to scipy at p = 1e-3) and R's values.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_tails_fixture <- function() {
  t <- sort(unique(c(0, 10^seq(-8, -1, by = 1), seq(0.1, 12, by = 0.1), 15, 20, 30, 50, 100,
                     300, 636.6, 636.7, 1000, 1e4)))
  x <- sort(unique(c(0, 10^seq(-8, -1, by = 1), seq(0.5, 150, by = 0.5), 200, 300, 500,
                     1000, 1400, 1e4)))
  cases <- list()
  for (df in c(1:20, 25, 30, 33, 40, 50, 63, 64)) {
    cases[[sprintf("df%d", df)]] <- list(
      df = scalar(df),
      t = t, p_two_sided = 2 * pt(-t, df),
      x = x, q_upper = pchisq(x, df, lower.tail = FALSE))
  }
  write_fixture(cases, file.path(REF_DIR, "tails.json"),
                "R's 2 * pt(-|t|, df) and pchisq(x, df, lower.tail = FALSE) for df = 1..20, 25, 30, 33, 40, 50, 63, 64")
}
write_tails_fixture()
