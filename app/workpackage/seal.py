"""The seal of a work package (作業用ブック): what it was made from, and by whom, cannot be changed
unnoticed.

A package carries its record (its id, the database and branch it belongs to, year, group, quarter,
who made it, every value as it was, which cells may be edited) in a very hidden sheet, and a
signature: an HMAC-SHA256 over the record and over each sheet's locked content — every cell but
the unlocked ones the record names, and the list of sheets. Bringing it back checks them: an
edited package id, database id, sender, base value or group, a changed title or hidden code, an
added sheet, a package of another database, or a broken record is refused with the reason.

Who holds the key, and so what the signature proves:

- On a server (PostgreSQL) no login can read the key (migration 0015). The server signs, in a
  ``SECURITY DEFINER`` function, with the signing login's name bound into every part
  (``made_by = session_user``), and answers whether a signature is the registered sender's: a
  signature proves which login made the package, and no login can sign in another's name.
- On SQLite (one person's file) the key is the file's own (``setting.package_secret``): the
  signature proves the package was made from this database file and not changed since; ``made_by``
  is the name the program acted as there, not a proof (whoever has the file has its key).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime

from app.core.errors import ImportRefused
from app.core.quoting import visible

META = "_package"
CHUNK = 30000                # a cell holds at most 32,767 characters
RECORD_KEYS = {"format": int, "package": str, "database": str, "branch": str, "fiscal_year": int, "group": str, "quarter": int,
               "made_by": str, "made_at": str, "base": dict, "editable": dict, "sheets": list}


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _record_text(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _canonical(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n")


def locked_content(ws, editable: list[int] | None) -> str:
    """Every non-empty cell of a sheet outside its editable rectangle [row0, row1, col0, col1]."""
    r0, r1, c0, c1 = editable or (0, -1, 0, -1)
    lines = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.value == "" or (r0 <= cell.row <= r1 and c0 <= cell.column <= c1):
                continue
            lines.append(f"{cell.coordinate}\t{_canonical(cell.value)}")
    return "\n".join(lines)


def _sheet_part(record: dict, ws) -> str:
    """What a sheet's signature covers: everything on it but its input cells (the same when sealed and checked)."""
    return "\n".join(("sheet", record["package"], ws.title, locked_content(ws, record["editable"].get(ws.title))))


def _record_part(record: dict) -> str:
    return "record\n" + _record_text(record)


class FileKey:
    """SQLite: the file's own key signs and checks."""
    def __init__(self, secret: str):
        self._secret = secret

    def made_by(self, who: str) -> str:
        return who

    def sign(self, record: dict, parts: list[str]) -> list[str]:
        return [_mac(self._secret, p) for p in parts]

    def check(self, record: dict, parts: list[str], macs: list) -> list[bool] | None:
        return [isinstance(m, str) and hmac.compare_digest(m, _mac(self._secret, p)) for p, m in zip(parts, macs)]


class ServerKey:
    """PostgreSQL: the server signs as the login connected (it registers the package) and checks
    a signature against the login the package was registered to (migration 0015); ``s`` is a
    session of the operation."""
    def __init__(self, s):
        self._s = s

    def made_by(self, who: str) -> str:
        from sqlalchemy import text

        return self._s.scalar(text("SELECT session_user"))

    def sign(self, record: dict, parts: list[str]) -> list[str]:
        from sqlalchemy import text

        return list(self._s.scalar(text("SELECT branch_report_package_sign(:p, :b, :g, :parts)"), {
            "p": record["package"], "b": record["branch"], "g": record["group"], "parts": parts}))

    def check(self, record: dict, parts: list[str], macs: list) -> list[bool] | None:
        from sqlalchemy import text

        macs = [m if isinstance(m, str) else "" for m in macs]
        return self._s.scalar(text("SELECT branch_report_package_check(:p, :who, :parts, :macs)"), {
            "p": str(record.get("package")), "who": str(record.get("made_by")), "parts": parts, "macs": macs})


def seal(wb, record: dict, key) -> None:
    """Write the record and its signature (by ``key``: FileKey or ServerKey) into the workbook's very hidden sheet."""
    from app.documents.xlsx import put_text

    record = {**record, "sheets": [*wb.sheetnames, META]}
    text = _record_text(record)
    macs = key.sign(record, [_record_part(record), *(_sheet_part(record, ws) for ws in wb.worksheets)])
    signature = {"record": macs[0], "sheets": {ws.title: m for ws, m in zip(wb.worksheets, macs[1:])}}
    hidden = wb.create_sheet(META)
    for n in range(0, len(text), CHUNK):
        put_text(hidden.cell(n // CHUNK + 1, 1), text[n:n + CHUNK])
    put_text(hidden.cell(1, 2), json.dumps(signature))
    hidden.sheet_state = "veryHidden"
    hidden.protection.sheet = True


def open_record(wb, name: str) -> tuple[dict, dict]:
    """The record and signature of a package as they are in the file (not yet verified)."""
    if META not in wb.sheetnames:
        raise ImportRefused(f"{name}: 作業用ブックではありません（書き出した作業用ブックを選んでください）")
    ws = wb[META]
    chunks = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    try:
        record = json.loads("".join(c for c in chunks if isinstance(c, str)))
        signature = json.loads(ws.cell(1, 2).value or "null")
    except (TypeError, ValueError):
        raise ImportRefused(f"{name}: 作業用ブックの記録（隠しシート）が壊れています。書き出し直してください") from None
    if not isinstance(record, dict):
        raise ImportRefused(f"{name}: 作業用ブックの記録（隠しシート）が壊れています。書き出し直してください")
    if not (isinstance(signature, dict) and isinstance(signature.get("record"), str)
            and isinstance(signature.get("sheets"), dict)):
        raise ImportRefused(f"{name}: 作業用ブックの署名がありません（書き出した後に記録が書き換えられたか、"
                            "古い版で書き出した作業用ブックです）")
    return record, signature


def verify(wb, record: dict, signature: dict, key, name: str) -> None:
    """Refuse, with the reason, a package whose record or locked cells changed since it was made,
    or that the sender it names did not sign (``key``: FileKey or ServerKey)."""
    found = key.check(record, [_record_part(record)], [signature["record"]])
    if found is None:
        raise ImportRefused(visible(f"{name}: 作業用ブックの記録（隠しシート）が書き出した後に書き換えられています"
                                    f"（このデータベースが「{record.get('made_by')}」に書き出した作業用ブックではありません。"
                                    "差出人が書き換えられたか、この版より前に書き出したものです）。取り込みません"))
    if not all(found):
        raise ImportRefused(f"{name}: 作業用ブックの記録（隠しシート）が書き出した後に書き換えられています"
                            "（別のデータベースのものか、改ざんされています）。取り込みません")
    _check_shape(record, name)
    if wb.sheetnames != record["sheets"]:
        raise ImportRefused(f"{name}: シートが追加・削除・改名されています（{', '.join(wb.sheetnames)}）。取り込みません")
    sheets = [ws for ws in wb.worksheets if ws.title != META]
    found = key.check(record, [_sheet_part(record, ws) for ws in sheets],
                      [signature["sheets"].get(ws.title) for ws in sheets]) or [False] * len(sheets)
    for ws, ok in zip(sheets, found):
        if not ok:
            raise ImportRefused(f"{name}: 「{ws.title}」シートの入力欄（黄色のセル）以外が書き出した後に"
                                "変更されています。取り込みません")
    extra = [c.coordinate for row in wb[META].iter_rows() for c in row
             if c.value not in (None, "") and not (c.column == 1 or c.coordinate == "B1")]
    if extra:
        raise ImportRefused(f"{name}: 作業用ブックの記録（隠しシート）が書き換えられています（{extra[0]}）。取り込みません")


def _check_shape(record: dict, name: str) -> None:
    """A signed record is one this program wrote; its shape is checked all the same."""
    def broken(why: str):
        return ImportRefused(f"{name}: 作業用ブックの記録が壊れています（{why}）。書き出し直してください")

    for key, kind in RECORD_KEYS.items():
        if not isinstance(record.get(key), kind) or (kind is int and isinstance(record.get(key), bool)):
            raise broken(key)
    base = record["base"]
    for key in ("values", "kpis", "rows"):
        if not isinstance(base.get(key), dict):
            raise broken(f"base.{key}")
    if any(v is not None and not isinstance(v, (int, float)) for v in [*base["values"].values(), *base["kpis"].values()]):
        raise broken("base.values")
    if any(not (isinstance(v, list) and len(v) == 3) for v in base["rows"].values()):
        raise broken("base.rows")
    if any(not (isinstance(v, list) and len(v) == 4 and all(isinstance(x, int) for x in v))
           for v in record["editable"].values()):
        raise broken("editable")
