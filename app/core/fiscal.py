"""年度（fiscal year）の暦: 年度・月・四半期・「○月末現在」.

年度は4月に始まり翌年3月に終わる。保存するのは開始年の西暦
（令和6年度 = 2024 = 2024年4月〜2025年3月）。1〜3月は翌暦年に属する。
四半期: 第1四半期 = 4〜6月, 第2 = 7〜9月, 第3 = 10〜12月, 第4 = 1〜3月。
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import total_ordering

FISCAL_MONTHS: tuple[int, ...] = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)

# 元号: (名前, 略号, 元年の西暦, 最終年) — 新しい順
_ERAS: tuple[tuple[str, str, int, int], ...] = (
    ("令和", "R", 2019, 99),
    ("平成", "H", 1989, 31),
    ("昭和", "S", 1926, 64),
)
_ERA_BY_KEY = {key: era for era in _ERAS for key in (era[0], era[1])}
_ERA_NAMES = "令和|平成|昭和"


def _check_month(month: int) -> int:
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise ValueError(f"月は1〜12です: {month!r}")
    return month


def _norm(text: str) -> str:
    """全角→半角（NFKC）。"""
    return unicodedata.normalize("NFKC", text)


def fiscal_index(month: int) -> int:
    """年度内の位置 0..11（4月→0, 3月→11）。"""
    return (_check_month(month) - 4) % 12


def calendar_year(fy: int, month: int) -> int:
    """年度 fy の month 月の暦年（1〜3月は fy+1）。"""
    return fy + 1 if _check_month(month) <= 3 else fy


def fiscal_year_of(year: int, month: int) -> int:
    """暦年 year・month 月が属する年度（2025年2月 → 2024）。"""
    return year - 1 if _check_month(month) <= 3 else year


def quarter_of(month: int) -> int:
    """四半期 1..4（4〜6月→1, …, 1〜3月→4）。"""
    return fiscal_index(month) // 3 + 1


def quarter_months(q: int) -> tuple[int, int, int]:
    """第 q 四半期の3か月（年度順）。"""
    if not isinstance(q, int) or not 1 <= q <= 4:
        raise ValueError(f"四半期は1〜4です: {q!r}")
    a, b, c = FISCAL_MONTHS[(q - 1) * 3 : q * 3]
    return (a, b, c)


def fiscal_months_until(month: int) -> tuple[int, ...]:
    """4月から month 月まで（その月を含む、年度順）。"""
    return FISCAL_MONTHS[: fiscal_index(month) + 1]


def months_to_quarter_end(q: int) -> tuple[int, ...]:
    """4月から第 q 四半期の終わりまで（年度順）: what a document as of that quarter may show."""
    return fiscal_months_until(quarter_months(q)[-1])


def _era_to_western(era: str, year: str) -> int | None:
    """('令和' or 'R', '6' or '元') → 2024。範囲外は None。"""
    _, _, first, last = _ERA_BY_KEY[era.upper() if len(era) == 1 else era]
    n = 1 if year == "元" else int(year)
    return first + n - 1 if 1 <= n <= last else None


def _era_of(year: int) -> tuple[str, str, int]:
    """年度の元号 (名前, 略号, 元号年)。年度は4月開始なので2019年度は令和。"""
    for name, short, first, _ in _ERAS:
        if year >= first:
            return name, short, year - first + 1
    raise ValueError(f"{year} は対応していない年です（昭和以降）")


# --- 年度の読み書き -------------------------------------------------------

_ERA_Y = r"(元|\d{1,2})"
_FY_FULL = re.compile(
    rf"(?:FY)?(\d{{4}})年度|FY(\d{{4}})|(\d{{4}})"
    rf"|({_ERA_NAMES}|[RHS]){_ERA_Y}(?:年度?)?"
    rf"|(\d{{4}})\(({_ERA_NAMES}|[RHS]){_ERA_Y}\)年度",
    re.IGNORECASE,
)


def parse_fiscal_year(text: str) -> int:
    """年度の表記を読む（厳密: 全体が1つの年度表記であること）。

    `令和6年度` `令和６年度` `令和元年度` `R6` `R6年度` `2024年度` `2024` `平成31年度`
    `H31` `FY2024` `令和6年` `2024（令和6）年度` → 2024 など。読めなければ ValueError。
    """
    s = re.sub(r"\s+", "", _norm(str(text)))
    m = _FY_FULL.fullmatch(s)
    fy: int | None = None
    if m:
        western = m.group(1) or m.group(2) or m.group(3)
        if western:
            fy = int(western)
        elif m.group(4):
            fy = _era_to_western(m.group(4), m.group(5))
        elif _era_to_western(m.group(7), m.group(8)) == int(m.group(6)):
            fy = int(m.group(6))
    if fy is None or not 1926 <= fy <= 2199:
        raise ValueError(f"'{text}' は年度として読めません")
    return fy


_FY_IN_TEXT = re.compile(
    rf"(?<!\d)(\d{{4}})\s*\(\s*(?:{_ERA_NAMES}|[RH])\s*(?:元|\d{{1,2}})\s*\)\s*年\s*度"
    rf"|(?<!\d)(\d{{4}})\s*年\s*度"
    rf"|({_ERA_NAMES})\s*{_ERA_Y}\s*年\s*度"
    rf"|(?<![A-Za-z0-9])([RH]){_ERA_Y}(?:\s*年\s*度|(?=\s|[)\]、,。」』】]|$))",
    re.IGNORECASE,
)


def find_fiscal_year(text: str) -> int | None:
    """長い文の中で最初に出てくる年度（なければ None）。

    年度と書かれたもの（`令和6年度`, `R6年度`, `2024年度`, `2025（令和7）年度`）と、
    前後が区切られた単独の `R6` だけを年度とみなす。`R7.2実績分` や `令和7年3月` は
    年月なので年度ではない。
    """
    for m in _FY_IN_TEXT.finditer(_norm(text)):
        if m.group(1) or m.group(2):
            fy: int | None = int(m.group(1) or m.group(2))
        else:
            era = m.group(3) or m.group(5)
            fy = _era_to_western(era, m.group(4) or m.group(6))
        if fy is not None and 1926 <= fy <= 2199:
            return fy
    return None


def format_fy(fy: int, short: bool = False) -> str:
    """2024 → `令和6年度`（short: `R6`）。2019 → `令和元年度` / `R1`。"""
    name, abbr, n = _era_of(fy)
    if short:
        return f"{abbr}{n}"
    return f"{name}{'元' if n == 1 else n}年度"


def format_fy_both(fy: int) -> str:
    """報告書の表題用: 2024 → `2024（令和6）年度`。"""
    name, _, n = _era_of(fy)
    return f"{fy}（{name}{'元' if n == 1 else n}）年度"


# --- 月 -----------------------------------------------------------------

_MONTH_HEADER = re.compile(r"(\d{1,2})月(?:まで|分)?")


def parse_month(text: object) -> int | None:
    """月の見出しセル（`4月`, `４月`, `4月まで`, ` 10 月 `）→ 月。それ以外は None。"""
    if not isinstance(text, str):
        return None
    m = _MONTH_HEADER.fullmatch(re.sub(r"\s+", "", _norm(text)))
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    return None


def month_label(month: int) -> str:
    """4 → `4月`。"""
    return f"{_check_month(month)}月"


# --- ○月末現在 ------------------------------------------------------------


def _calendar_era(year: int, month: int) -> tuple[str, str, int]:
    """暦年月の元号（令和は2019年5月から、平成は1989年から）。"""
    if year == 2019 and month <= 4:
        return "平成", "H", 31
    return _era_of(year)


@total_ordering
@dataclass(frozen=True)
class AsOf:
    """データがどの月まで（「○月末現在」）。年度と月で持ち、年度内の順で並ぶ。"""

    fy: int
    month: int

    def __post_init__(self) -> None:
        _check_month(self.month)

    @property
    def year(self) -> int:
        """その月の暦年。"""
        return calendar_year(self.fy, self.month)

    def _key(self) -> tuple[int, int]:
        return (self.fy, fiscal_index(self.month))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, AsOf):
            return NotImplemented
        return self._key() < other._key()

    def label(self) -> str:
        """`令和6年11月末現在`（1〜3月は翌暦年: 令和7年2月末現在）。"""
        name, _, n = _calendar_era(self.year, self.month)
        return f"{name}{'元' if n == 1 else n}年{self.month}月末現在"

    def short(self) -> str:
        """`R6.11`, `R7.2`。"""
        _, abbr, n = _calendar_era(self.year, self.month)
        return f"{abbr}{n}.{self.month}"


_AS_OF_ERA = re.compile(
    rf"(?<![A-Za-z])({_ERA_NAMES}|[RH])\s*(元|\d{{1,2}})\s*(?:年\s*|[./])(\d{{1,2}})(?![\d.])",
    re.IGNORECASE,
)
_AS_OF_WESTERN = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月")
_AS_OF_MONTH = re.compile(r"(?<![\d./])(\d{1,2})\s*月\s*(?:末|現在|実績|分|まで)")


def parse_as_of(text: str, default_fy: int | None = None) -> AsOf | None:
    """「いつ現在」の表記を読む。読めなければ None。

    `令和7年2月末現在`, `令和6年10月`, `R7.2実績分`（暦の令和7年2月 → 2024年度2月）,
    `2025年2月末`; 月だけの `11月末現在` は文中の年度か default_fy を使う。
    """
    s = _norm(text)
    for m in _AS_OF_ERA.finditer(s):
        year = _era_to_western(m.group(1), m.group(2))
        month = int(m.group(3))
        if year is not None and 1 <= month <= 12:
            return AsOf(fiscal_year_of(year, month), month)
    for m in _AS_OF_WESTERN.finditer(s):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return AsOf(fiscal_year_of(year, month), month)
    fy = find_fiscal_year(s)
    fy = default_fy if fy is None else fy
    month_only = parse_month(s)
    if month_only is None:
        m = _AS_OF_MONTH.search(s)
        month_only = int(m.group(1)) if m and 1 <= int(m.group(1)) <= 12 else None
    if fy is None or month_only is None:
        return None
    return AsOf(fy, month_only)
