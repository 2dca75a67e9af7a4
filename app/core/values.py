"""セルの値を読む唯一の場所: Excel のセル・貼り付けた文字 → 値か、具体的な問題。

書き方（domain.md「How values are written」）: 桁区切り `2,481`, 全角 `２，４８１`,
パーセント `94.6%`（見えている数 94.6 を保存）, `4,369円`, 負数 `△ 1` `▲1` `-1`,
値なし `-` `－` `―`, 時間 `3:05` `3：05`（分で保存）, 実施日 `12/11`（回数）,
注記付き `89.1％ R7.2実績分`。読めないものは黙って 0 にせず problem にする。

kind: 指標の種別（app.core.indicator_kinds）。時間（clock: duration か単位 h:mm）と
実施日（dated: event）だけが読み方を変える。
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from app.core.indicator_kinds import IndicatorKind, kind_of

# 値なし（0 ではない）
_EMPTY = {"", "-", "−", "―", "—", "‐", "–", "─", "ー"}
# 文字で書かれることのある単位（長いものを先に）
_UNITS = ("事業所", "千円", "%", "件", "円", "人", "日", "回")
_NUMBER = re.compile(
    r"(?P<sign>[-−‐–+△▲]?)\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<unit>" + "|".join(_UNITS) + r"))?(?P<rest>.*)",
    re.DOTALL | re.ASCII,
)
_HMM = re.compile(r"(?P<sign>[-−△▲]?)\s*(\d+):([0-5]\d)(?::([0-5]\d))?(?P<rest>.*)", re.DOTALL | re.ASCII)
_EVENT_DATE = re.compile(r"(\d{1,2})(?:/|月)(\d{1,2})日?(?:\([月火水木金土日]\))?", re.ASCII)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_EXCEL_EPOCH = datetime(1899, 12, 31)  # openpyxl が 60 日未満の時刻に使う基準


class Reading(NamedTuple):
    """読んだ結果。value=None は値なし。problem があれば value は None。"""

    value: float | None
    note: str | None = None  # 数値の横の注記（'R7.2実績分' など）
    problem: str | None = None  # 読めない・あいまいなときの日本語メッセージ
    proposal: float | None = None  # あいまいなときの提案値（自動では使わない）

    @property
    def ok(self) -> bool:
        return self.problem is None


def _problem(raw: object, why: str = "は数値として読めません", proposal: float | None = None) -> Reading:
    return Reading(None, problem=f"'{_show(raw)}' {why}", proposal=proposal)


def _show(raw: object) -> str:
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    text = raw.strip() if isinstance(raw, str) else str(raw)
    return text if len(text) <= 40 else text[:40] + "…"


def _strip_literals(fmt: str) -> str:
    """表示形式から文字列リテラル・色などを除く（[h] [mm] [ss] は残す）。"""
    fmt = re.sub(r'"[^"]*"|\\.|_.|\*.', "", fmt.split(";")[0].lower())
    return re.sub(r"\[(?!h+\]|m+\]|s+\])[^\]]*\]", "", fmt)


@lru_cache(maxsize=256)
def _is_percent_format(fmt: str | None) -> bool:
    return bool(fmt) and "%" in _strip_literals(fmt)


@lru_cache(maxsize=256)
def _is_plain_format(fmt: str | None) -> bool:
    return not _is_percent_format(fmt) and not _is_time_format(fmt)


@lru_cache(maxsize=256)
def _is_time_format(fmt: str | None) -> bool:
    f = _strip_literals(fmt or "")
    return "h" in f or ("m" in f and "s" in f and ":" in f)


def _sig10(x: float) -> float:
    """2進数の誤差を落とす（有効数字10桁）: 94.90000000000001 → 94.9。"""
    return float(f"{x:.10g}")


def _note(rest: str) -> str | None | bool:
    """数値の後ろの注記。区切りがない・数字で始まる → False（読めない）。"""
    if not rest.strip():
        return None
    if not (rest[0].isspace() or rest[0] in "([【※"):
        return False
    note = rest.strip()
    if note.startswith("(") and note.endswith(")") and note.find(")") == len(note) - 1:
        return note[1:-1].strip() or None  # 括弧の中は何でも注記
    if note[0].isdigit() or note[0] in "-−△▲+.,":
        return False  # '2 481' は 2 と注記 481 ではない
    return note


def _ambiguous_duration(raw: object, digits: str, negative: bool) -> Reading:
    """時間の行の `3.46` や `3`: 時:分 か 時間 か分か分からない → 提案付きの problem。"""
    m = re.fullmatch(r"(\d+)(?:\.(\d{1,2}))?", digits)
    minutes = int((m.group(2) or "").ljust(2, "0")) if m else 60  # 3.5 → 50分（末尾の0が落ちた）
    proposal: float | None = None
    if m and minutes < 60:
        proposal = float(int(m.group(1)) * 60 + minutes) * (-1 if negative else 1)
    hours = round(float(digits) * 60, 6) if m and m.group(2) else None        # 3.5 read as hours: 3:30
    sign = -1 if negative else 1
    as_hours = f" それとも {'-' if negative else ''}{digits} 時間 = {_fmt_minutes(hours * sign)}？" \
        if hours is not None and hours == int(hours) and hours * sign != proposal else ""
    hint = f"（{_fmt_minutes(proposal)} の意味？{as_hours}）" if proposal is not None else ""
    return _problem(raw, f"はあいまいな値です{hint}。時間は 3:05 のように h:mm で入力してください", proposal)


def _read_number(raw: int | float, unit: str, kind: IndicatorKind, number_format: str | None) -> Reading:
    try:
        x = float(raw)
    except OverflowError:
        return _problem(raw)
    if not math.isfinite(x):
        return _problem(raw)
    if kind.clock:
        if _is_time_format(number_format):
            return Reading(round(x * 86400) / 60)  # 日の割合 → 分（秒単位で丸め）
        if x == 0:
            return Reading(0.0)
        return _ambiguous_duration(raw, repr(abs(x)).removesuffix(".0"), x < 0)
    if _is_time_format(number_format) and not _is_percent_format(number_format):
        return _problem(raw, "は時刻の書式のセルです。数値として読めません")
    if kind.dated:
        if x < 0 or not x.is_integer():
            return _problem(raw, "は回数として読めません")
        return Reading(x)
    if _is_percent_format(number_format):
        if unit != "%":
            return _problem(raw, f"はパーセントの書式ですが、この指標の単位は「{unit or '単位なし'}」です")
        return Reading(_sig10(x * 100))
    return Reading(x)


def _read_event_text(raw: str, s: str) -> Reading:
    """実施日 `12/11`, `5/16、5/30` → 回数。"""
    if re.fullmatch(r"\d+回?", s, re.ASCII):
        return Reading(float(s.removesuffix("回")))
    parts = [p for p in re.split(r"[、,\s・;]+", s) if p]
    for p in parts:
        m = _EVENT_DATE.fullmatch(p)
        if not m or not 1 <= int(m.group(1)) <= 12 or not 1 <= int(m.group(2)) <= _DAYS_IN_MONTH[int(m.group(1)) - 1]:
            return _problem(raw, "は日付として読めません（実施日は 12/11 のように 月/日 で入力してください）")
    return Reading(float(len(parts)))


def _read_text(raw: str, unit: str, kind: IndicatorKind) -> Reading:
    s = unicodedata.normalize("NFKC", raw).strip()
    if s.startswith("="):
        return _problem(raw, "は数式です。計算結果の値が必要です")
    if s in _EMPTY:
        return Reading(None)
    if kind.dated:
        return _read_event_text(raw, s)
    if kind.clock:
        m = _HMM.fullmatch(s)
        if m:
            note = _note(m.group("rest"))
            if note is False:
                return _problem(raw)
            minutes = int(m.group(2)) * 60 + int(m.group(3)) + int(m.group(4) or 0) / 60
            return Reading(-minutes if m.group("sign") else float(minutes), note or None)
    m = _NUMBER.fullmatch(s)
    note = _note(m.group("rest")) if m else False
    if not m or note is False:
        return _problem(raw)
    digits, negative = m.group("num").replace(",", ""), m.group("sign") not in ("", "+")
    text_unit = m.group("unit")
    if kind.clock:
        if text_unit:
            return _problem(raw)
        if float(digits) != 0:
            return _ambiguous_duration(raw, digits, negative)
        return Reading(0.0, note or None)
    if text_unit and (text_unit == "%" or unit) and text_unit != unit:
        return _problem(raw, f"の単位「{text_unit}」がこの指標の単位「{unit or '単位なし'}」と違います")
    x = float(digits)
    if not math.isfinite(x):
        return _problem(raw)
    return Reading(-x if negative else x, note or None)


def read_value(
    raw: object, *, unit: str = "", kind: str = "count", number_format: str | None = None
) -> Reading:
    """セルの中身（openpyxl の値か入力された文字）を読む。

    unit は指標の単位（'%', '件', '円', '千円', '日', '人', '事業所', '回', 'h:mm'）、
    number_format は Excel の表示形式（'0.0%' なら 0.946 → 94.6）。
    時間（duration）は分で返す。例外は投げず、読めなければ problem を返す。
    """
    if (raw.__class__ is int or raw.__class__ is float) and (scale := number_scale(unit, kind, number_format)):
        try:                                  # the common case: a number in a plain or percent cell
            x = float(raw)
        except OverflowError:
            return _problem(raw)
        if x - x == 0.0:                      # finite
            return Reading(x if scale == 1 else shown_percent(x))
    try:
        return _read(raw, unit, kind_of(kind, unit), number_format)
    except (OverflowError, ValueError):  # 桁があふれるほど大きい数など
        return _problem(raw)


@lru_cache(maxsize=1024)
def number_scale(unit: str, kind: str, number_format: str | None) -> int | None:
    """How read_value reads a finite number (an int or a float, not a bool) in a cell of this format
    for an indicator of this unit and kind, when it takes it as it is: 1 (the number itself) or 100
    (a percentage, the number shown: ``shown_percent``). None when it has more to say (a time, an
    event, a duration, a percentage of an indicator that is not one)."""
    read_as = kind_of(kind, unit)
    if read_as.clock or read_as.dated:
        return None
    if _is_plain_format(number_format):
        return 1
    if _is_percent_format(number_format) and unit == "%":
        return 100
    return None


def shown_percent(x: float) -> float:
    """0.946 in a percent cell → 94.6, the number shown (without binary noise)."""
    return float(f"{x * 100:.10g}")


def _read(raw: object, unit: str, kind: IndicatorKind, number_format: str | None) -> Reading:
    if raw is None:
        return Reading(None)
    if isinstance(raw, bool):
        return _problem(raw)
    if isinstance(raw, (int, float)):
        return _read_number(raw, unit, kind, number_format)
    if isinstance(raw, str):
        return _read_text(raw, unit, kind)
    if kind.clock:
        if isinstance(raw, timedelta):
            return Reading(round(raw.total_seconds()) / 60)
        if isinstance(raw, time):
            return Reading((raw.hour * 3600 + raw.minute * 60 + raw.second + round(raw.microsecond / 1e6)) / 60)
        if isinstance(raw, datetime) and raw < datetime(1900, 3, 1):  # 24時間以上の h:mm
            return Reading(round((raw - _EXCEL_EPOCH).total_seconds()) / 60)
    if kind.dated and isinstance(raw, date):
        return Reading(1.0)
    if isinstance(raw, (date, time, timedelta)):
        return _problem(raw, "は日付・時刻です。数値として読めません")
    return _problem(raw)


# --- 表示 -----------------------------------------------------------------


def _fmt_minutes(minutes: float, negative: str = "-") -> str:
    """185 → '3:05'。Excel の h:mm と同じく秒は切り捨て（147.6 → '2:27'）。"""
    total = math.floor(round(abs(minutes), 6))
    sign = negative if minutes < 0 and total else ""
    return f"{sign}{total // 60}:{total % 60:02d}"


def format_value(
    value: float | None,
    *,
    unit: str = "",
    kind: str = "count",
    decimals: int | None = None,
    negative: str = "△",
) -> str:
    """値を画面・報告書の書き方にする（read_value で読み戻せる）。

    None → '－'; 件数・金額 → '2,481'; 負数 → '△1'（negative='-' なら '-1'）;
    % → '94.6%'; 時間（分）→ '3:05'。decimals=None は必要な桁だけ（最大3桁）。
    """
    if value is None:
        return "－"
    if kind_of(kind, unit).clock:
        return _fmt_minutes(value, negative)
    if decimals is None:
        text = f"{abs(value):,.3f}".rstrip("0").rstrip(".")
    else:
        text = f"{abs(value):,.{decimals}f}"
    if value < 0 and text.strip("0.,"):
        text = negative + text
    return text + ("%" if unit == "%" else "")


def format_number(value: float) -> str:
    """Machine output: '.' decimal point, no thousands separator, no float noise."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"
