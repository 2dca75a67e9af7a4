"""ToUnicode maps read and written as Qt and readers expect (no Qt here)."""
from app.documents.pdf_text import read_cmap, write_cmap

QT_STYLE = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
3 beginbfrange
<0000> <0000> <0000>
<0001> <0003> [<0032> <2FBA> <D842DFB7>]
<0010> <0012> <0041>
endbfrange
1 beginbfchar
<0020> <00660069>
endbfchar
endcmap
"""


def test_both_forms_of_bfrange_bfchar_and_surrogate_pairs_are_read():
    assert read_cmap(QT_STYLE) == {0: "\x00", 1: "2", 2: "⾺", 3: "𠮷", 0x10: "A", 0x11: "B", 0x12: "C", 0x20: "fi"}


def test_a_written_map_reads_back_and_splits_into_sections_of_100():
    mapping = {code: chr(0x4E00 + code) for code in range(1, 251)} | {300: "𠮷"}
    data = write_cmap(mapping)
    assert read_cmap(data) == mapping
    assert data.count(b"beginbfchar") == 3 and b"100 beginbfchar" in data and b"51 beginbfchar" in data


def test_the_text_pass_finds_the_same_lines_without_possessive_quantifiers():
    """Python 3.10 has no possessive quantifiers: pdf_text drops them there; the matches must be
    the same (only the time to fail a line of numbers differs)."""
    import re

    from app.documents import pdf_text

    plain = re.compile(pdf_text._PATTERN.replace(rb"++", rb"+").replace(rb"*+", rb"*"))
    stream = (b"\nq Q q\nBT\nW* n\nW n\n/F1 9 Tf 1 0 0 -1 20.5 30 Tm <0012> Tj\n10 -2.5 Td [(a) 3 (b)] TJ"
              b"\n1 0 0 1 0 0 cm\n0.5 0.5 0.5 SCN\n1 2 3 4 re\n12 14 TD\n(x) Tj\n+1 .5 -3 Tm\n")
    assert [m.groupdict() for m in plain.finditer(stream)] == \
        [m.groupdict() for m in pdf_text._LINES.finditer(stream)]
    assert len(list(plain.finditer(stream))) >= 8
