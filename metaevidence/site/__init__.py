"""The published face of the review: a static HTML site and a Word report, from ``results/``.

The layer above :mod:`metaevidence.workflow` and below :mod:`metaevidence.cli`: it may
import every layer below it (workflow, plots, review, io, evidence, datasets, stats,
display, _schema, core) and the public API. It computes nothing: every number it shows is
read from the results documents (``results/<id>.json``), the figures and the study records,
so the site and the document always say what the committed results say.

- :mod:`.build` -- ``build_site(paths, out)``: the site (Jinja2 templates, bundled CSS/JS).
- :mod:`.model` -- what the pages show, as plain data (shared with the Word report).
- :mod:`.word` -- ``build_docx(paths, out)``: the guideline-annex Word document.
- :mod:`.markdown` -- the small Markdown subset the reports use, to HTML.
- :mod:`.svg` -- figures prepared for inlining (unique ids, a title from the numbers).
- :mod:`.history` -- when an analysis's results last changed, and by which study.
"""
