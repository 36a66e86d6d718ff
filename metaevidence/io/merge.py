"""Adding imported outcome entries to an existing study record, keeping what the file says.

A row of a spreadsheet whose study id names a record already in ``studies/`` becomes a new
entry at the end of that record's ``outcomes:`` list. The new entries are spliced into the
file's text -- after the last line of the list, indented like its items -- so everything
else in the file (its content, key order, comments, quoting) is kept byte for byte. Only
when the list cannot be extended in place (``outcomes: []`` written inline, say) is the
record written out again from its content (order kept, comments lost; the import says so).
Either way the result is checked to hold exactly the old record plus the new entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from metaevidence._schema.yamlload import YMap, YSeq, parse_yaml, to_plain
from metaevidence.evidence.schema import check_study
from metaevidence.io.writing import dump_yaml

__all__ = ["Existing", "read_existing", "entry_key", "merged_bytes"]


def entry_key(entry) -> tuple:
    """What makes an outcome entry unique within a record: outcome, subgroup, timepoint."""
    return (entry.get("outcome"), entry.get("subgroup"), entry.get("timepoint"))


@dataclass(frozen=True, slots=True)
class Existing:
    """A record already in ``studies/``: its bytes, content, and the line of each outcome entry."""

    path: Path
    raw: bytes
    record: dict
    entry_lines: dict[tuple, int]


def read_existing(path: Path) -> tuple[Existing | None, str | None]:
    """The record at ``path``, or (None, why it cannot take new entries)."""
    raw = path.read_bytes()
    tree, problems = parse_yaml(raw, path)
    if tree is not None and not problems:
        problems = check_study(tree, path)[0]
    if tree is None or problems or not isinstance(tree, YMap):
        why = f"{problems[0]}" + (f" and {len(problems) - 1} more" if len(problems) > 1 else "")
        return None, f"{path}, which is not a valid record ({why}); fix it first (`metaevidence validate`)"
    record = to_plain(tree)
    node = tree.get("outcomes")
    lines = {}
    if isinstance(node, YSeq):
        for item in node.items:
            if isinstance(item, YMap):
                lines.setdefault(entry_key(to_plain(item)), item.line)
    return Existing(path, raw, record, lines), None


def _splice(ex: Existing, entries: list[dict]) -> bytes | None:
    """The file's text with ``entries`` appended to its block ``outcomes:`` list, or None."""
    tree, _ = parse_yaml(ex.raw, ex.path)
    node = tree.get("outcomes") if isinstance(tree, YMap) else None
    if not isinstance(node, YSeq) or not node.items or not isinstance(node.items[0], YMap):
        return None
    text = ex.raw.decode("utf-8")
    lines = text.splitlines(keepends=True)
    first = lines[node.items[0].line - 1]
    dash = len(first) - len(first.lstrip(" "))
    if not first.lstrip(" ").startswith("-"):
        return None  # not a block sequence item
    later = [line for key, line, _v in tree.items if line > node.items[-1].line]
    end = (min(later) - 1) if later else len(lines)  # 0-based index of the line after the list
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        if lines[end - 1].strip() and len(lines[end - 1]) - len(lines[end - 1].lstrip(" ")) > dash:
            break  # a comment indented inside the last item belongs to it
        end -= 1
    if end and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    block = dump_yaml(entries).decode("utf-8")  # "- outcome: ...", at column 0
    block = "".join((" " * dash + ln) if ln.strip() else ln for ln in block.splitlines(keepends=True))
    return "".join(lines[:end] + [block] + lines[end:]).encode("utf-8")


def merged_bytes(ex: Existing, entries: list[dict]) -> tuple[bytes, bool]:
    """(the record with ``entries`` appended, whether the file's own text was kept)."""
    want = dict(ex.record)
    want["outcomes"] = list(ex.record.get("outcomes") or []) + entries
    spliced = _splice(ex, entries)
    if spliced is not None:
        tree, problems = parse_yaml(spliced, ex.path)
        if (
            tree is not None
            and not problems
            and to_plain(tree) == to_plain(parse_yaml(dump_yaml(want), ex.path)[0])
        ):
            return spliced, True
    return dump_yaml(want), False
