"""Messages about a spreadsheet, located by file, sheet, row and column the way a clerk finds them:
「权力清单.xlsx」工作表「行政许可」第12行 D列.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from openpyxl.utils import get_column_letter

Severity = Literal["error", "warning", "info"]
LABELS = {"error": "错误", "warning": "警告", "info": "说明"}


@dataclass(frozen=True)
class Where:
    file: str
    sheet: str = ""  # empty for CSV files, which have one sheet
    row: int | None = None  # 1-based, as the spreadsheet shows it
    column: int | None = None  # 1-based; shown as a letter
    yaml_line: int | None = None  # for problems in the YAML file itself

    def text(self) -> str:
        if self.yaml_line is not None:
            return f"{self.file}:{self.yaml_line}"
        out = f"「{self.file}」"
        if self.sheet:
            out += f"工作表「{self.sheet}」"
        if self.row is not None:
            out += f"第{self.row}行"
        if self.column is not None:
            out += f" {get_column_letter(self.column)}列"
        return out


@dataclass(frozen=True)
class Message:
    severity: Severity
    text: str
    where: Where | None = None
    hint: str = ""
    list: str = ""
    code: str = ""
    rule: str = ""

    def format_text(self) -> str:
        subject = f"［{self.list}{'/' if self.list and self.code else ''}{self.code}］" if self.list or self.code else ""
        head = f"{self.where.text()}：" if self.where else ""
        out = f"{head}{LABELS[self.severity]}{subject}：{self.text}"
        if self.hint:
            out += f"\n    提示：{self.hint}"
        return out

    def to_json(self) -> dict:
        data = asdict(self)
        if self.where is not None:
            data["where"]["column_letter"] = get_column_letter(self.where.column) if self.where.column else None
            data["location"] = self.where.text()
        return data


@dataclass
class Messages:
    items: list[Message] = field(default_factory=list)

    def add(self, severity: Severity, text: str, where: Where | None = None, **kw) -> None:
        """Record a message; a cell gets one error and never the same sentence twice."""
        if where is not None and where.row is not None and where.column is not None:
            cell = (where.file, where.sheet, where.row, where.column)
            seen = self.__dict__.setdefault("_cells", {})
            said = seen.setdefault(cell, set())
            if text in said or (severity == "error" and "error" in said):
                return
            said.update((text, severity))
        self.items.append(Message(severity, text, where, **kw))

    def error(self, text: str, where: Where | None = None, **kw) -> None:
        self.add("error", text, where, **kw)

    def warning(self, text: str, where: Where | None = None, **kw) -> None:
        self.add("warning", text, where, **kw)

    def info(self, text: str, where: Where | None = None, **kw) -> None:
        self.add("info", text, where, **kw)

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.items if m.severity == "error"]

    def has_errors(self) -> bool:
        return any(m.severity == "error" for m in self.items)

    def to_json(self) -> str:
        return json.dumps([m.to_json() for m in self.items], ensure_ascii=False, indent=2)
