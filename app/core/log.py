"""Where a library's own words go: a log file, never the Japanese line the user reads.

A refusal or failure says its cause in Japanese; the exception behind it (English, a parser's
or a driver's text) is noted here for whoever looks into it. Nothing is written anywhere until
``log_to`` names a file (the command line and the window do)."""
from __future__ import annotations

import logging
from pathlib import Path

LOG = logging.getLogger("branch_report")
LOG.addHandler(logging.NullHandler())        # never Python's last-resort print to stderr
LOG.propagate = False
_LIBRARIES = ("psycopg", "sqlalchemy", "alembic", "openpyxl")   # their warnings: the log, never stderr
for _name in _LIBRARIES:
    logging.getLogger(_name).addHandler(logging.NullHandler())


def note(what: str, exc: BaseException) -> None:
    """Log what the user was told (``what``) with the exception behind it."""
    LOG.warning("%s | %s: %s", what, type(exc).__name__, str(exc)[:2000])


def log_to(path: Path) -> None:
    """Append the notes to ``path`` (once per process; a folder that cannot be written keeps silent)."""
    if any(isinstance(h, logging.FileHandler) for h in LOG.handlers):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    for logger in (LOG, *map(logging.getLogger, _LIBRARIES)):
        logger.addHandler(handler)


_OS_REASONS = {2: "ファイルがありません", 13: "権限がありません", 17: "すでにあります", 20: "フォルダではありません",
               21: "フォルダです", 28: "ディスクの空きが足りません", 30: "読み取り専用です", 36: "名前が長すぎます"}


def os_reason(exc: OSError) -> str:
    """An operating system's refusal in Japanese (its own words go to the log)."""
    note("OS", exc)
    return _OS_REASONS.get(getattr(exc, "errno", None), "読み書きできません")
