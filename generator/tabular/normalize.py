"""What clerks type → what the YAML holds.

Pure functions on one cell's text: full-width digits and spaces, Chinese numerals, "20个工作日",
是/否, several laws in one cell. Each returns the value, or raises CellError with a Chinese message
and hint; the caller knows which cell it was.
"""

from __future__ import annotations

import re
from typing import Any


class CellError(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# Full-width digits, Latin letters and the ideographic space become ASCII. Full-width punctuation
# (，（）：) stays: it is correct Chinese typography, and NFKC would turn it into ASCII.
_WIDTH = {0x3000: " "}
_WIDTH.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF10, 0xFF1A)})  # ０-９
_WIDTH.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDTH.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_CODE_WIDTH = dict(_WIDTH)
_CODE_WIDTH.update({0xFF0D: "-", 0xFF3F: "_", 0x2014: "-", 0x2013: "-"})  # －＿—– in codes and phones


def clean_text(value: Any) -> str:
    """Cell text with ASCII digits, single-spaced line ends and no surrounding blanks."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value).translate(_WIDTH).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.strip(" \t") for line in text.split("\n")]
    return "\n".join(lines).strip()


def published_text(value: Any) -> str:
    """A cell's text exactly as published: only Windows line ends and the blanks around the whole
    cell go (layout). Full-width digits, spaces inside, line breaks and punctuation all stay."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


# A cell starting with one of these is a formula to Excel and WPS (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def protect_formula(text: str) -> str:
    """A CSV cell that spreadsheets show as text: a leading apostrophe before a formula character.
    A value that already starts with an apostrophe and a formula character gets one more, so that
    `unprotect_formula` gives back exactly the published text."""
    if text.startswith(FORMULA_START) or (text.startswith("'") and text[1:].startswith(("'", *FORMULA_START))):
        return "'" + text
    return text


def unprotect_formula(text: str) -> str:
    """The published text of a CSV cell written by `protect_formula` (import reads our own CSV)."""
    if text.startswith("'") and text[1:].startswith(("'", *FORMULA_START)):
        return text[1:]
    return text


def published_lines(value: Any) -> list[str]:
    """A list cell as published: one entry per line, each line as written (numbering kept)."""
    return [line.strip() for line in published_text(value).split("\n") if line.strip()]


def clean_code(value: Any) -> str:
    """An item code: also full-width hyphens; no spaces anywhere."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", str(value).translate(_CODE_WIDTH)) if value is not None else ""


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """二十 → 20, 一百二十 → 120, 十五 → 15, 三〇 → 30; None when it is not a Chinese numeral."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        return None
    if all(ch in _DIGITS for ch in text):  # 三〇 written digit by digit
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
    return total + (digit or 0)


def parse_int(value: Any) -> int:
    """20, "20", "２０", "二十", "20个", "20天" (the unit is ignored here) → 20."""
    if isinstance(value, bool):
        raise CellError(f"“{value}”不是数字", "只写阿拉伯数字，例如 20")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = clean_text(value)
    match = re.fullmatch(r"(\d+|[零〇一二两三四五六七八九十百千]+)\s*(个)?[^\d.\s]{0,5}", text)
    if match:
        number = match.group(1)
        result = int(number) if number.isdigit() else chinese_number(number)
        if result is not None:
            return result
    raise CellError(f"“{text}”不是整数", "只写阿拉伯数字，例如 20")


# Words for time units, in the order they are tried (工作日 before 日).
UNIT_WORDS = [
    ("个工作日", "工作日"), ("工作日", "工作日"),
    ("个自然日", "自然日"), ("自然日", "自然日"), ("个日历日", "自然日"), ("日历日", "自然日"),
    ("个小时", "小时"), ("小时", "小时"),
    ("个月", "月"), ("月", "月"), ("年", "年"),
    ("日", "自然日"), ("天", "自然日"),
]
ON_THE_SPOT = ("即办", "即时办结", "当场办结", "立即办结", "当场", "即时", "立即", "当日办结", "马上办")
NO_LIMIT = ("无", "无时限", "无时限要求", "不适用", "/", "-", "—", "——", "无法定时限")
_DURATION = re.compile(r"^(\d+|[零〇一二两三四五六七八九十百千]+)\s*(" + "|".join(w for w, _ in UNIT_WORDS) + r")?$")


def parse_duration(value: Any, units: list[str]) -> tuple[int | None, str, bool]:
    """One time limit → (number, unit, loose).

    "20个工作日" → (20, 工作日); "二十个工作日" → (20, 工作日); "20日" → (20, 自然日, loose=True: "日"
    alone is read as calendar days, which the caller reports); "即办" → (0, ""); "无" → (None, "").
    `units` are the allowed units (the time_unit enumeration); others raise CellError.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_int(value), "", False
    text = clean_text(value).replace(" ", "").rstrip("。.")
    text = re.sub(r"^(在|于)", "", text)
    text = re.sub(r"(以内|内|之内)$", "", text)
    if not text or text in NO_LIMIT:
        return None, "", False
    if text in ON_THE_SPOT or text.startswith(ON_THE_SPOT[:4]):
        return 0, "", False
    match = _DURATION.match(text)
    if not match:
        raise CellError(
            f"无法识别时限“{clean_text(value)}”",
            "写成“20个工作日”“20日”“即办”或只写天数；时限单位可以是：" + "、".join(units),
        )
    number = match.group(1)
    amount = int(number) if number.isdigit() else chinese_number(number)
    word = match.group(2) or ""
    unit = next((u for w, u in UNIT_WORDS if w == word), "") if word else ""
    if unit and unit not in units:
        raise CellError(
            f"时限“{clean_text(value)}”的单位“{unit}”不在规定范围内",
            "时限单位只能是" + "、".join(units) + "；请换算，或把原文写进时限说明",
        )
    return amount, unit, word in ("日", "天")


_TL_PART = re.compile(r"(法定|承诺)(?:办结)?(?:时限|期限)?[为是:：]?\s*([^，,；;。\n]+)")


def parse_time_limit(value: Any, units: list[str], default_unit: str = "") -> tuple[dict, list[str]]:
    """A whole 办理时限 cell → ({statutory, promised, unit, note}, warnings).

    "法定20个工作日，承诺5个工作日" fills both; a bare "5个工作日" is the promised time (the one the
    public is told). Text that is not a time limit at all ("无") goes to the note.
    """
    text = clean_text(value)
    parts = {m.group(1): m.group(2) for m in _TL_PART.finditer(text)}
    if not parts:
        return _bare_time_limit(text, units, default_unit)
    out: dict[str, Any] = {}
    warnings: list[str] = []
    found_units = []
    for word, key in (("法定", "statutory"), ("承诺", "promised")):
        if word in parts:
            amount, unit, loose = parse_duration(parts[word], units)
            if loose and default_unit:
                unit = default_unit
            if amount is not None:
                out[key] = amount
            if unit:
                found_units.append(unit)
            if loose and not default_unit:
                warnings.append(_loose_warning(parts[word]))
    if len(set(found_units)) > 1:
        raise CellError(
            f"法定时限和承诺时限的单位不同（{'、'.join(found_units)}）",
            "请换算成同一单位，例如都写成工作日",
        )
    out["unit"] = found_units[0] if found_units else default_unit or "工作日"
    return out, warnings


def _bare_time_limit(text: str, units: list[str], default_unit: str) -> tuple[dict, list[str]]:
    """A cell with neither 法定 nor 承诺: the promised time, or (not a time limit at all) the note."""
    amount, unit, loose = parse_duration(text, units)
    if amount is None:
        return {"note": text}, []
    if loose and default_unit:  # "20日" under a header that says （工作日）
        unit = default_unit
    out = {"promised": amount, "unit": unit or default_unit or "工作日"}
    return out, [_loose_warning(text)] if loose and not default_unit else []


def _loose_warning(text: str) -> str:
    return f"时限“{text}”只写了“日/天”，已按自然日导入；如果是工作日，请写“个工作日”"


_TRUE_WORDS = {"是", "有", "√", "✓", "✔", "y", "yes", "true", "1", "对", "进驻", "可以", "可"}
_FALSE_WORDS = {"否", "无", "×", "✗", "✘", "n", "no", "false", "0", "不", "未进驻", "不可", "不可以"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise CellError(f"“{clean_text(value)}”不是“是”或“否”", "只写“是”或“否”")


_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}[.、．)）]|[（(]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,2}、)\s*")


def strip_enumerator(text: str) -> str:
    """ "1.申请" / "（1）申请" / "①申请" / "一、申请" → "申请"."""
    return _ENUMERATOR.sub("", text, count=1).strip()


def split_list(value: Any) -> list[str]:
    """A list cell: one entry per line; a one-line cell splits on ；, then →, then 、/， for short steps."""
    text = clean_text(value)
    if not text:
        return []
    pieces = [p for p in text.split("\n") if p.strip()]
    if len(pieces) == 1:
        for separators in (r"[；;]", r"\s*(?:→|->|—>|－>|＞|>)\s*"):
            split = [p for p in re.split(separators, text) if p.strip()]
            if len(split) > 1:
                pieces = split
                break
        else:
            split = [p for p in re.split(r"[、，,]", text) if p.strip()]
            if len(split) > 1 and all(len(p.strip()) <= 8 for p in split):
                pieces = split  # 申请、受理、审查、决定、送达
    return [strip_enumerator(p).rstrip("；;") for p in pieces if strip_enumerator(p)]


def split_values(value: Any) -> list[str]:
    """A multi-value enumeration cell: 网上办、就近办 / 网上办,就近办 / one per line."""
    text = clean_text(value)
    return [p.strip() for p in re.split(r"[、，,；;/\n]+|\s{1,}", text) if p.strip()]


_NOTE_SUFFIX = re.compile(r"（说明：(.*)）$", re.S)
_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")


def split_bases(value: Any) -> list[dict[str, str]]:
    """Legal bases in one cell → [{law, article, note}].

    Separated by line breaks, ；, or simply one 《…》 after another; "《中华人民共和国食品安全法》第三十五条"
    becomes law 《中华人民共和国食品安全法》 + article 第三十五条. A trailing "（说明：…）" is the note.
    """
    text = clean_text(value)
    pieces: list[str] = []
    for chunk in re.split(r"[\n；;]+", text):
        pieces.extend(_split_at_titles(chunk))
    out = []
    for piece in pieces:
        piece = strip_enumerator(piece).strip("，,、。 ")
        if not piece or piece in ("无", "/", "—"):
            continue
        out.append(split_basis(piece))
    return out


def _split_at_titles(chunk: str) -> list[str]:
    """Split before every 《 that starts a new law outside brackets: 《A》第3条、《B》第5条."""
    pieces, start, depth = [], 0, 0
    for i, ch in enumerate(chunk):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif ch == "《" and depth == 0 and i > start and "《" in chunk[start:i]:
            pieces.append(chunk[start:i])
            start = i
    pieces.append(chunk[start:])
    return [p for p in pieces if p.strip()]


def split_basis(text: str) -> dict[str, str]:
    """One basis: 《law》article, or law第N条…, with an optional trailing （说明：…）."""
    entry: dict[str, str] = {}
    note = _NOTE_SUFFIX.search(text)
    if note:
        entry_note = note.group(1).strip()
        text = text[: note.start()].strip()
    else:
        entry_note = ""
    if text.startswith("《") and "》" in text:
        end = text.index("》") + 1
        law, article = text[:end], text[end:]
    else:
        match = _ARTICLE.search(text)
        if match and match.start() > 0:
            law, article = text[: match.start()], text[match.start():]
        elif " " in text:  # 食品安全法 35条: export writes a space when the law has no 《》
            law, _, article = text.partition(" ")
        else:
            law, article = text, ""
    entry["law"] = law.strip()
    article = article.strip().lstrip("，,、：: ")
    if article:
        entry["article"] = article
    if entry_note:
        entry["note"] = entry_note
    return entry


def format_basis(entry: dict[str, Any]) -> str:
    """The inverse of split_basis, for export: 《law》article（说明：note）."""
    law, article = str(entry.get("law", "")), str(entry.get("article", "") or "")
    joiner = "" if law.endswith("》") or not article or _ARTICLE.match(article) else " "
    text = law + joiner + article
    if entry.get("note"):
        text += f"（说明：{entry['note']}）"
    return text
