"""KPI sentences (KPI の文言) as plans write them → KPI records.

A plan's KPI cell holds one KPI or several, in the words of headquarters' KPI list (seed 000)
or a branch's plan (seeds 001, 002)::

    ■ KPI：
    1）サービススタンダードの達成状況を 100%とする
    2）サービススタンダードの平均所要日数 7 日以内を維持する
    3）現金給付等の申請書類に係る窓口での受付率を対前年度以下とする

:func:`split_kpis` cuts a cell into KPIs at their markers (``1）`` ``1-2)`` ``1.`` ``(1)`` ``①`` ``・``
``【KPI】`` ``■ KPI：``, also in the middle of a line: ``…とする2）…``) and at a line that follows
a finished sentence; a wrapped line continues its KPI, a note line (``（※）…``) stays with it.

:func:`read_kpi` reads one KPI: its indicator (the catalogue's longest alias in the sentence,
or none: the result is entered by hand), its comparison and target —

* ``95.0％以上`` → ``>=`` 95.0, ``15％以下`` / ``7 日以内`` → ``<=`` (rule ``value``);
* ``10％未満`` → ``<`` 10.0, ``1,300事業所超`` → ``>`` 1300.0: strict, stored as ``<`` / ``>``
  (so are ``…を下回る`` / ``…を上回る``);
* ``100％とする``, a bare ``1,010事業所`` → ``==`` (met at the target or beyond it, in the
  indicator's direction);
* ``対前年度以上``, ``前年度末（82.8％）以上`` → ``>=`` with no target (rule ``prev_fy``: last
  year's year-end figure);
* ``定性評価``, or no number at all → rule ``qualitative``.

— with thousands separators, full-width digits and ％, ``1 億 3,700 万``, asides in brackets
(``1,350 事業所 (※) 以上``, ``（実施見込者数：3,915人）``) left out.  The target is the last one
the sentence states (``80％（※３）以上置き換わった成分数が…21％（※４）以上とする`` → 21).

A KPI whose target cannot be read is kept as written, rule ``qualitative``, with a reason
(:data:`UNREAD`); a sentence with a proviso (``ただし…``) is read up to it, with a reason too
(:data:`PROVISO`).  The plan importer turns the reasons into warnings naming the KPI cell.
"""
from __future__ import annotations

import re
import unicodedata

from importers.base import KpiRecord

UNREAD = "KPI の目標を読み取れません (定性評価として取り込みました)"
PROVISO = "KPI のただし書きは読んでいません (目標を確かめてください)"

#: Full-width ASCII → ASCII, one character for one, so positions stay those of the cell.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_MARK = re.compile(
    r"(?P<head>(?:[■□◆◇○〇◯●]\s*KPI|[【\[]\s*KPI\s*[】\]]|KPI(?=\s*[:①-⑳]))\s*(?P<hc>[①-⑳])?\s*:?)"
    r"|(?P<num>(?<![\d.,※(])(?P<n1>\d{1,2})(?:-(?P<n2>\d{1,2}))?(?:\)|\.(?!\d)))"
    r"|(?P<paren>\((?P<pn>\d{1,2})\))"
    r"|(?P<circ>[①-⑳])"
    r"|(?P<bullet>・)")
_LEAD = re.compile(r"^(?:\s*(?:" + _MARK.pattern + r"))+")
_NOTE_START = ("※", "(")

_NUMBER = r"(\d[\d,]*(?:\.\d+)?(?:[億万]\d[\d,]*(?:\.\d+)?)*[億万]?)"
_UNIT = r"(%|千円|円|日|時間|事業所|社|件|人|名|回|位|点)?"
_WORDS = r"(以上|以下|以内|未満|超(?![過えカ])|を上回|を下回)"
_PREV = re.compile(r"(?:対)?前年度?末?(?:実績)?" + _WORDS)
_BOUND = re.compile(_NUMBER + _UNIT + _WORDS)
_EXACT = re.compile(_NUMBER + _UNIT + r"(?=とする|を維持|を達成|を目指|。?$)")
_RELATIVE = re.compile(r"前年度?比|前年同期")
_OPS = {"以上": ">=", "以下": "<=", "以内": "<=", "未満": "<", "超": ">", "を上回": ">", "を下回": "<"}
_ASIDE = re.compile(r"\([^()]*\)")
_TOGETHER = re.compile(r"とする(?:とともに|と共に)[、,]?")


def split_kpis(cell: str | None) -> list[str]:
    """A KPI cell → the text of each KPI, as written (a wrapped line joined to its KPI, a note
    line kept on a line of its own)."""
    pieces: list[str] = []
    seq: dict[str, tuple[int, ...]] = {}
    for raw in str(cell or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        starts = _starts(line, seq)
        lead = line[:starts[0]] if starts else line
        if lead:
            folded = lead.translate(_FOLD)
            if pieces and folded.startswith(_NOTE_START):
                pieces[-1] += "\n" + lead
            elif pieces and not _finished(pieces[-1]):
                pieces[-1] += lead
            else:
                pieces.append(lead)
        pieces += [line[a:b].strip() for a, b in zip(starts, starts[1:] + [len(line)])]
    out: list[str] = []
    carry = ""
    for piece in pieces:                 # a bare marker (■ KPI：) goes with the KPI after it
        if _content(piece):
            out.append(carry + piece)
            carry = ""
        else:
            carry += piece
    return out


def _starts(line: str, seq: dict[str, tuple[int, ...]]) -> list[int]:
    """Where a KPI starts in a line: at a marker at its start, a KPI heading, a numbered marker
    that follows the previous one (1）→2）, so ``（令和７）`` is no marker), ・ after a 。."""
    folded = line.translate(_FOLD)
    starts = []
    for m in _MARK.finditer(folded):
        at_start = not folded[:m.start()].strip()
        if m["head"]:
            style, key = ("circ", (_CIRCLED.index(m["hc"]) + 1,)) if m["hc"] else (None, None)
        elif m["bullet"]:
            if not (at_start or folded[:m.start()].rstrip().endswith("。")):
                continue
            style, key = None, None
        else:
            style = "num" if m["num"] else "paren" if m["paren"] else "circ"
            key = (tuple(int(g) for g in (m["n1"], m["n2"]) if g) if m["num"] else
                   (int(m["pn"]),) if m["paren"] else (_CIRCLED.index(m["circ"]) + 1,))
            if not (at_start or _follows(seq.get(style), key)):
                continue
        if style:
            seq[style] = key
        starts.append(0 if at_start else m.start())
    return sorted(set(starts))


def _follows(prev: tuple[int, ...] | None, key: tuple[int, ...]) -> bool:
    if prev is None:
        return key[-1] == 1
    return key == prev[:-1] + (prev[-1] + 1,) or (key[0] == prev[0] + 1 and all(k == 1 for k in key[1:]))


def _finished(text: str) -> bool:
    """Ends a sentence: the next line is a KPI of its own, not the rest of a wrapped one."""
    return text.splitlines()[-1].rstrip().endswith(("。", "る"))


def _content(piece: str) -> str:
    return _MARK.sub("", piece.translate(_FOLD)).strip(" :")


def read_kpis(cell: str | None, catalogue) -> list[tuple[KpiRecord, str | None]]:
    """Every KPI of a cell, read; a sentence stating two targets joined by ``とするとともに、``
    (seed 000: ``…割合を 54％以上とするとともに、…委嘱事業所数を対前年度以上とする``) is two KPIs."""
    out = []
    for text in split_kpis(cell):
        m = _TOGETHER.search(text)
        if m:
            both = [read_kpi(text[:m.end()], catalogue), read_kpi(text[m.end():], catalogue)]
            if all(problem is None and kpi.rule != "qualitative" for kpi, problem in both):
                out += both
                continue
        out.append(read_kpi(text, catalogue))
    return out


def read_kpi(text: str, catalogue) -> tuple[KpiRecord, str | None]:
    """One KPI's indicator, comparison, target, rule and unit; and why it needs a look (None
    when read cleanly)."""
    from app.core.catalogue import find_indicator

    body, proviso = _body(text)
    indicator = find_indicator(body, catalogue)
    unit = catalogue[indicator].unit if indicator else ""
    found = [(m.end(), "prev_fy", _OPS[m[1]], None, None) for m in _PREV.finditer(body)]
    found += [(m.end(), "value", _OPS[m[3]], m[1], m[2]) for m in _BOUND.finditer(body)]
    found += [(m.end(), "value", "==", m[1], m[2]) for m in _EXACT.finditer(body)
              if m[2] or body[m.end():].strip("。")]          # a bare number at the end needs a unit
    if not found or _RELATIVE.search(body):                  # 対前年度比105％: no rule for it
        return KpiRecord(indicator, "==", None, "qualitative", unit, text), UNREAD if _speaks_of_a_target(body) else None
    _, rule, op, number, written_unit = max(found, key=lambda f: f[0])
    target = _number(number) if number else None
    return (KpiRecord(indicator, op, target, rule, written_unit or unit, text),
            PROVISO if proviso else None)


def _speaks_of_a_target(body: str) -> bool:
    return "定性" not in body and bool(re.search(r"\d|以上|以下|以内|未満|前年", body))


def unread(rule: str, text: str) -> bool:
    """A KPI kept as 定性 although its sentence speaks of a target: it could not be read (the
    plan import warned of it; KPI の確認 and the command line name it)."""
    return rule == "qualitative" and _speaks_of_a_target(_body(text)[0])


def _body(text: str) -> tuple[str, bool]:
    """The sentence to read: without its markers (■ KPI：, 1）, ①), NFKC, without spaces, its notes (lines and ``(※)`` after the
    sentence), asides in brackets and a proviso (ただし…); and whether it had a proviso."""
    t = _LEAD.sub("", (text.splitlines()[0] if text else "").translate(_FOLD))
    t = unicodedata.normalize("NFKC", t)
    t = re.sub(r"\s+", "", t)
    t = re.split(r"(?<=[る。])(?:\(※\d*\)|※)", t)[0]
    while (bare := _ASIDE.sub("", t)) != t:
        t = bare
    main = re.split(r"(?:^|(?<=[。、]))ただし", t, maxsplit=1)
    return main[0], len(main) > 1


def _number(text: str) -> float:
    """``1,350`` → 1350, ``1億3,700万`` → 137000000."""
    total, rest = 0.0, text.replace(",", "")
    for mark, scale in (("億", 1e8), ("万", 1e4)):
        if mark in rest:
            head, rest = rest.split(mark, 1)
            total += float(head) * scale
    return total + (float(rest) if rest else 0.0)
