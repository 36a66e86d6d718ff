"""Model matrices for meta-regression from a small R-style formula language.

Supported (enough for the moderator formulas of meta-analysis; no patsy/formulaic)::

    ~ ablat                       a numeric moderator
    ~ ablat + factor(alloc)       a categorical moderator, dummy-coded (first level = reference)
    ~ alloc                       a text column is categorical, as in R
    ~ ablat * factor(alloc)       main effects and their interaction (a + b + a:b)
    ~ ablat:year                  an interaction term alone
    ~ I(ablat^2) + log(weeks + 1) arithmetic inside I() and in log/log2/log10/exp/sqrt/abs
    ~ 0 + factor(alloc)           no intercept (also ``~ factor(alloc) - 1``)

Columns are named as R's ``model.matrix`` names them (``factor(alloc)random``,
``ablat:factor(alloc)random``, ``I(ablat^2)``), with the intercept called ``intrcpt`` as
in metafor. Factor levels are sorted (numerically for numbers, alphabetically for text)
unless the column is a pandas Categorical, whose category order is kept. Rows with a
missing value in any variable the formula uses get NaN in every column, and the model
drops them (metafor ``na.action = "na.omit"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ModelMatrix", "model_matrix", "design_from_columns"]

_FUNCTIONS = {
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
}
_TOKEN = re.compile(
    r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|"
    r"([A-Za-z_.][A-Za-z0-9_.]*)|(`[^`]+`)|(\*\*|[-+*/^():,~]))"
)


@dataclass(frozen=True, slots=True)
class ModelMatrix:
    """A model matrix and how it was built.

    Attributes
    ----------
    X : ndarray (n, p)
        The model matrix; rows with a missing moderator are NaN.
    names : tuple of str (p)
        Column names (R ``model.matrix`` spelling; intercept ``intrcpt``).
    intercept : bool
        Whether the first column is the intercept.
    formula : str or None
        The formula it came from, if any.
    variables : tuple of str
        Data columns the formula uses.
    """

    X: np.ndarray
    names: tuple[str, ...]
    intercept: bool
    formula: str | None
    variables: tuple[str, ...]


def _tokenize(text: str, formula: str) -> list[str]:
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            rest = text[pos:].lstrip()
            raise ValueError(
                f"formula {formula!r}: cannot read {rest!r} at position "
                f"{len(text) - len(rest)}; allowed are names, numbers, "
                f"+ - * / ^ : ( ) and the functions factor(), I(), "
                f"{', '.join(f + '()' for f in _FUNCTIONS)}"
            )
        tok = next(g for g in match.groups() if g is not None)
        out.append("^" if tok == "**" else tok)
        pos = match.end()
    return out


class _Parser:
    """Recursive-descent parser for the arithmetic inside a term (R precedence)."""

    def __init__(self, tokens: list[str], formula: str):
        self.tokens, self.i, self.formula = tokens, 0, formula

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected=None):
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise ValueError(
                f"formula {self.formula!r}: expected {expected or 'more input'}, "
                f"got {tok or 'end of formula'}"
            )
        self.i += 1
        return tok

    # expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ; unary := '-' unary | power
    # power := atom ('^' unary)?
    def expr(self):
        node = self.term()
        while self.peek() in ("+", "-"):
            node = (self.take(), node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek() in ("*", "/"):
            node = (self.take(), node, self.unary())
        return node

    def unary(self):
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary())
        if self.peek() == "+":
            self.take()
        return self.power()

    def power(self):
        node = self.atom()
        if self.peek() == "^":
            self.take()
            node = ("^", node, self.unary())
        return node

    def atom(self):
        tok = self.take()
        if tok == "(":
            node = self.expr()
            self.take(")")
            return node
        if re.fullmatch(r"[\d.].*", tok) and tok != ".":
            return ("num", float(tok))
        if tok.startswith("`"):
            return ("var", tok[1:-1])
        if re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", tok):
            if self.peek() == "(":
                self.take("(")
                arg = self.expr()
                self.take(")")
                if tok not in _FUNCTIONS:
                    raise ValueError(
                        f"formula {self.formula!r}: function {tok}() is not "
                        f"supported inside an expression; allowed: "
                        f"{', '.join(_FUNCTIONS)}"
                    )
                return ("call", tok, arg)
            return ("var", tok)
        raise ValueError(f"formula {self.formula!r}: unexpected {tok!r}")


def _variables(node) -> set[str]:
    kind = node[0]
    if kind == "var":
        return {node[1]}
    if kind == "num":
        return set()
    if kind in ("neg",):
        return _variables(node[1])
    if kind == "call":
        return _variables(node[2])
    return _variables(node[1]) | _variables(node[2])


def _evaluate(node, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    kind = node[0]
    if kind == "num":
        return np.asarray(node[1])
    if kind == "var":
        return columns[node[1]]
    if kind == "neg":
        return -_evaluate(node[1], columns)
    if kind == "call":
        with np.errstate(divide="ignore", invalid="ignore"):
            return _FUNCTIONS[node[1]](_evaluate(node[2], columns))
    a, b = _evaluate(node[1], columns), _evaluate(node[2], columns)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}[kind](a, b)


def _split_top(tokens: list[str], seps: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """Split tokens at separators outside parentheses: [(sep_before, tokens), ...]."""
    parts: list[tuple[str, list[str]]] = []
    current: list[str] = []
    depth, sep = 0, "+"
    for tok in tokens:
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        if depth == 0 and tok in seps:
            parts.append((sep, current))
            current, sep = [], tok
            continue
        current.append(tok)
    parts.append((sep, current))
    return parts


def _text(tokens: list[str]) -> str:
    """R's deparse spacing: binary + - * / get spaces, ^ and calls do not."""
    out = ""
    for i, tok in enumerate(tokens):
        if tok in ("+", "-", "*", "/") and i > 0 and tokens[i - 1] not in ("(", "^", ","):
            out += f" {tok} "
        else:
            out += tok
    return out


@dataclass(frozen=True, slots=True)
class _Factor:
    """One variable of a term: numeric (a column) or categorical (dummy columns)."""

    label: str
    node: Any
    categorical: bool


def _is_text(values: np.ndarray) -> bool:
    return values.dtype.kind in ("U", "S", "O", "b")


def _levels(raw, values: np.ndarray) -> list:
    order = getattr(getattr(raw, "cat", None), "categories", None)
    present = [x for x in values if not _missing(x)]
    if order is not None:
        return [lvl for lvl in order if lvl in set(present)]
    uniq = set(present)
    try:
        return sorted(uniq, key=lambda x: (float(x), str(x)))
    except (TypeError, ValueError):
        return sorted(uniq, key=str)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _level_text(level) -> str:
    if isinstance(level, float) and level.is_integer():
        return str(int(level))
    return str(level)


def model_matrix(formula: str, data: Mapping[str, Any] | Any, *, n: int | None = None) -> ModelMatrix:
    """Build the model matrix of a one-sided formula over a table of moderators.

    Parameters
    ----------
    formula : str
        One-sided formula such as ``"~ ablat + factor(alloc)"`` (see module docstring).
    data : Mapping of column name -> array_like (n,), or a pandas DataFrame
        The moderator columns.
    n : int, optional
        Expected number of rows (checked against the data).

    Returns
    -------
    ModelMatrix

    Notes
    -----
    Treatment (dummy) coding with the first level as reference, R's default
    ``contr.treatment``; an interaction's columns are the products of its variables'
    columns, with the first factor varying fastest as in R. Terms are ordered by degree
    (main effects first), as R's ``terms()`` orders them.

    Example
    -------
    >>> mm = model_matrix("~ x + factor(g)", {"x": [1.0, 2.0, 3.0], "g": ["b", "a", "b"]})
    >>> mm.names
    ('intrcpt', 'x', 'factor(g)b')

    Matches the columns of R ``model.matrix(~ ..., data)`` (metafor ``rma(mods = ~ ...)``).
    """
    if not isinstance(formula, str):
        raise TypeError(f"formula must be a string such as '~ x + factor(g)'; got {type(formula).__name__}")
    tokens = _tokenize(formula, formula)
    if not tokens or tokens[0] != "~":
        raise ValueError(
            f"formula {formula!r} must be one-sided and start with '~' (e.g. '~ ablat + factor(alloc)')"
        )
    if "~" in tokens[1:]:
        raise ValueError(f"formula {formula!r}: only one '~' is allowed (moderators only, the outcome is yi)")
    columns = _columns(data, formula)
    intercept = True
    terms: list[tuple[_Factor, ...]] = []
    for sep, part in _split_top(tokens[1:], ("+", "-")):
        if not part:
            if sep == "+" and not terms:
                continue
            raise ValueError(f"formula {formula!r}: empty term")
        if part in (["0"], ["1"]):
            intercept = (part == ["1"]) == (sep == "+")
            continue
        if sep == "-":
            raise ValueError(
                f"formula {formula!r}: removing terms other than the intercept ('- 1') is not supported"
            )
        for term in _expand(part, formula):
            if term not in terms:
                terms.append(term)
    terms.sort(key=len)
    used = sorted({v for term in terms for f in term for v in _variables(f.node)})
    missing_cols = [v for v in used if v not in columns]
    if missing_cols:
        raise ValueError(
            f"formula {formula!r} uses column(s) {', '.join(missing_cols)} not "
            f"in the moderator data; available: {', '.join(sorted(columns)) or 'none'}"
        )
    sizes = {len(columns[v]) for v in used}
    if n is not None:
        sizes.add(n)
    if len(sizes) > 1:
        raise ValueError(f"formula {formula!r}: columns have different lengths {sorted(sizes)}")
    nrow = sizes.pop() if sizes else (n if n is not None else len(next(iter(columns.values()))))
    main = {f.label for term in terms if len(term) == 1 for f in term}
    cols: list[np.ndarray] = []
    names: list[str] = []
    bad = np.zeros(nrow, dtype=bool)
    if intercept:
        cols.append(np.ones(nrow))
        names.append("intrcpt")
    full_coding_used = intercept  # without intercept, the first factor keeps all levels
    for term in terms:
        blocks = []
        for f in term:
            if len(term) > 1 and f.label not in main and _categorical(f, columns):
                raise ValueError(
                    f"formula {formula!r}: the interaction "
                    f"{':'.join(g.label for g in term)} needs the main effect "
                    f"{f.label} in the formula too"
                )
            drop_first = full_coding_used or len(term) > 1
            block, miss = _factor_columns(f, columns, nrow, formula, drop_first=drop_first)
            if len(term) == 1 and _categorical(f, columns):
                full_coding_used = True
            bad |= miss
            blocks.append(block)
        for name, values in _products(blocks):
            names.append(name)
            cols.append(values)
    X = np.column_stack(cols) if cols else np.zeros((nrow, 0))
    X[bad] = np.nan
    return ModelMatrix(X=X, names=tuple(names), intercept=intercept, formula=formula, variables=tuple(used))


def _expand(part: list[str], formula: str) -> list[tuple[_Factor, ...]]:
    """A top-level term with '*' and ':' -> list of interaction tuples."""
    groups = []
    for _, chunk in _split_top(part, ("*",)):
        inter = tuple(_factor(tokens, formula) for _, tokens in _split_top(chunk, (":",)))
        groups.append(inter)
    out: list[tuple[_Factor, ...]] = []
    # a*b*c: every non-empty combination of the '*'-separated groups, by degree
    n = len(groups)
    for size in range(1, n + 1):
        for mask in range(1, 2**n):
            if bin(mask).count("1") != size:
                continue
            term: tuple[_Factor, ...] = ()
            for j in range(n):
                if mask >> j & 1:
                    term += groups[j]
            if term not in out:
                out.append(term)
    return out


def _factor(tokens: list[str], formula: str) -> _Factor:
    if not tokens:
        raise ValueError(f"formula {formula!r}: empty interaction component")
    label = _text(tokens)
    if tokens[0] in ("factor", "as.factor") and len(tokens) > 2 and tokens[1] == "(" and tokens[-1] == ")":
        parser = _Parser(tokens[2:-1], formula)
        node = parser.expr()
        if parser.peek() is not None:
            raise ValueError(f"formula {formula!r}: cannot read {label!r}")
        return _Factor(label, node, True)
    if tokens[0] == "I" and len(tokens) > 2 and tokens[1] == "(" and tokens[-1] == ")":
        tokens = tokens[2:-1]
    parser = _Parser(tokens, formula)
    node = parser.expr()
    if parser.peek() is not None:
        raise ValueError(f"formula {formula!r}: cannot read {label!r} (unexpected {parser.peek()!r})")
    return _Factor(label, node, False)


def _columns(data, formula) -> dict[str, Any]:
    if data is None:
        raise ValueError(f"formula {formula!r} needs data: a DataFrame or a mapping of column name -> values")
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):
        return {str(c): data[c] for c in data.columns}
    if isinstance(data, Mapping):
        return dict(data)
    raise TypeError(
        f"moderator data must be a DataFrame or a mapping of column name -> values; got {type(data).__name__}"
    )


def _as_array(raw) -> np.ndarray:
    values = np.asarray(raw)
    if values.dtype.kind == "O":
        try:
            return np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            return values
    return values


def _categorical(f: _Factor, columns) -> bool:
    """factor(...) or a plain text/boolean/categorical column."""
    if f.categorical:
        return True
    node = f.node
    return (
        node[0] == "var"
        and node[1] in columns
        and (_is_text(_as_array(columns[node[1]])) or hasattr(columns[node[1]], "cat"))
    )


def _factor_columns(f: _Factor, columns, nrow, formula, *, drop_first: bool):
    """Columns of one variable: [(name, values)], and the rows with missing values."""
    node = f.node
    if _categorical(f, columns):
        raw = columns[node[1]] if node[0] == "var" else None
        values = (
            _as_array(raw)
            if raw is not None
            else _evaluate(
                node, {k: _as_array(v).astype(float) for k, v in columns.items() if k in _variables(node)}
            )
        )
        values = np.asarray(values, dtype=object) if values.dtype.kind != "O" else values
        miss = np.array([_missing(x) for x in values], dtype=bool)
        levels = _levels(raw, values)
        if len(levels) < 2 and drop_first:
            raise ValueError(
                f"formula {formula!r}: {f.label} has fewer than two levels "
                f"({', '.join(map(str, levels)) or 'none'})"
            )
        keep = levels[1:] if drop_first else levels
        block = [
            (
                f"{f.label}{_level_text(lvl)}",
                np.array([1.0 if (not _missing(x) and x == lvl) else 0.0 for x in values]),
            )
            for lvl in keep
        ]
        return block, miss
    env = {}
    for name in _variables(node):
        arr = _as_array(columns[name])
        if _is_text(arr):
            raise ValueError(
                f"formula {formula!r}: {name} holds text and cannot be used "
                f"in arithmetic ({f.label}); use factor({name})"
            )
        env[name] = arr.astype(float)
    values = np.broadcast_to(np.asarray(_evaluate(node, env), dtype=float), (nrow,)).copy()
    return [(f.label, values)], ~np.isfinite(values)


def _products(blocks):
    """Interaction columns: products over blocks, first block varying fastest (as R)."""
    combos = [("", np.ones(len(blocks[0][0][1])))]
    for block in blocks:
        combos = [(f"{pn}:{bn}" if pn else bn, pv * bv) for bn, bv in block for pn, pv in combos]
    return combos


def design_from_columns(moderators, *, n: int, intercept: bool = True) -> ModelMatrix:
    """Model matrix from an array (n,) / (n, q) or a table of moderator columns.

    Parameters
    ----------
    moderators : array_like (n,) or (n, q), pandas DataFrame, or Mapping name -> (n,)
        Numeric columns enter as they are; text, boolean and pandas categorical columns
        are dummy-coded with the first level as reference.
    n : int
        Number of studies (rows).
    intercept : bool
        Prepend an intercept column (``intrcpt``).

    Returns
    -------
    ModelMatrix

    Notes
    -----
    Unnamed array columns are called ``mods`` (one column) or ``mods1``, ``mods2``, ...,
    as metafor names the columns of a matrix passed as ``mods``.

    Example
    -------
    >>> design_from_columns([1.0, 2.0, 4.0], n=3).names
    ('intrcpt', 'mods')
    """
    if hasattr(moderators, "columns") or isinstance(moderators, Mapping):
        columns = _columns(moderators, "<columns>")
        terms = " + ".join(
            f"`{c}`" if not re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", c) else c for c in columns
        )
        formula = f"~ {terms}" + ("" if intercept else " - 1")
        mm = model_matrix(formula, columns, n=n)
        clean = tuple(nm.replace("`", "") for nm in mm.names)
        return ModelMatrix(X=mm.X, names=clean, intercept=intercept, formula=None, variables=mm.variables)
    try:
        arr = np.asarray(moderators, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"moderators given as an array must be numbers; got {str(moderators)[:60]}: "
            "pass text or categories as a DataFrame or mapping column (dummy-coded) or "
            "through a formula with data="
        ) from None
    if arr.ndim == 1:
        arr = arr[:, None]
        names = ["mods"]
    elif arr.ndim == 2:
        names = [f"mods{j + 1}" for j in range(arr.shape[1])] if arr.shape[1] > 1 else ["mods"]
    else:
        raise ValueError(f"moderators must be a 1-D or 2-D array (studies in rows); got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"moderators must have one row per study ({n}); got {arr.shape[0]} rows")
    if intercept:
        arr = np.column_stack([np.ones(n), arr])
        names = ["intrcpt", *names]
    X = arr.copy()
    X[~np.isfinite(X).all(axis=1)] = np.nan
    return ModelMatrix(X=X, names=tuple(names), intercept=intercept, formula=None, variables=())
