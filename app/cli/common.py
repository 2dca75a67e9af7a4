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


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="使い方: " if prefix is None else prefix)


# argparse's usage errors (English) as said to the user; any other: the usage, in Japanese
_USAGE = (
    (r"the following arguments are required: (.*)", "次の指定が必要です: {0}"),
    (r"unrecognized arguments: (.*)", "分からない指定があります: {0}"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "{0}: {1} は選べません (選べるもの: {2})"),
    (r"argument (\S+): expected one argument", "{0} の後に値を指定してください"),
    (r"argument (\S+): expected at least one argument", "{0} の後に値を指定してください"),
    (r"argument (\S+): not allowed with argument (\S+)", "{0} と {1} は一緒に指定できません"),
    (r"argument (\S+): invalid (\w+) value: (.*)", "{0}: {2} は正しい値ではありません"),
    (r"argument (\S+): ignored explicit argument (.*)", "{0}: {1} は指定できません"),
    (r"ambiguous option: (\S+) could match (.*)", "{0} はどの指定か決まりません ({1})"),
    (r"one of the arguments (.*) is required", "{0} のどれかを指定してください"),
)


def usage_message(message: str) -> str:
    """argparse's English error as one Japanese line (the words the user typed kept, made visible)."""
    import re

    from app.core.quoting import visible

    for pattern, text in _USAGE:
        m = re.fullmatch(pattern, message, re.S)
        if m:
            return visible(text.format(*m.groups()))
    return "指定が正しくありません (branch-report --help で使い方を確かめてください)"


class Parser(argparse.ArgumentParser):
    """argparse in Japanese: its usage, section titles, -h and its error messages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="この説明を表示して終わる")

    def error(self, message):  # exit 2 with a message, as argparse does, but catchable in tests
        raise UsageError(usage_message(message))


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
        clean = lambda row: {k: inert(v) for k, v in row.items()}  # noqa: E731
    else:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        clean = lambda row: [inert(v) for v in row]  # noqa: E731
    if first is not None:
        w.writerow(clean(first))
        w.writerows(clean(row) for row in rows)


def inert(value):
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or a tab, CR) gets a
    leading ' as the xlsx writers keep such text a string; numbers (-1, -0.5) stay numbers."""
    import re

    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") \
            and not re.fullmatch(r"-[0-9][0-9,]*(\.[0-9]+)?", value):
        return "'" + value
    return value
