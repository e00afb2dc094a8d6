"""What a loaded site_config.yml is: the portal, the departments, the list types, as plain data.

The dataclasses the rest of the program reads. They sit below everything that uses them
(field types, the model, the rules, the import), and generator/config.py, which reads the file
and checks it against the declared options, sits above all of those: so nothing imports in a circle.
Nothing here reads site_config.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATCH_ALL_FILE = Path(__file__).parent / "defaults" / "catch_all_patterns.yml"


def _default_catch_all_patterns() -> list[str]:
    """The package's catch-all patterns: data, measured on real text (see the file's header)."""
    return [str(p) for p in yaml.safe_load(CATCH_ALL_FILE.read_text(encoding="utf-8"))["patterns"]]


DEFAULT_CATCH_ALL_PATTERNS = _default_catch_all_patterns()


@dataclass(frozen=True)
class EnumValue:
    value: str
    code: str = ""
    letter: str = ""
    aliases: tuple[str, ...] = ()  # historical or regional names of the same value (行政审批 → 行政许可)


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    type: str
    required: bool = False
    enum: str = ""
    multi: bool = False
    ref: str = ""
    description: str = ""
    disclosure: bool = False  # one of the fields that answer the eight disclosures
    # Refuse what does not conform (else keep it as published, with a warning): an enum value outside
    # the enumeration, or the field left blank when it is required.
    strict: bool = False


@dataclass
class ListType:
    id: str
    title: str
    item_label: str
    description: str
    fields: list[FieldDef]
    disclosure_map: dict[str, str]
    type_field: str = ""
    # Extra spreadsheet column headers per field path ("name", "fee.standard"), for `qingdan import`.
    import_synonyms: dict[str, list[str]] = field(default_factory=dict)
    # Which of the eight disclosures apply to this list (keys of SiteConfig.disclosures); a
    # disclosure that does not apply is neither shown as 未公开 nor counted against completeness.
    disclosures: list[str] = field(default_factory=list)
    # A department's choice to refuse items whose required fields are blank (default: imported as
    # published, each blank a finding shown as 未公开).
    strict: bool = False

    def __post_init__(self) -> None:
        self._by_name = {f.name: f for f in self.fields}

    def refuses_blank(self, fdef: FieldDef) -> bool:
        """A blank required field is an error: the name (else it is no item), or a strict list or field."""
        return fdef.required and (fdef.name == "name" or self.strict or fdef.strict)

    def field(self, name: str) -> FieldDef | None:
        return self._by_name.get(name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    short_name: str
    phone: str = ""
    address: str = ""
    order: int = 0


@dataclass(frozen=True)
class Portal:
    site_name: str
    region: str
    region_code: str
    base_url: str
    sponsor: str  # 主办单位
    organizer: str  # 承办单位
    site_id_code: str  # 网站标识码
    icp: str  # ICP备案号
    police_record: str  # 公安机关备案号
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""
    description: str = ""
    error_report_url: str = ""  # 我为政府网站找错
    # 党政机关网站标识: the register's page for this site, and the badge image as a file of the
    # site (put it in content/, e.g. content/assets/dzjg.png → assets/dzjg.png): no outside request.
    badge_url: str = ""
    badge_image: str = ""

    @property
    def police_record_url(self) -> str:
        """The 公安机关备案 register's page for this site's record number (its digits)."""
        digits = "".join(ch for ch in self.police_record if ch.isdigit())
        return f"https://beian.mps.gov.cn/#/query/webSearch?code={digits}" if digits else ""


@dataclass(frozen=True)
class PublishSettings:
    """`publish:` in site_config.yml (all optional). Keys for object storage never live here:
    they come from the environment (docs/publishing.md)."""

    keep_releases: int = 5
    s3_endpoint: str = ""
    s3_region: str = ""
    s3_addressing_style: str = "auto"


@dataclass
class SiteConfig:
    root: Path
    portal: Portal
    departments: list[Department]
    enums: dict[str, list[EnumValue]]
    list_types: list[ListType]
    disclosures: list[tuple[str, str]]  # (key, label) in publishing order
    catch_all_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_CATCH_ALL_PATTERNS))
    edition_tag_pattern: str = r"^(v?\d{4}|\d{4}版)$"
    history_baseline: str = ""  # the commit or tag of the first publication (history: baseline:)
    declared_editions: list[tuple[str, str]] = field(default_factory=list)  # (name, YYYY-MM-DD)
    lists_dir: str = "lists"
    publish: PublishSettings = field(default_factory=PublishSettings)
    # `rules:` in site_config.yml: per-rule level (error/warning/notice/off), extra repealed
    # instruments (raw entries, see generator/lawdb.py), review period, lists checked for overlaps.
    rule_levels: dict[str, str] = field(default_factory=dict)
    repealed_laws: list[dict[str, Any]] = field(default_factory=list)
    review_after_years: int = 3
    overlap_lists: list[str] = field(default_factory=lambda: ["power"])
    quality_page: bool = False  # publish the 公开质量 page (open assessment findings per department)
    # 俗称 → words of official names (defaults/search_synonyms.yml + `search: synonyms:`)
    search_synonyms: dict[str, list[str]] = field(default_factory=dict)
    # `traditional: {variant: …}`: the 繁體 view's character standard (generator/traditional.py
    # VARIANTS); "" when `traditional: false` turns the view off.
    traditional_variant: str = "plain"
    # `traditional: {phrases: {简体: 繁體}}`: the site's additions to defaults/traditional_phrases.yml.
    traditional_phrases: dict[str, str] = field(default_factory=dict)
    # `downloads: {csv: true}`: a CSV file per list on the site beside its workbook (ten times its
    # bytes: off unless a county asks; `qingdan export --format csv` writes one either way).
    download_csv: bool = False
    # `regions:` (generator/regions/config.py Region): a portal's county projects; empty for a county.
    regions: list[Any] = field(default_factory=list)
    catalogue: str = ""  # `catalogue:`: the province's 通用目录 file (generator/regions/catalogue.py)

    def __post_init__(self) -> None:
        self._departments = {d.code: d for d in self.departments}
        self._list_types = {t.id: t for t in self.list_types}

    def department(self, code: str) -> Department | None:
        return self._departments.get(code)

    def everyday_names(self, name: str) -> list[str]:
        """The 俗称 that find an item of this name in search (its name holds one of their words)."""
        return [term for term, words in self.search_synonyms.items() if any(w and w in name for w in words)]

    def list_type(self, list_id: str) -> ListType | None:
        return self._list_types.get(list_id)

    def enum_values(self, name: str) -> list[str]:
        return [v.value for v in self.enums.get(name, [])]

    def enum_entry(self, name: str, value: str) -> EnumValue | None:
        return next((v for v in self.enums.get(name, []) if v.value == value), None)

    def enum_standard(self, name: str, published: Any) -> str | None:
        """The standard value a published enumeration value stands for, or None.

        Accepts the value itself, a GB/T or provincial letter code (01, XK), an alias (行政审批), and
        "value-subtype" (其他行政权力-备案). The published text itself is stored unchanged; this
        is what grouping, filters, statistics and rules read.
        """
        text = str(published).strip() if published is not None else ""
        if not text:
            return None
        entries = self.enums.get(name, [])
        for entry in entries:
            if text == entry.value or text in entry.aliases:
                return entry.value
        for entry in entries:
            if text in (entry.code, entry.letter) and text:
                return entry.value
        head = re.split(r"\s*[-－—–（(]", text, maxsplit=1)[0]
        if head != text:
            return self.enum_standard(name, head)
        return None

    def applicable_disclosures(self, list_id: str) -> list[tuple[str, str]]:
        """(key, label) of the disclosures that apply to a list, in publishing order."""
        list_type = self.list_type(list_id)
        keys = set(list_type.disclosures) if list_type and list_type.disclosures else None
        return [(k, label) for k, label in self.disclosures if keys is None or k in keys]
