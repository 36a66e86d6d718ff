import re

from metaevidence.site.svg import inline_svg, svg_strings

SVG = """<?xml version="1.0" encoding="utf-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="300pt" height="150pt" viewBox="0 0 300 150" xmlns="http://www.w3.org/2000/svg">
 <metadata><x/></metadata>
 <defs><path id="DejaVuSans-31" d="M0 0"/><clipPath id="p1"><rect/></clipPath></defs>
 <g clip-path="url(#p1)"><!-- 1.57 [1.28, 1.92] --><use xlink:href="#DejaVuSans-31"/><use xlink:href="#other"/></g>
</svg>
"""


def test_inline_svg_prefixes_ids_and_adds_title_and_description():
    a = inline_svg(SVG, "fig0", "Forest plot", "pooled OR 1.57")
    b = inline_svg(SVG, "fig1", "Funnel plot")
    assert a.startswith("<svg") and "<?xml" not in a and "DOCTYPE" not in a and "<metadata>" not in a
    ids_a, ids_b = set(re.findall(r'id="([^"]+)"', a)), set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b  # two figures on one page share no id
    assert 'xlink:href="#fig0-DejaVuSans-31"' in a and "url(#fig0-p1)" in a
    assert 'xlink:href="#other"' in a  # a reference to no id of the figure is left alone
    assert 'role="img"' in a and 'aria-labelledby="fig0-title fig0-desc"' in a
    assert '<title id="fig0-title">Forest plot</title>' in a and "pooled OR 1.57</desc>" in a
    assert 'style="max-width:400px"' in a  # 300 pt = 400 CSS px
    assert ' width="300pt"' not in a and "viewBox=" in a


def test_svg_strings():
    assert svg_strings(SVG) == ["1.57 [1.28, 1.92]"]  # glyph paths with their comment
    text = '<svg><text style="font-size: 8px" x="1" y="2">Ferguson &amp; Simes 1949</text><text>0.19</text></svg>'
    assert svg_strings(text) == ["Ferguson & Simes 1949", "0.19"]
