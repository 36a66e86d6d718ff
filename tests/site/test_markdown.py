from metaevidence.site.markdown import sections, to_html


def test_headings_tables_paragraphs_and_inline_markup():
    md = "# T\n\nSome **bold** and *it* and `code`.\nSecond line.\n\n| a | b |\n|---|---|\n| 1 | x |\n\n> Note: n\n\n- one\n- two\n"
    html = to_html(md, shift=1)
    assert "<h2>T</h2>" in html
    assert "<p>Some <strong>bold</strong> and <em>it</em> and <code>code</code>. Second line.</p>" in html
    assert '<th scope="col">a</th>' in html and "<td>1</td><td>x</td>" in html
    assert "<blockquote><p>Note: n</p></blockquote>" in html
    assert "<ul><li>one</li><li>two</li></ul>" in html


def test_everything_is_escaped_and_images_are_dropped():
    html = to_html('A <script>alert(1)</script> & "q"\n\n![forest](x.svg)\n')
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "x.svg" not in html


def test_sections():
    got = sections("# T\nintro\n## A\na\n## B\nb\n")
    assert [h for h, _ in got] == ["", "A", "B"]
    assert got[1][1].strip() == "a"
