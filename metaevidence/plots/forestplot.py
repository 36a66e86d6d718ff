"""An adapter handing a forest table to the ``forestplot`` package, for users who want its look.

``forestplot`` (``pip install metaevidence[forestplot]``) is never a dependency of the
toolkit. Importing it changes process-wide state: it installs an ignore-all warnings filter,
calls ``np.seterr(all="ignore")`` and sets ``matplotlib.rcParams["font.monospace"]``. So
:func:`import_forestplot` imports it lazily and restores the warnings filters, numpy's error
state and the rcParams it found; :func:`forestplot_frame` turns a result into the data frame
``forestplot.forestplot`` expects, and :func:`draw_with_forestplot` draws it.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["import_forestplot", "forestplot_frame", "draw_with_forestplot"]


def import_forestplot():
    """The ``forestplot`` module, imported without leaving its process-wide changes behind.

    Raises
    ------
    ModuleNotFoundError
        With the install command, when forestplot is not installed.
    """
    import sys

    import matplotlib
    import numpy as np

    if "forestplot" in sys.modules:
        return sys.modules["forestplot"]
    filters = list(warnings.filters)
    err = np.geterr()
    rc = dict(matplotlib.rcParams)
    try:
        import forestplot
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "the forestplot adapter needs the forestplot package: pip install 'metaevidence[forestplot]'"
        ) from exc
    finally:
        warnings.filters[:] = filters
        warnings._filters_mutated()  # noqa: SLF001 - as warnings.filterwarnings does itself
        np.seterr(**err)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rcParams deprecated keys warn on assignment
            changed = {k: v for k, v in rc.items() if matplotlib.rcParams.get(k) != v}
            matplotlib.rcParams.update(changed)
    return forestplot


def forestplot_frame(result: Any):
    """The study rows (and pooled row) of a result as a frame: label, estimate, ll, hl, weight.

    Estimates and limits are in presentation units (ratios for OR, RR, HR), as
    :func:`~metaevidence.plots.table.forest_table` gives them.
    """
    from metaevidence.plots.table import forest_table  # the forest table it hands over

    t = forest_table(result)
    rows = t[t.kind.isin(["study", "pooled"])]
    out = rows[["label", "estimate", "ci_lower", "ci_upper"]].rename(
        columns={"ci_lower": "ll", "ci_upper": "hl"}
    )
    if "weight" in rows:
        out = out.assign(weight=rows["weight"])
    return out.reset_index(drop=True)


def draw_with_forestplot(result: Any, **options):
    """Draw ``result`` with ``forestplot.forestplot`` (options passed through); returns its Axes."""
    import numpy as np

    fp = import_forestplot()
    frame = forestplot_frame(result)
    options.setdefault("logscale", bool(getattr(result, "measure", "") in ("OR", "RR", "HR", "PETO", "IRR")))
    # forestplot may change the warnings filters and numpy's error state while drawing too
    with warnings.catch_warnings(), np.errstate():
        return fp.forestplot(frame, estimate="estimate", ll="ll", hl="hl", varlabel="label", **options)
