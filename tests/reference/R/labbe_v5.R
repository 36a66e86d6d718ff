# Fixture: metafor >= 4.8's labbe(ci=, pi=, flip=): the points it returns with and without
# flip=TRUE, and the bands and line it draws (as their offsets y - x, from the display list),
# for an OR and an RR fit of dat.bcg.
#
# Writes tests/reference/labbe_v5.json. Needs metafor >= 4.8-0; with an older metafor it
# leaves the committed file alone and says so. The committed file was written by metafor
# 5.1-12 (R_LIBS=/tmp/rlib5, built as described in escalc_v5.R).

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_labbe_v5_fixture <- function() {
  if (packageVersion("metafor") < "4.8.0") {
    cat("labbe_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 4.8-0; tests/reference/labbe_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  bcg <- read_metadat("dat.bcg")
  drawn_offsets <- function(res, flip) {
    pdf(NULL); dev.control("enable")
    r <- labbe(res, ci = TRUE, pi = TRUE, flip = flip)
    rp <- recordPlot()[[1]]; dev.off()
    bands <- list(); lines <- c()
    for (e in rp) {
      a <- e[[2]]; nm <- a[[1]]$name
      if (identical(nm, "C_polygon")) bands[[length(bands) + 1]] <- range(a[[3]] - a[[2]])
      if (identical(nm, "C_plotXY") && identical(unclass(a[[3]]), "l")) lines <- c(lines, unique(a[[2]]$y - a[[2]]$x))
    }
    list(x = as.numeric(r$x), y = as.numeric(r$y), cex = as.numeric(r$cex),
         bands = bands, lines = as.numeric(lines))
  }
  cases <- list()
  for (m in c("OR", "RR")) {
    res <- rma(measure = m, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
    pr <- predict(res)
    cases[[sprintf("bcg-%s-REML", m)]] <- list(
      call = scalar(sprintf("labbe(rma(measure='%s', ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg), ci=TRUE, pi=TRUE, flip=FALSE/TRUE)", m)),
      measure = scalar(m), ai = as.numeric(bcg$tpos), bi = as.numeric(bcg$tneg),
      ci = as.numeric(bcg$cpos), di = as.numeric(bcg$cneg),
      estimate = scalar(as.numeric(res$b)), ci_lb = scalar(res$ci.lb), ci_ub = scalar(res$ci.ub),
      pi_lb = scalar(pr$pi.lb), pi_ub = scalar(pr$pi.ub),
      plain = drawn_offsets(res, FALSE), flipped = drawn_offsets(res, TRUE))
  }
  write_fixture(cases, file.path(REF_DIR, "labbe_v5.json"),
                "metafor 5 labbe(ci=TRUE, pi=TRUE, flip=): points, bands and lines drawn")
}
write_labbe_v5_fixture()
