"""Text from outside (a workbook, a file name, a command line) quoted in a message."""
from __future__ import annotations

# C0 and C1 controls, DEL, line/paragraph separators, bidirectional overrides and isolates: a
# workbook's text quoted in a message shows them as escapes ('\x1b', '\n', '\u202e') so it stays
# one line and cannot steer a terminal or reorder what is shown.
_VISIBLE = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7f, 0xa0))}
_VISIBLE.update({0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r"})
_VISIBLE.update({c: f"\\u{c:04x}" for c in (0x200e, 0x200f, 0x2028, 0x2029, *range(0x202a, 0x202f),
                                             *range(0x2066, 0x206a), 0xfeff)})


def visible(text: str) -> str:
    """Text from a workbook, fit to print: control characters shown as escapes."""
    return text.translate(_VISIBLE)
