"""The indicator catalogue (指標一覧): what each monthly indicator (月次実績の指標) is, and
which workbook words name it.

The catalogue is data: ``resources/indicators.json`` (one object per indicator), extended by
the user's own JSON files and by learned label mappings (項目名の対応付け, kept in the DB).

Labels are matched after :func:`normalize_label`, so ``埋葬料 （費）``, ``埋葬料(費)`` and
``ｶﾊﾞｰ率``/``カバー率`` are the same word.  A label names an indicator through its aliases
(別名: row labels, header captions and block titles as workbooks write them), its name or its
code.  When a label is shared (``申請件数``: 柔整 and 限度額適用認定証), the block title
(表題, ``○柔道整復 多部位・頻回``) decides through the indicators' ``context`` words.

Resolution outcomes (:class:`Resolution`):

* ``code`` set                       – resolved (``candidates``: all it was chosen from);
* ``code None``, no candidates       – unknown label (指標一覧にない項目名);
* ``code None``, two or more         – ambiguous (候補が複数);
* ``code None``, exactly one         – doubtful: the label alone names that indicator, but the
  block title belongs to another indicator family (``合計`` under ``○メールマガジン 登録件数``).
  Ask the user rather than guess.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from app.core.indicator_kinds import KINDS, kind_of
from app.core.plausibility import check_overrides

GROUP_NAMES = ("業務", "レセプト", "保健", "企画総務")          # the branch's groups, in the order shown
GROUPS = frozenset({*GROUP_NAMES, "全グループ"})                 # an indicator's group: one of them, or all

#: Normalised header captions (見出しの先頭セル) that name no indicator: the block title
#: names it instead.  Row labels are another matter: ``合計`` is a row label for ss_total, so
#: it is deliberately *not* here (as a year-column header it is never a caption).
GENERIC_CAPTIONS = frozenset({
    "", "累計", "単月", "実施月", "実施日", "計", "年度計", "平均", "月", "月別", "年度",
    "項目", "区分", "支部", "件数", "実績", "内容", "指標",
})

_TRANSLATE = str.maketrans({
    **{c: "(" for c in "【［[「『〔〈《｛{"}, **{c: ")" for c in "】］]」』〕〉》｝}"},
    **{c: "-" for c in "－―‐—–−"}, "／": "/", "〜": "~", "･": "・",
    "\u200b": None, "\ufeff": None,
})
_MARKS = "○〇◯●◎■□◆◇・※★☆"
#: What a table title (表題) says besides the indicator, in normalised form: the fiscal year
#: (令和６年度, R6, 2024年度), whom it covers (支部別, 全国) and what kind of table it is
#: (一覧, 集計, 推移, 状況).  ``令和６年度　平均所要日数　支部別一覧`` is 平均所要日数's table.
_TITLE_YEAR = re.compile(r"(?:令和|平成)(?:\d+|元)年度?|(?<![a-z])r\d{1,2}(?:年度)?(?!\d)|(?:19|20)\d\d年度")
_TITLE_SCOPE = re.compile(r"\((?:支部別|都道府県別|全支部|全国|月別|年度別)\)")
_TITLE_WORDS = ("支部別", "都道府県別", "全支部", "全国", "月別", "年度別", "一覧表", "一覧", "集計表", "集計",
                "推移表", "推移", "状況", "表", "の", "-", "・", ":", "()")
_UNIT_SUFFIX = re.compile(r"\((?:円|件|%|日|人|回|事業所|時間)\)$|\(※\d*\)$|※\d*$|[:：]$")


def normalize_label(text: str | None) -> str:
    """The comparable form of a label, caption or title.

    NFKC (全角英数→半角, 半角カナ→全角), every kind of space removed (incl. U+3000),
    brackets （）【】［］「」 → ``()``, ``／`` → ``/``, dashes → ``-`` (the long-vowel mark ``ー``
    is kept), leading title marks ○〇●◎■□◆◇・※ and an enclosing 【…】 stripped, a trailing
    unit bracket ``(円)``/``(件)``/``(%)``…, footnote mark ``※`` or colon dropped, ASCII case
    folded.  ``(千円)`` is kept: it changes the value.  Idempotent.
    """
    t, previous = _normalize_once(text or ""), text
    while t != previous:             # e.g. removing a space lets a combining mark compose
        t, previous = _normalize_once(t), t
    return t


def _normalize_once(text: str) -> str:
    t = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    t = t.translate(_TRANSLATE)
    t = "".join(t.split())
    while True:
        before = t
        t = t.lstrip(_MARKS)
        if t.startswith("(") and t.endswith(")") and _closing(t) == len(t) - 1:
            t = t[1:-1]
        t = _UNIT_SUFFIX.sub("", t)
        if t == before:
            return t


def title_forms(title: str | None) -> list[str]:
    """A table title, normalised, then with its fiscal year and its table words taken off one
    by one, down to the bare name: ``令和６年度　平均所要日数　支部別一覧`` →
    ``[令和6年度平均所要日数支部別一覧, 平均所要日数支部別一覧, 平均所要日数支部別, 平均所要日数]``."""
    t = normalize_label(title)
    forms = [t]
    t = _TITLE_SCOPE.sub("", _TITLE_YEAR.sub("", t))
    while True:
        if t != forms[-1]:
            forms.append(t)
        for word in _TITLE_WORDS:
            if len(t) > len(word) and (t.endswith(word) or t.startswith(word)):
                t = t[:-len(word)] if t.endswith(word) else t[len(word):]
                break
        else:
            return forms


def _closing(t: str) -> int:
    """Index of the bracket closing the one at t[0] (-1 when unbalanced)."""
    depth = 0
    for i, ch in enumerate(t):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i
    return -1


@dataclass(frozen=True)
class Indicator:
    """One monthly indicator (月次指標).

    ``kind`` decides the year column (計/合計/平均): see ``app.core.yearcol``.  A ratio (率) with
    parts is ``numerator / sum(denominator) * scale``; ``scale`` is 100 for every ``%`` unit
    (also: a percent-formatted cell 0.946 is 94.6), 1 otherwise.  ``weight`` weights an average
    (平均所要日数 by 決定件数合計); ``sum_of`` lists the counts a total (合計) adds up.
    """
    code: str
    name: str
    group: str
    unit: str
    kind: str
    numerator: str | None = None
    denominator: tuple[str, ...] = ()
    scale: float = 1
    weight: str | None = None
    sum_of: tuple[str, ...] = ()
    higher_is_better: bool = True
    quarterly: bool = False
    aliases: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    note: str = ""
    plausibility: tuple[tuple[str, object], ...] = ()   # overrides of app.core.plausibility's rules
    decimals: int | None = None   # how its figures are written, when the documents say (達成率 100%, seed 004)

    @property
    def is_ratio_with_parts(self) -> bool:
        """A ratio whose year figure is recomputed from its parts (never averaged)."""
        return kind_of(self.kind, self.unit).year == "ratio" and self.numerator is not None and bool(self.denominator)

    @property
    def references(self) -> tuple[str, ...]:
        """Codes this indicator is computed from."""
        return tuple(c for c in (self.numerator, *self.denominator, self.weight, *self.sum_of) if c)


@dataclass(frozen=True)
class Resolution:
    """What a label names: ``code`` (None when not decided) and the indicators considered."""
    code: str | None
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.code is not None


_UNKNOWN = Resolution(None, ())


class Catalogue:
    """The indicators in catalogue order, and label resolution (項目名→指標).

    ``extra_aliases`` (normalised label → code) are the user's learned mappings: they add a
    candidate to the label and win when the block title cannot decide between candidates.
    """

    def __init__(self, indicators: Iterable[Indicator], extra_aliases: Mapping[str, str] = {}):
        self._by_code: dict[str, Indicator] = {}
        for ind in indicators:
            if ind.code in self._by_code:
                raise ValueError(f"指標コード '{ind.code}' が重複しています (duplicate indicator code)")
            self._by_code[ind.code] = ind
        _check(self._by_code.values(), self._by_code, lambda code: "catalogue")
        self._extra = {normalize_label(k): v for k, v in extra_aliases.items()}
        for label, code in self._extra.items():
            if code not in self._by_code:
                raise ValueError(f"項目名 '{label}' の対応先 '{code}' は指標一覧にありません (unknown code)")
        index: dict[str, list[str]] = {}
        for ind in self._by_code.values():
            for word in (ind.code, ind.name, *ind.aliases):
                codes = index.setdefault(normalize_label(word), [])
                if ind.code not in codes:
                    codes.append(ind.code)
        for label, code in self._extra.items():
            codes = index.setdefault(label, [])
            if code not in codes:
                codes.append(code)
        index.pop("", None)
        self._index = {k: tuple(v) for k, v in index.items()}
        self._context = {c: tuple(normalize_label(w) for w in i.context) for c, i in self._by_code.items()}
        self._words = {c: {w for w, cs in self._index.items() if c in cs} for c in self._by_code}

    # --- mapping protocol -------------------------------------------------------------
    def __getitem__(self, code: str) -> Indicator:
        return self._by_code[code]

    def get(self, code: str, default: Indicator | None = None) -> Indicator | None:
        return self._by_code.get(code, default)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def extra_aliases(self) -> dict[str, str]:
        return dict(self._extra)

    def with_aliases(self, extra: Mapping[str, str]) -> Catalogue:
        """A copy with more learned mappings (normalised label → code); later ones win."""
        return Catalogue(self._by_code.values(), {**self._extra, **extra})

    # --- resolution -------------------------------------------------------------------
    def resolve(self, label: str, title: str = "") -> Resolution:
        """The indicator a row label or header caption names inside a block titled ``title``.

        An empty or generic caption (累計, 単月, 実施月 …) is resolved by the title alone.
        A label shared by several indicators keeps those whose context words (or own
        aliases) occur in the title; a learned mapping breaks a remaining tie.
        """
        n = normalize_label(label)
        if n in GENERIC_CAPTIONS:
            return self.resolve_title(title)
        codes = self._index.get(n, ())
        t = normalize_label(title)
        if len(codes) == 1:
            (code,) = codes
            if self._extra.get(n) != code and self._foreign(code, t, n):
                return Resolution(None, codes)
            return Resolution(code, codes)
        return self._narrow(codes, t, self._extra.get(n))

    def resolve_title(self, title: str) -> Resolution:
        """The indicator a block title (表題) names: ``○レセプト内容点検 査定率``,
        ``【メールマガジン 登録件数】``, ``○郵送化率（業務グループ）``.

        Exact alias first; else the indicator owning the longest alias contained in the title
        (an alias of an indicator with context words counts only when the title also holds one
        of them, so ``○業務の標準化`` is not 標準化された健康宣言事業所数).

        Titles that name a group of rows resolve to nothing (unknown): ``○柔道整復 患者照会``,
        ``○柔道整復 支給``, ``○サービス水準の向上`` – their rows carry their own labels.
        ``○サービススタンダード`` resolves to ss_rate: the 達成率 is the headline figure
        published under that name (KPI「サービススタンダードの達成状況」).
        """
        forms = title_forms(title)
        t, core = forms[0], forms[-1]
        if t in GENERIC_CAPTIONS or core in GENERIC_CAPTIONS:
            return _UNKNOWN
        for form in forms:
            if form in self._index:
                return self._narrow(self._index[form], t, self._extra.get(form))
        best, codes = 0, []
        for word, owners in self._index.items():
            if len(word) < 2 or len(word) < best or word not in core:
                continue
            owners = [c for c in owners if not self._context[c] or self._fits_context(c, t)
                      or any(w in word for w in self._context[c])]
            if not owners:
                continue
            if len(word) > best:
                best, codes = len(word), []
            codes += [c for c in owners if c not in codes]
        return self._narrow(tuple(codes), t, None)

    def candidates(self, label: str, title: str = "") -> list[str]:
        """The indicators a row label, caption or table title could name (候補): one when it is
        decided, two or more when it is ambiguous, none when it is unknown.  For the message
        that lists them, so that the user settles the label once (``import --map 'LABEL=CODE'``,
        kept as a learned mapping)."""
        res = self.resolve(label, title)
        if not res.candidates and normalize_label(label) not in self._index:
            res = self.resolve_title(label)
        return list(res.candidates)

    def _narrow(self, codes: tuple[str, ...], title: str, preferred: str | None) -> Resolution:
        if len(codes) <= 1:
            return Resolution(codes[0] if codes else None, codes)
        others = {c: set().union(*(self._words[o] for o in codes if o != c)) for c in codes}
        fit = [c for c in codes
               if self._fits_context(c, title) or any(w in title for w in self._words[c] - others[c])]
        if len(fit) == 1:
            return Resolution(fit[0], codes)
        if preferred in (fit or codes):
            return Resolution(preferred, codes)
        return Resolution(None, codes)

    def _fits_context(self, code: str, text: str) -> bool:
        return any(w and w in text for w in self._context[code])

    def _foreign(self, code: str, title: str, label: str) -> bool:
        """True when the title belongs to another indicator family than ``code``'s.

        Only indicators with context words can be vetoed, and only when neither the title nor
        the label holds one of them.
        """
        if not title or not self._context[code] or self._fits_context(code, title + label):
            return False
        if any(self._fits_context(c, title) for c in self._by_code if c != code):
            return True
        return self.resolve_title(title).code not in (None, code)


# --- loading ------------------------------------------------------------------------------
_FIELDS = {f.name: f for f in fields(Indicator)}
_REQUIRED = ("code", "name", "group", "unit", "kind")
_TUPLES = ("denominator", "sum_of", "aliases", "context")
_MERGED = ("aliases", "context")


def builtin_path() -> Path:
    """``resources/indicators.json`` (the built-in catalogue), beside the ``app`` package or
    wherever the ``resources`` package is installed."""
    path = Path(__file__).resolve().parents[2] / "resources" / "indicators.json"
    if not path.is_file():
        from importlib.resources import files
        path = Path(str(files("resources") / "indicators.json"))
    return path


def load_catalogue(*extra_files: Path, extra_aliases: Mapping[str, str] = {}) -> Catalogue:
    """The built-in catalogue, then each extra file (same JSON format).

    In an extra file, an entry whose code exists overrides the fields it gives (aliases and
    context words are merged); a new code adds an indicator (code, name, group, unit, kind
    required).  Any error → ``ValueError`` naming the file and the code.
    """
    entries: dict[str, dict] = {}
    source: dict[str, Path] = {}
    for path in (builtin_path(), *map(Path, extra_files)):
        for raw in _read(path):
            code = raw["code"]
            if code in entries:
                merged = {**entries[code], **raw}
                for key in _MERGED:
                    merged[key] = tuple(dict.fromkeys((*entries[code].get(key, ()), *raw.get(key, ()))))
                entries[code] = merged
            else:
                entries[code] = raw
            source[code] = path
    indicators = {code: _build(raw, source[code]) for code, raw in entries.items()}
    _check(indicators.values(), indicators, lambda code: str(source[code]))
    return Catalogue(indicators.values(), extra_aliases)


def _read(path: Path) -> list[dict]:
    def fail(msg: str) -> ValueError:
        return ValueError(f"{path}: {msg}")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as e:
        raise fail(f"JSON として読めません (invalid JSON): {e}") from e
    if not isinstance(data, list):
        raise fail("指標のリスト (JSON の配列) ではありません (expected a JSON list of indicators)")
    seen: set[str] = set()
    for i, raw in enumerate(data):
        if not isinstance(raw, dict) or not isinstance(raw.get("code"), str) or not raw["code"]:
            raise fail(f"{i + 1} 番目の項目に code がありません (entry {i + 1} has no code)")
        code = raw["code"]
        if code in seen:
            raise fail(f"指標コード '{code}' が重複しています (duplicate code)")
        seen.add(code)
        unknown = set(raw) - set(_FIELDS)
        if unknown:
            raise fail(f"指標 '{code}': 未知の項目 {sorted(unknown)} (unknown fields)")
        for key in _TUPLES:
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(f"指標 '{code}': {key} は文字列のリストにしてください (must be a list of strings)")
    return data


def _build(raw: dict, path: Path) -> Indicator:
    code = raw["code"]

    def fail(msg: str) -> ValueError:
        return ValueError(f"{path}: 指標 '{code}': {msg}")
    missing = [k for k in _REQUIRED if not raw.get(k)]
    if missing:
        raise fail(f"{', '.join(missing)} がありません (missing {missing})")
    if raw["kind"] not in KINDS:
        raise fail(f"未知の種別 kind '{raw['kind']}' (unknown kind; one of {sorted(KINDS)})")
    if raw["group"] not in GROUPS:
        raise fail(f"未知のグループ '{raw['group']}' (unknown group; one of {sorted(GROUPS)})")
    values = {k: tuple(raw[k]) if k in _TUPLES else raw[k] for k in raw}
    values.setdefault("scale", 100 if raw["unit"] == "%" else 1)
    if not isinstance(values["scale"], (int, float)) or values["scale"] <= 0:
        raise fail("scale は正の数にしてください (scale must be a positive number)")
    decimals = values.get("decimals")
    if decimals is not None and (not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 3):
        raise fail("decimals は 0〜3 の整数にしてください (decimals must be an integer 0-3)")
    for key in ("higher_is_better", "quarterly"):
        if not isinstance(values.get(key, False), bool):
            raise fail(f"{key} は true/false にしてください (must be a boolean)")
    if "plausibility" in values:
        problem = check_overrides(values["plausibility"])
        if problem:
            raise fail(f"plausibility: {problem}")
        values["plausibility"] = tuple(sorted(values["plausibility"].items()))
    generic = [a for a in values.get("aliases", ()) if normalize_label(a) in GENERIC_CAPTIONS]
    if generic:
        raise fail(f"別名 {generic} は見出しの汎用語で指標を表せません (alias is a generic caption)")
    return Indicator(**values)


def _check(indicators: Iterable[Indicator], known: Mapping[str, Indicator], where) -> None:
    """Every part a ratio, average or total refers to exists, and fits the kind."""
    for ind in indicators:
        def fail(msg: str) -> ValueError:
            return ValueError(f"{where(ind.code)}: 指標 '{ind.code}': {msg}")
        if ind.kind not in KINDS:
            raise fail(f"未知の種別 kind '{ind.kind}' (unknown kind)")
        if not ind.unit:
            raise fail("単位 unit がありません (missing unit)")
        for ref in ind.references:
            if ref not in known or ref == ind.code:
                raise fail(f"参照先 '{ref}' が指標一覧にありません (unknown or self reference)")
        if (ind.numerator is None) != (not ind.denominator):
            raise fail("numerator と denominator は両方指定するか両方省略してください (give both or neither)")
        kind = KINDS[ind.kind]
        if ind.numerator and kind.year != "ratio":
            raise fail("numerator/denominator は kind 'ratio' だけに指定できます (only for ratios)")
        if ind.weight and kind.year != "weighted":
            raise fail("weight は kind 'average' だけに指定できます (only for averages)")
        if ind.sum_of and not kind.summed:
            raise fail("sum_of は kind 'count'/'amount' だけに指定できます (only for counts and amounts)")


def find_indicator(text: str, catalogue) -> str | None:
    """The indicator whose name or alias the sentence names (the longest such phrase).

    Phrases shorter than three characters, or shared by two indicators, say nothing; nor do
    asides in brackets (``返納金債権（診療報酬返還金（不当請求）を除く。）の回収率``).
    """
    norm = normalize_label(text)
    while (bare := re.sub(r"\([^()]*\)", "", norm)) != norm:   # asides in brackets say nothing
        norm = bare
    owners: dict[str, set[str]] = {}
    for ind in catalogue:
        for phrase in {ind.name, *ind.aliases}:
            p = normalize_label(phrase)
            if len(p) >= 3:
                owners.setdefault(p, set()).add(ind.code)
    best = None
    for phrase, codes in owners.items():
        if len(codes) == 1 and phrase in norm and (best is None or len(phrase) > len(best[0])):
            best = (phrase, next(iter(codes)))
    return best[1] if best else None
