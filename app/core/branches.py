"""The 47 branches (支部) and 全国, from resources/branches.json (no database needed)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@lru_cache(maxsize=1)
def branch_names() -> dict[str, str]:
    """'10' → '群馬'; '00' → '全国'."""
    rows = json.loads((RESOURCES / "branches.json").read_text(encoding="utf-8"))
    return {r["code"]: r["name"] for r in rows}
