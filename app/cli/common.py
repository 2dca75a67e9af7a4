"""What every verb of the command line shares: its usage errors, its parser, the fiscal year and
branch as typed, and rows written as CSV or JSON."""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys


class UsageError(Exception):
    pass


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="使い方: " if prefix is None else prefix)


#: argparse's own messages (English, from its gettext catalogue) said in Japanese.
_ERRORS = (
    (re.compile(r"unrecognized arguments: (.*)"), "知らない引数です: {0}"),
    (re.compile(r"the following arguments are required: (.*)"), "次の指定が要ります: {0}"),
    (re.compile(r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)"), "{0}: {1} は指定できません（{2} のどれか）"),
    (re.compile(r"argument (\S+): expected one argument"), "{0} には値が要ります"),
    (re.compile(r"argument (\S+): invalid int value: (.*)"), "{0}: {1} は数ではありません"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "{0} と {1} は一緒に指定できません"),
    (re.compile(r"argument (\S+): ignored explicit argument (.*)"), "{0} には値を付けられません: {1}"),
    (re.compile(r"one of the arguments (.*) is required"), "{0} のどれかを指定してください"),
)


def japanese(message: str) -> str:
    for pattern, said in _ERRORS:
        if m := pattern.fullmatch(message):
            return said.format(*m.groups())
    return message


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
        raise UsageError(japanese(message))


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


def write_rows(rows: list[dict], header: list[str], fmt: str) -> None:
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    w = csv.DictWriter(sys.stdout, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
