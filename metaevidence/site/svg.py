"""Figures prepared for inlining in a page.

matplotlib's SVG (text as ``<text>`` elements; older figures drew glyph paths with each
string kept as an XML comment) starts with an XML prolog and a DOCTYPE and uses ids such as
``DejaVuSans-31`` that repeat from figure to figure. Inline, each figure gets its ids
prefixed (so a page with four figures has unique ids), ``role="img"`` and a ``<title>`` and
``<desc>`` written from the figure's numbers, so a screen reader hears the result.
"""

from __future__ import annotations

import re
from html import escape

__all__ = ["inline_svg", "svg_strings"]

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(xlink:href|href)="#([^"]+)"|url\(#([^)]+)\)')
_STRING = re.compile(r"<!--\s?(.*?)\s?-->|<text\b[^>]*>([^<]*)</text>", re.S)


def inline_svg(svg: str, prefix: str, title: str, desc: str = "") -> str:
    """The ``<svg>`` element of ``svg`` ready to sit in HTML (see the module docstring)."""
    start = svg.index("<svg")
    body = svg[start:]
    ids = set(_ID.findall(body))
    body = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)

    def ref(m: re.Match) -> str:
        if m.group(2) is not None:
            target = m.group(2)
            return f'{m.group(1)}="#{prefix}-{target}"' if target in ids else m.group(0)
        target = m.group(3)
        return f"url(#{prefix}-{target})" if target in ids else m.group(0)

    body = _REF.sub(ref, body)
    body = re.sub(r"<metadata>.*?</metadata>", "", body, count=1, flags=re.S)
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', body)
    style = f' style="max-width:{float(width.group(1)) * 4 / 3:.0f}px"' if width else ""
    head = (
        f'<svg role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="figure-svg"{style}'
        + body[len("<svg") : body.index(">") + 1]
    )
    head = re.sub(r'\s(width|height)="[^"]*"', "", head, count=2)
    caption = (
        f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(desc)}</desc>'
    )
    return head + caption + body[body.index(">") + 1 :]


def svg_strings(svg: str) -> list[str]:
    """The text strings a matplotlib SVG draws, in order (``<text>`` elements, or the comments
    beside glyph paths in an SVG drawn with ``svg.fonttype: path``).
    """
    from html import unescape

    return [(unescape(text) if text else comment).strip() for comment, text in _STRING.findall(svg)]
