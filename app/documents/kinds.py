"""The documents the program writes, one entry each: a new document is its module (what it holds
under each item and after them: ``tables`` and ``finish``) and a line here. Cheap to import: the
command line and the window list the kinds without loading the builders (app/documents/build.py)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentKind:
    code: str                          # the command line's --kind
    name: str                          # in the title and the window: 群馬支部事業計画実施状況
    sheet: str                         # the workbook's sheet
    landscape: bool
    module: str                        # app.documents.<module>: tables(ctx, item), finish(ctx, doc)


KINDS = {k.code: k for k in (
    DocumentKind("status", "事業計画実施状況", "実施状況", False, "status"),
    DocumentKind("progress", "進捗状況", "進捗状況", True, "progress"),
    DocumentKind("summary", "目標達成状況", "目標達成状況", False, "summary"),
)}
