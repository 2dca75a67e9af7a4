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


def _outside(clip, point) -> bool:
    return clip is not None and not (clip[0] <= point[0] <= clip[2] and clip[1] <= point[1] <= clip[3])


_POSITIONING = {"cm", "m", "l", "c", "v", "y", "re", "Tm", "Td", "TD"}


def drop_hidden_text(pdf, page) -> int:
    """Take out of ``page`` the text whose origin lies outside the clip it is drawn in (rectangular
    clips, as Qt writes them). Returns how many text-showing operators went."""
    import pikepdf

    Matrix = pikepdf.Matrix
    ctm, clip, stack, path, line = Matrix(), None, [], [], Matrix()
    kept, dropped = [], 0
    for instruction in pikepdf.parse_content_stream(page):
        op = str(instruction.operator)
        args = instruction.operands if op in _POSITIONING else ()
        if op == "q":
            stack.append((ctm, clip))
        elif op == "Q" and stack:
            ctm, clip = stack.pop()
        elif op == "cm":
            ctm = Matrix(*map(float, args)) @ ctm
        elif op in ("m", "l", "c", "v", "y"):
            path.append(ctm.transform((float(args[-2]), float(args[-1]))))
        elif op == "re":
            x, y, w, h = map(float, args)
            path += [ctm.transform((x, y)), ctm.transform((x + w, y + h))]
        elif op in ("W", "W*") and path:
            xs, ys = [p[0] for p in path], [p[1] for p in path]
            box = (min(xs), min(ys), max(xs), max(ys))
            clip = box if clip is None else (max(clip[0], box[0]), max(clip[1], box[1]),
                                             min(clip[2], box[2]), min(clip[3], box[3]))
        elif op in ("n", "f", "f*", "S", "B", "B*", "b", "b*", "s"):
            path = []
        elif op == "BT":
            line = Matrix()
        elif op == "Tm":
            line = Matrix(*map(float, args))
        elif op in ("Td", "TD"):
            line = Matrix(1, 0, 0, 1, float(args[0]), float(args[1])) @ line
        elif op in ("Tj", "TJ") and _outside(clip, (line @ ctm).transform((0, 0))):
            dropped += 1
            continue
        kept.append(instruction)
    if dropped:
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
    return dropped


def searchable(path: Path, drawn_as: Callable[[str], str | None]) -> dict[str, str]:
    """Make the PDF at ``path``, in place, give its text as typed and as seen: hidden text taken
    out, and every font's ToUnicode map rewritten so that a glyph mapped to ``text`` is mapped to
    ``drawn_as(text)`` when that says something else was drawn with it. Returns what was
    remapped (old text → new text)."""
    import pikepdf

    changed: dict[str, str] = {}
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            drop_hidden_text(pdf, page.obj)
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
