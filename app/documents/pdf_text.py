"""The text of a PDF as it was typed and as it is seen (検索・コピーできる PDF), from what Qt wrote.

1. A PDF tells a reader which characters each glyph stands for through a ToUnicode map per font.
   Qt writes it from the font's cmap, taking the lowest code point that maps to a glyph; Japanese
   fonts give a kanji and its Kangxi radical one glyph (馬 and ⾺ U+2FBA), so the map says ⾺ and
   searching the PDF for 群馬 finds nothing. Each glyph is mapped to what the document drew with
   it instead (the caller knows that; no Qt here).
2. Qt draws every line of a paragraph that crosses a page break on both pages and lets the clip
   hide the part that belongs to the other page: hidden, it is still found by a search and copied.
   Text drawn where the clip hides it is taken out.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

_HEX = r"<([0-9A-Fa-f]*)>"
_SECTION = re.compile(r"begin(bfchar|bfrange)(.*?)end\1", re.DOTALL)
_CHAR = re.compile(_HEX + r"\s*" + _HEX)
_RANGE = re.compile(_HEX + r"\s*" + _HEX + r"\s*(?:" + _HEX + r"|\[([^\]]*)\])")


def _text(hex_utf16: str) -> str:
    return bytes.fromhex(hex_utf16).decode("utf-16-be", errors="replace")


def read_cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap as {character code: text} (bfchar and both forms of bfrange)."""
    out: dict[int, str] = {}
    for kind, body in _SECTION.findall(data.decode("latin-1")):
        if kind == "bfchar":
            for code, dest in _CHAR.findall(body):
                out[int(code, 16)] = _text(dest)
            continue
        for lo, hi, dest, array in _RANGE.findall(body):
            lo, hi = int(lo, 16), int(hi, 16)
            if array:
                for code, d in zip(range(lo, hi + 1), re.findall(_HEX, array)):
                    out[code] = _text(d)
            else:                                 # <lo> <hi> <start>: the last code unit counts up
                start = bytes.fromhex(dest)
                for n, code in enumerate(range(lo, hi + 1)):
                    last = int.from_bytes(start[-2:], "big") + n
                    out[code] = (start[:-2] + last.to_bytes(2, "big")).decode("utf-16-be", errors="replace")
    return out


def write_cmap(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap for two-byte codes (Identity-H), one bfchar line per code."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    codes = sorted(mapping)
    for start in range(0, len(codes), 100):          # at most 100 entries a section
        chunk = codes[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{c:04X}> <{mapping[c].encode('utf-16-be').hex().upper()}>" for c in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(lines).encode("ascii")


# The content stream as Qt writes it, one operator a line ("x y Td <glyphs> Tj", "/F1 9 Tf … Tm"
# and "Q q" share one): the lines that change what the text pass follows, found by one regular expression
# (its numbers matched possessively: a line of numbers before another operator, "… SCN", "… re", fails
# at once instead of being tried again at each space).
_PATTERN = (rb"\n(?:(?P<stack>[qQ](?: [qQ])*)|(?P<bt>BT)|(?P<clip>W\*? n)"
            rb"|(?:/[^\s/]+ [-+\d.]+ Tf )?(?P<args>[-+\d.]++(?: [-+\d.]++)*+) (?P<op>cm|Tm|Td|TD)(?: (?P<show>[^\n]*T[jJ]))?"
            rb"|(?P<text>[<\[(][^\n]*T[jJ]))(?=\n)")
if sys.version_info < (3, 11):          # possessive quantifiers came with 3.11: the same matches, slower
    _PATTERN = _PATTERN.replace(rb"++", rb"+").replace(rb"*+", rb"*")
_LINES = re.compile(_PATTERN)
_PATH_OPS = {b"m", b"l", b"c", b"v", b"y", b"re", b"h"}
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _times(m, n):
    """The affine matrix ``m`` then ``n`` (PDF's [a b c d e f])."""
    return (m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5])


def _path_box(data: bytes, end: int, ctm):
    """The box of the path built on the lines just before ``end`` (a clip's), in device space."""
    xs, ys = [], []
    while end > 0:
        start = data.rfind(b"\n", 0, end) + 1
        parts = data[start:end].split()
        if not parts or parts[-1] not in _PATH_OPS:
            break
        nums = [float(v) for v in parts[:-1]]
        corners = [(nums[0], nums[1]), (nums[0] + nums[2], nums[1] + nums[3])] if parts[-1] == b"re" else \
            [(nums[i], nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
        for x, y in corners:
            xs.append(x * ctm[0] + y * ctm[2] + ctm[4])
            ys.append(x * ctm[1] + y * ctm[3] + ctm[5])
        end = start - 1
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def drop_hidden_text(data: bytes) -> tuple[bytes, int]:
    """``data`` (a page's content stream, as Qt writes it) without the text whose origin lies outside
    the clip it is drawn in (rectangular clips, as Qt writes them), and how many text-showing
    operators went. One pass of one regular expression over the stream: only the lines that move
    the origin, the clip or the graphics state are looked at (and the same numbers read once)."""
    ctm, clip, stack, line = IDENTITY, None, [], IDENTITY
    text = b"\n" + data + b"\n"
    cuts, numbers = [], {}
    for match in _LINES.finditer(text):
        kind = match.lastgroup
        if kind == "op" or kind == "show":                   # (lastgroup: the last group that matched)
            args = match.group("args")
            nums = numbers.get(args) or numbers.setdefault(args, tuple(float(v) for v in args.split()))
            op = match.group("op")
            if op == b"cm":
                ctm = _times(nums, ctm)
                continue
            if op == b"Tm":
                line = nums
            else:                                              # Td, TD: the line moves by (tx, ty)
                a, b, c, d, e, f = line
                line = (a, b, c, d, nums[0] * a + nums[1] * c + e, nums[0] * b + nums[1] * d + f)
            if kind == "op":
                continue
        elif kind == "stack":
            for op in match.group("stack")[::2]:
                if op == 0x71:                                 # q
                    stack.append((ctm, clip))
                elif stack:
                    ctm, clip = stack.pop()
            continue
        elif kind == "bt":
            line = IDENTITY
            continue
        elif kind == "clip":
            box = _path_box(text, match.start(), ctm)
            if box:
                clip = box if clip is None else (max(clip[0], box[0]), max(clip[1], box[1]),
                                                 min(clip[2], box[2]), min(clip[3], box[3]))
            continue
        if clip is not None:                                   # text shown: where its origin is
            x = line[4] * ctm[0] + line[5] * ctm[2] + ctm[4]
            y = line[4] * ctm[1] + line[5] * ctm[3] + ctm[5]
            if not (clip[0] <= x <= clip[2] and clip[1] <= y <= clip[3]):
                cuts.append(match.span(kind))
    if not cuts:
        return data, 0
    out, at = [], 0
    for start, end in cuts:
        out.append(text[at:start])
        at = end
    out.append(text[at:])
    return b"".join(out)[1:-1], len(cuts)


def searchable(path: Path, drawn_as: Callable[[str], str | None]) -> dict[str, str]:
    """Make the PDF at ``path``, in place, give its text as typed and as seen: hidden text taken
    out, and every font's ToUnicode map rewritten so that a glyph mapped to ``text`` is mapped to
    ``drawn_as(text)`` when that says something else was drawn with it. Returns what was
    remapped (old text → new text)."""
    import pikepdf

    changed: dict[str, str] = {}
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            contents = page.obj.Contents
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            data, dropped = drop_hidden_text(b"\n".join(stream.read_bytes() for stream in streams))
            if dropped:
                page.obj.Contents = pdf.make_stream(data)
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font" or "/ToUnicode" not in obj:
                continue
            mapping = read_cmap(obj.ToUnicode.read_bytes())
            fixed = {}
            for code, text in mapping.items():
                drawn = drawn_as(text) if text else None
                fixed[code] = drawn or text
                if drawn and drawn != text:
                    changed[text] = drawn
            if fixed != mapping:
                obj.ToUnicode = pdf.make_stream(write_cmap(fixed))
        pdf.save(path)
    return changed
