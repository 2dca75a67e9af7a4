"""A plan item's marks, as the documents and the window write them beside its title."""
from __future__ import annotations


def flags(item) -> str:
    return "".join(f for f, on in (("【重要度：高】", item.important), ("【困難度：高】", item.difficult)) if on)
