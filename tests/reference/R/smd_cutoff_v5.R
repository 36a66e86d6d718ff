# Fixture: metafor 5.1's flag for unusually large standardized mean differences: escalc()
# warns when any |yi| exceeds cutoff (default 2; NA skips the check) for SMD, SMDH, SMD1 and
# SMD1H (the SMD variants it checks; the change-score SMDs are not checked). Records, per
# case, whether escalc warned and the yi it computed.
#
# Writes tests/reference/smd_cutoff_v5.json. Needs metafor >= 5.1-0; with an older metafor it
# leaves the committed file alone and says so. The committed file was written by metafor
# 5.1-12 (R_LIBS=/tmp/rlib5, built as described in escalc_v5.R). metafor checks a given set of
# estimates once per session, so every case uses values not seen before in the script.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_smd_cutoff_fixture <- function() {
  if (packageVersion("metafor") < "5.1.0") {
    cat("smd_cutoff_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 5.1-0; tests/reference/smd_cutoff_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  cases <- list()
  one <- function(id, measure, args, cutoff = NULL) {
    call <- c(list(measure = measure), args)
    if (!is.null(cutoff)) call$cutoff <- cutoff
    warned <- FALSE
    e <- withCallingHandlers(do.call(escalc, call),
                             warning = function(w) { warned <<- TRUE; invokeRestart("muffleWarning") })
    cases[[id]] <<- list(measure = scalar(measure), inputs = lapply(args, as.numeric),
                         cutoff = if (is.null(cutoff)) NULL else scalar(cutoff),
                         warned = scalar(warned), yi = as.numeric(e$yi), vi = as.numeric(e$vi))
  }
  two <- function(m1) list(m1i = m1, m2i = c(2, 2), sd1i = c(2, 2.1), sd2i = c(2, 1.9), n1i = c(20, 25), n2i = c(20, 22))
  one("SMD-below", "SMD", two(c(6.05, 3)))          # d = 2.02, yi = 1.98 after the correction
  one("SMD-above", "SMD", two(c(6.11, 3.1)))        # yi just above 2
  one("SMD-negative", "SMD", two(c(-2.3, 2.2)))     # yi below -2
  one("SMD-cutoff5", "SMD", two(c(9.3, 3.3)), cutoff = 5)
  # a cutoff other than 2 that is exceeded stops metafor 5.1-12 with "object 'addtxt' not
  # found" (its warning text is only built for the default), so it has no case here
  one("SMDH-above", "SMDH", two(c(7.1, 3.5)))
  one("SMD1-above", "SMD1", list(m1i = c(7.2, 3.6), m2i = c(2, 2), sd2i = c(2, 2), n1i = c(20, 20), n2i = c(20, 20)))
  one("SMD1H-above", "SMD1H", list(m1i = c(7.3, 3.7), m2i = c(2, 2), sd1i = c(2, 2), sd2i = c(2, 2), n1i = c(20, 20), n2i = c(20, 20)))
  one("SMCC-not-checked", "SMCC", list(m1i = c(10.1, 5), m2i = c(2, 4.9), sd1i = c(2, 2), sd2i = c(2, 2), ni = c(20, 20), ri = c(.5, .5)))
  one("SMCR-not-checked", "SMCR", list(m1i = c(10.2, 5), m2i = c(2, 4.9), sd1i = c(2, 2), ni = c(20, 20), ri = c(.5, .5)))
  write_fixture(cases, file.path(REF_DIR, "smd_cutoff_v5.json"),
                "metafor 5.1 escalc(): the flag for unusually large SMD values (cutoff)")
}
write_smd_cutoff_fixture()
