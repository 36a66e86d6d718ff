# Shared helpers for the fixture scripts: a JSON writer at full precision.
#
# jsonlite prints at most 15 significant digits, which does not round-trip a double;
# fixtures are written with sprintf("%.17g") so that regenerating an unchanged reference
# gives an unchanged file and Python reads back exactly the double R computed.

json_num <- function(x) {
  if (length(x) == 0) return("[]")
  out <- ifelse(is.na(x) & !is.nan(x), "null",
         ifelse(is.nan(x), "\"NaN\"",
         ifelse(is.infinite(x), ifelse(x > 0, "\"Infinity\"", "\"-Infinity\""),
                sprintf("%.17g", as.numeric(x)))))
  out
}

json_str <- function(x) {
  x <- gsub("\\\\", "\\\\\\\\", x)
  x <- gsub("\"", "\\\\\"", x)
  x <- gsub("\n", "\\\\n", x)
  ifelse(is.na(x), "null", paste0("\"", x, "\""))
}

# to_json(x): lists with names -> objects; unnamed lists -> arrays;
# atomic vectors -> arrays unless wrapped in scalar() (length-1, written bare).
scalar <- function(x) structure(x, class = c("json_scalar", class(x)))

to_json <- function(x, indent = 0) {
  pad <- strrep(" ", indent + 2)
  end <- strrep(" ", indent)
  if (inherits(x, "json_scalar")) {
    v <- unclass(x)
    if (is.logical(v)) return(ifelse(is.na(v), "null", ifelse(v, "true", "false")))
    if (is.numeric(v)) return(json_num(v))
    return(json_str(as.character(v)))
  }
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    parts <- vapply(seq_along(x), function(i) to_json(x[[i]], indent + 2), "")
    if (!is.null(names(x))) {
      parts <- paste0(json_str(names(x)), ": ", parts)
      return(paste0("{\n", pad, paste(parts, collapse = paste0(",\n", pad)), "\n", end, "}"))
    }
    return(paste0("[\n", pad, paste(parts, collapse = paste0(",\n", pad)), "\n", end, "]"))
  }
  if (is.factor(x)) x <- as.character(x)
  if (is.logical(x)) vals <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  else if (is.numeric(x)) vals <- json_num(x)
  else vals <- json_str(as.character(x))
  paste0("[", paste(vals, collapse = ", "), "]")
}

# Write a fixture file: provenance header + cases (a named list of case objects).
write_fixture <- function(cases, path, description) {
  doc <- list(
    description = scalar(description),
    generated_by = scalar("Rscript tests/reference/make_reference.R"),
    r_version = scalar(R.version.string),
    metafor_version = scalar(as.character(packageVersion("metafor"))),
    cases = cases
  )
  tmp <- paste0(path, ".tmp")
  writeLines(to_json(doc), tmp, useBytes = TRUE)
  file.rename(tmp, path)
  cat(sprintf("wrote %s (%d cases)\n", path, length(cases)))
}

# Read a metadat raw file from ../shared/data/metadat (path relative to the repo root
# is passed in by make_reference.R as METADAT_DIR).
read_metadat <- function(name) {
  f <- file.path(METADAT_DIR, paste0(name, ".txt"))
  if (file.exists(f)) return(read.table(f, header = TRUE, stringsAsFactors = FALSE))
  read.csv(file.path(METADAT_DIR, paste0(name, ".csv")), stringsAsFactors = FALSE)
}

# One escalc() case for the escalc fixtures: the exact call, the inputs under metafor's
# names, the settings, and yi/vi at full precision.
escalc_case <- function(measure, inputs, dataset, settings = list()) {
  res <- do.call(escalc, c(list(measure = measure), inputs, settings))
  arg_txt <- paste(c(
    sprintf("measure=\"%s\"", measure),
    paste0(names(inputs), "=", names(inputs)),
    vapply(names(settings), function(s) {
      v <- settings[[s]]
      txt <- if (is.character(v)) sprintf("\"%s\"", v) else format(v)
      if (length(v) > 1) sprintf("%s=c(%s)", s, paste(txt, collapse = ", ")) else sprintf("%s=%s", s, txt)
    }, "")
  ), collapse = ", ")
  settings_json <- lapply(settings, function(v) if (length(v) > 1) v else scalar(v))  # a vector vtype: an array
  if (length(settings_json) == 0) settings_json <- structure(list(), names = character(0))
  list(
    measure = scalar(measure),
    dataset = scalar(dataset),
    call = scalar(sprintf("escalc(%s)", arg_txt)),
    settings = settings_json,
    inputs = lapply(inputs, as.numeric),
    yi = as.numeric(res$yi),
    vi = as.numeric(res$vi)
  )
}

# Two-group means/SDs shared by the escalc fixtures: the first 30 rows of metadat's
# dat.curtis1998 and dat.normand1999.
escalc_two_group_data <- function() {
  curtis <- metadat::dat.curtis1998[1:30, ]
  normand <- metadat::dat.normand1999
  cols <- c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
  list(curtis1998 = as.list(curtis[cols]), normand1999 = as.list(normand[cols]))
}
