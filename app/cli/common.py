"""What every verb of the command line shares: its usage errors, its parser, the fiscal year and
branch as typed, and rows written as CSV or JSON."""
from __future__ import annotations

import argparse
from collections.abc import Iterable
import csv
import json
import sys


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with a message, as argparse does, but catchable in tests
        raise UsageError(message)


def parse_fy(text: str | None) -> int | None:
    from app.core.fiscal import parse_fiscal_year

    if text is None:
        return None
    try:
        return parse_fiscal_year(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def parse_branch(text: str | None) -> str | None:
    if text is None:
        return None
    from app.store.database import branch_names

    names = branch_names()
    code = text.strip().zfill(2) if text.strip().isdigit() else next(
        (c for c, n in names.items() if text.strip().removesuffix("支部") == n), None)
    if code not in names:
        raise UsageError(f"支部 '{text}' が分かりません (例: 10 または 群馬)")
    return code


def write_rows(rows: Iterable, header: list[str], fmt: str) -> None:
    """CSV, or JSON as ``json.dump(list(rows), indent=1)`` writes it — byte for byte, row by row
    (a stream of rows is written as it comes, never held whole). Rows are dicts; for CSV they
    may be tuples in the header's order."""
    out = sys.stdout
    if fmt == "json":
        first = True
        for row in rows:
            out.write("[\n" if first else ",\n")
            out.write("\n".join(" " + line for line in json.dumps(row, ensure_ascii=False, indent=1).split("\n")))
            first = False
        out.write("[]\n" if first else "\n]\n")
        return
    rows = iter(rows)
    first = next(rows, None)
    if isinstance(first, dict) or first is None:
        w = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
        w.writeheader()
    else:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
    if first is not None:
        w.writerow(first)
        w.writerows(rows)
