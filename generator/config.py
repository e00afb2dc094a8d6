"""Read and validate site_config.yml: the portal, the departments and the list types.

List types are data: the package ships defaults (defaults/schema.yml); a project may replace any
enumeration, replace the list types, or add new ones with `extra_list_types`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from generator.problems import Problems, did_you_mean
from generator.safeurl import UNSAFE_HINT, safe_href, unsafe_message
from generator.siteconfig import (  # noqa: F401  (re-exported: the configuration's public types)
    DEFAULT_CATCH_ALL_PATTERNS,
    Department,
    EnumValue,
    FieldDef,
    ListType,
    Portal,
    PublishSettings,
    SiteConfig,
)
from generator.yamlsource import LocatedList, LocatedMap, load_yaml_file

DEFAULTS_FILE = Path(__file__).parent / "defaults" / "schema.yml"
SYNONYMS_FILE = Path(__file__).parent / "defaults" / "search_synonyms.yml"
SAFE_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

class _Reader:
    """Helpers that read typed values out of located YAML and report what is wrong."""

    def __init__(self, file: str, problems: Problems) -> None:
        self.file = file
        self.problems = problems
        # Where each list type's id and each field's `enum:`/`ref:` were written, for later checks.
        self.type_where: dict[str, list[dict]] = {}
        self.field_where: dict[tuple[str, str, str], dict] = {}

    def where(self, container: Any, key: Any = None) -> dict:
        loc = None
        if isinstance(container, LocatedMap) and key is not None:
            loc = container.key_locs.get(key)
        elif isinstance(container, LocatedList) and isinstance(key, int) and key < len(container.item_locs):
            loc = container.item_locs[key]
        if loc is None:
            loc = getattr(container, "loc", None)
        return {"file": self.file, "line": loc.line if loc else None, "column": loc.column if loc else None}

    def mapping(self, value: Any, what: str, container: Any = None, key: Any = None) -> LocatedMap | None:
        if isinstance(value, LocatedMap):
            return value
        if isinstance(container, LocatedMap) and key not in container:
            self.missing(container, key, what)
            return None
        self.problems.error(
            f"{what}应当是“字段: 值”的映射", rule="config-type", hint="检查缩进：下一级的设置要比它多缩进两个空格",
            **self.where(container if container is not None else value, key),
        )
        return None

    def missing(self, container: LocatedMap, key: str, what: str) -> None:
        self.problems.error(
            f"缺少{' ' if what[:1].isascii() else ''}{what}", rule="config-missing", hint=f"添加 {key}: 一节（可参照示例项目的 site_config.yml）",
            **self.where(container),
        )

    def sequence(self, value: Any, what: str, container: Any = None, key: Any = None) -> LocatedList | None:
        if isinstance(value, LocatedList):
            return value
        if isinstance(container, LocatedMap) and key not in container:
            self.missing(container, key, what)
            return None
        self.problems.error(
            f"{what}应当是以“- ”开头的列表", rule="config-type", hint="每一项单独一行，以“- ”开头",
            **self.where(container if container is not None else value, key),
        )
        return None

    def flag(self, mapping: LocatedMap, key: str, what: str) -> bool:
        """A yes/no setting: true or false (not the text "no", which would count as true)."""
        value = mapping.get(key, False)
        if isinstance(value, bool):
            return value
        self.problems.error(
            f"{what}（{key}）应当是 true 或 false，而不是“{value}”", rule="config-type",
            hint=f"写 {key}: true 或 {key}: false，不加引号", **self.where(mapping, key),
        )
        return False

    def text(self, mapping: LocatedMap, key: str, what: str, required: bool = True) -> str:
        if key not in mapping or mapping[key] is None:
            if required:
                self.problems.error(
                    f"缺少{what}（{key}）", rule="config-missing", hint=f"添加一行 {key}: …", **self.where(mapping)
                )
            return ""
        value = mapping[key]
        if isinstance(value, (dict, list)):
            self.problems.error(f"{what}（{key}）应当是一段文字", rule="config-type", **self.where(mapping, key))
            return ""
        return str(value)

    def unknown_keys(self, mapping: LocatedMap, allowed: list[str], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.problems.error(
                    f"{what}{' ' if what[-1:].isascii() else ''}中有未知的设置“{key}”",
                    rule="config-unknown",
                    hint=did_you_mean(key, allowed),
                    **self.where(mapping, key),
                )


PORTAL_KEYS = {
    "site_name": ("网站名称", True),
    "region": ("地区名称", True),
    "region_code": ("行政区划代码", True),
    "base_url": ("网站地址", True),
    "sponsor": ("主办单位", True),
    "organizer": ("承办单位", True),
    "site_id_code": ("网站标识码", True),
    "icp": ("ICP备案号", True),
    "police_record": ("公安机关备案号", True),
    "contact_phone": ("联系电话", False),
    "contact_email": ("联系邮箱", False),
    "contact_address": ("联系地址", False),
    "description": ("网站简介", False),
    "error_report_url": ("我为政府网站找错链接", False),
    "badge_url": ("党政机关网站标识链接", False),
    "badge_image": ("党政机关网站标识图片", False),
}


def _read_portal(r: _Reader, raw: LocatedMap) -> Portal:
    r.unknown_keys(raw, list(PORTAL_KEYS), "portal")
    values = {key: r.text(raw, key, label, required) for key, (label, required) in PORTAL_KEYS.items()}
    if values["region_code"] and not re.fullmatch(r"\d{6}", values["region_code"]):
        r.problems.error(
            f"行政区划代码应为 6 位数字（GB/T 2260），而不是“{values['region_code']}”",
            rule="config-value",
            hint="例如 360799；请给它加引号，避免被当作数字",
            **r.where(raw, "region_code"),
        )
    for key in ("site_name", "description"):  # Material's own templates print these unescaped
        if re.search(r'[<>"]', values[key]):
            r.problems.error(
                f"{PORTAL_KEYS[key][0]}（{key}）“{values[key]}”中不能有 < > \" 这几个字符", rule="config-value",
                hint="它们在网页中有特殊含义；请改用中文符号，例如“＜＞”或中文引号“”", **r.where(raw, key))
            values[key] = re.sub(r'[<>"]', "", values[key])
    for key in ("base_url", "error_report_url", "badge_url", "badge_image"):
        if values[key] and safe_href(values[key]) is None:
            r.problems.error(unsafe_message(f"{PORTAL_KEYS[key][0]}（{key}）", values[key]), rule="config-value",
                             hint=UNSAFE_HINT, **r.where(raw, key))
            values[key] = ""
    if values["base_url"] and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    return Portal(**values)


def _read_departments(r: _Reader, raw: LocatedList) -> list[Department]:
    departments: list[Department] = []
    seen: dict[str, int] = {}
    allowed = ["code", "name", "short_name", "phone", "address"]
    for index, entry in enumerate(raw):
        entry = r.mapping(entry, "部门", raw, index)
        if entry is None:
            continue
        r.unknown_keys(entry, allowed, "部门")
        code = r.text(entry, "code", "部门代码")
        if code and not SAFE_ID.match(code):
            r.problems.error(
                f"部门代码“{code}”只能由小写字母、数字、- 和 _ 组成，且以字母开头",
                rule="config-value",
                hint="部门代码会出现在网址和文件名中，例如 scjgj",
                **r.where(entry, "code"),
            )
        if code in seen:
            r.problems.error(
                f"部门代码“{code}”重复（第一次在第 {seen[code]} 行）", rule="config-duplicate",
                hint="每个部门只登记一次；两个部门请用不同的代码", **r.where(entry, "code"),
            )
        seen[code] = entry.loc.line
        name = r.text(entry, "name", "部门全称")
        departments.append(
            Department(
                code=code,
                name=name,
                short_name=r.text(entry, "short_name", "部门简称", required=False) or name,
                phone=r.text(entry, "phone", "电话", required=False),
                address=r.text(entry, "address", "地址", required=False),
                order=index,
            )
        )
    return departments


def _read_enums(r: _Reader, raw: LocatedMap) -> dict[str, list[EnumValue]]:
    enums: dict[str, list[EnumValue]] = {}
    for name, values in raw.items():
        values = r.sequence(values, f"枚举“{name}”", raw, name)
        if values is None:
            continue
        entries = []
        for index, value in enumerate(values):
            if isinstance(value, LocatedMap):
                aliases = value.get("aliases") or []
                entries.append(
                    EnumValue(
                        value=r.text(value, "value", "取值"),
                        code=r.text(value, "code", "代码", required=False),
                        letter=r.text(value, "letter", "字母代码", required=False),
                        aliases=tuple(str(a) for a in (aliases if isinstance(aliases, list) else [aliases])),
                    )
                )
            elif isinstance(value, (str, int)):
                entries.append(EnumValue(value=str(value)))
            else:
                r.problems.error(f"枚举“{name}”的取值应为文字", rule="config-type", **r.where(values, index))
        enums[name] = entries
    return enums


FIELD_KEYS = ["name", "label", "type", "required", "enum", "multi", "ref", "description", "strict"]
LIST_TYPE_KEYS = [
    "id", "title", "item_label", "description", "fields", "disclosure_map", "type_field", "disclosure_fields",
    "import_synonyms", "disclosures", "strict",
]


def _read_field(r: _Reader, raw: LocatedMap, disclosure: bool) -> FieldDef | None:
    r.unknown_keys(raw, FIELD_KEYS, "字段定义")
    name = r.text(raw, "name", "字段名")
    ftype = r.text(raw, "type", "字段类型")
    from generator.fieldtypes import FIELD_TYPES  # the field types' one home (it imports this module)

    if ftype and ftype not in FIELD_TYPES:
        r.problems.error(
            f"未知的字段类型“{ftype}”",
            rule="config-value",
            hint=did_you_mean(ftype, list(FIELD_TYPES)),
            **r.where(raw, "type"),
        )
        return None
    fdef = FieldDef(
        name=name,
        label=r.text(raw, "label", "字段标签") or name,
        type=ftype,
        required=r.flag(raw, "required", "是否必填"),
        enum=r.text(raw, "enum", "枚举名", required=ftype == "enum"),
        multi=r.flag(raw, "multi", "是否多值"),
        ref=r.text(raw, "ref", "引用的清单", required=ftype == "ref"),
        description=r.text(raw, "description", "说明", required=False),
        disclosure=disclosure,
        strict=r.flag(raw, "strict", "是否严格（拒绝枚举外的取值和空白的必填项）"),
    )
    return fdef if name and ftype else None


def _read_list_types(
    r: _Reader,
    raw: LocatedList,
    disclosure_fields: list[FieldDef],
    default_map: dict[str, str],
    common_fields: list[FieldDef] = (),  # type: ignore[assignment]
) -> list[ListType]:
    types: list[ListType] = []
    for index, entry in enumerate(raw):
        entry = r.mapping(entry, "清单类型", raw, index)
        if entry is None:
            continue
        r.unknown_keys(entry, LIST_TYPE_KEYS, "清单类型")
        list_id = r.text(entry, "id", "清单标识")
        r.type_where.setdefault(list_id, []).append(r.where(entry, "id"))
        if list_id and not SAFE_ID.match(list_id):
            r.problems.error(
                f"清单标识“{list_id}”只能由小写字母、数字、- 和 _ 组成", rule="config-value", **r.where(entry, "id")
            )
        fields: list[FieldDef] = []
        raw_fields = r.sequence(entry.get("fields"), "fields", entry, "fields") if "fields" in entry else None
        for findex, raw_field in enumerate(raw_fields or []):
            raw_field = r.mapping(raw_field, "字段定义", raw_fields, findex)
            fdef = _read_field(r, raw_field, disclosure=False) if raw_field is not None else None
            if fdef:
                fields.append(fdef)
                for key in ("enum", "ref"):
                    r.field_where[(list_id, fdef.name, key)] = r.where(raw_field, key)
        if entry.get("disclosure_fields", True) is not False:
            own = {f.name for f in fields}
            fields.extend(f for f in disclosure_fields if f.name not in own)
        own = {f.name for f in fields}
        fields.extend(f for f in common_fields if f.name not in own)
        names = [f.name for f in fields]
        if "code" not in names or "name" not in names:
            r.problems.error(
                f"清单类型“{list_id}”必须定义 code（编码）和 name（名称）两个字段",
                rule="config-missing",
                **r.where(entry, "fields"),
            )
        dmap = dict(default_map)
        raw_map = entry.get("disclosure_map")
        if isinstance(raw_map, LocatedMap):
            for key, path in raw_map.items():
                if key not in default_map:
                    r.problems.error(
                        f"未知的公开要素“{key}”", rule="config-value",
                        hint=did_you_mean(key, list(default_map)), **r.where(raw_map, key),
                    )
                elif str(path).split(".")[0] not in names:
                    r.problems.error(
                        f"公开要素“{key}”指向了不存在的字段“{path}”", rule="config-value", **r.where(raw_map, key)
                    )
                else:
                    dmap[key] = str(path)
        types.append(
            ListType(
                id=list_id,
                title=r.text(entry, "title", "清单名称"),
                item_label=r.text(entry, "item_label", "事项称谓", required=False) or "事项",
                description=r.text(entry, "description", "清单说明", required=False),
                fields=fields,
                disclosure_map=dmap,
                type_field=r.text(entry, "type_field", "类型字段", required=False),
                import_synonyms=_read_synonyms(r, entry.get("import_synonyms"), entry, "import_synonyms"),
                disclosures=_read_disclosure_keys(r, entry, default_map),
                strict=r.flag(entry, "strict", "是否严格（拒绝必填项空白的事项）"),
            )
        )
    return types


def _read_disclosure_keys(r: _Reader, entry: LocatedMap, default_map: dict[str, str]) -> list[str]:
    """`disclosures: [fee_basis, fee_standard]` — the eight disclosures that apply (default: all)."""
    if "disclosures" not in entry:
        return []
    seq = r.sequence(entry["disclosures"], "disclosures（适用的公开要素）", entry, "disclosures")
    keys = []
    for index, key in enumerate(seq or []):
        if str(key) not in default_map:
            r.problems.error(
                f"未知的公开要素“{key}”", rule="config-value", hint=did_you_mean(str(key), list(default_map)),
                **r.where(seq, index),
            )
            continue
        keys.append(str(key))
    return keys


def _read_synonyms(r: _Reader, raw: Any, container: Any, key: str) -> dict[str, list[str]]:
    """`import_synonyms: {field: [表头, 表头]}` — extra column headers that `qingdan import` accepts."""
    if raw is None:
        return {}
    raw = r.mapping(raw, "import_synonyms（导入表头同义词）", container, key)
    out: dict[str, list[str]] = {}
    for name, words in (raw or {}).items():
        words = [words] if isinstance(words, str) else r.sequence(words, f"字段“{name}”的同义词", raw, name)
        out[str(name)] = [str(w) for w in words or [] if w is not None]
    return out


TOP_KEYS = [
    "portal", "departments", "enums", "list_types", "extra_list_types", "rules", "editions", "import_synonyms",
    "history",
    "publish",
    "search",
    "quality_page",
    "traditional",
    "downloads",
]


def load_config(root: Path, problems: Problems, config_name: str = "site_config.yml") -> SiteConfig | None:
    """Load the project's site_config.yml over the package defaults; None when it has errors."""
    before = len(problems.errors)
    defaults = load_yaml_file(DEFAULTS_FILE, "generator/defaults/schema.yml", problems)
    path = root / config_name
    if not path.exists():
        problems.error(
            f"找不到配置文件 {config_name}",
            file=config_name,
            rule="config-missing",
            hint="在项目根目录运行 qingdan，或用 --project 指定项目目录",
        )
        return None
    raw = load_yaml_file(path, config_name, problems)
    if raw is None or defaults is None:
        return None
    r = _Reader(config_name, problems)
    if r.mapping(raw, "site_config.yml 的顶层") is None:
        return None
    r.unknown_keys(raw, TOP_KEYS, "site_config.yml")

    portal = _read_portal(r, raw["portal"]) if r.mapping(raw.get("portal"), "portal", raw, "portal") else None
    dept_raw = r.sequence(raw.get("departments"), "departments（部门列表）", raw, "departments")
    departments = _read_departments(r, dept_raw) if dept_raw is not None else []

    dr = _Reader("generator/defaults/schema.yml", problems)
    enums = _read_enums(dr, defaults["enums"])
    if "enums" in raw and r.mapping(raw["enums"], "enums（枚举）", raw, "enums") is not None:
        enums.update(_read_enums(r, raw["enums"]))
    disclosures = [(d["key"], d["label"]) for d in defaults["disclosures"]]
    disclosure_fields = [f for f in (_read_field(dr, f, True) for f in defaults["disclosure_fields"]) if f]
    common_fields = [f for f in (_read_field(dr, f, False) for f in defaults["common_fields"]) if f]
    default_map = {str(k): str(v) for k, v in defaults["default_disclosure_map"].items()}

    if "list_types" in raw:
        seq = r.sequence(raw["list_types"], "list_types", raw, "list_types")
        list_types = _read_list_types(r, seq or LocatedList(), disclosure_fields, default_map, common_fields)
    else:
        list_types = _read_list_types(dr, defaults["list_types"], disclosure_fields, default_map, common_fields)
    if "extra_list_types" in raw:
        seq = r.sequence(raw["extra_list_types"], "extra_list_types", raw, "extra_list_types")
        list_types += _read_list_types(r, seq or LocatedList(), disclosure_fields, default_map, common_fields)

    if "import_synonyms" in raw:  # top level: {list id: {field: [表头, …]}}, for the default list types
        by_list = r.mapping(raw["import_synonyms"], "import_synonyms（导入表头同义词）", raw, "import_synonyms")
        known = {t.id: t for t in list_types}
        for list_id, entry in (by_list or {}).items():
            if list_id not in known:
                r.problems.error(
                    f"import_synonyms 中的清单“{list_id}”没有定义", rule="config-value",
                    hint=did_you_mean(list_id, list(known)), **r.where(by_list, list_id),
                )
                continue
            for name, words in _read_synonyms(r, entry, by_list, list_id).items():
                known[list_id].import_synonyms.setdefault(name, []).extend(words)
    _check_list_types(r, raw, list_types, enums)

    rules = (r.mapping(raw["rules"], "rules（校验规则）", raw, "rules") if "rules" in raw else None) or LocatedMap()
    r.unknown_keys(rules, RULES_KEYS, "rules")
    patterns = list(DEFAULT_CATCH_ALL_PATTERNS)
    if rules.get("catch_all_patterns") is not None:
        seq = r.sequence(rules["catch_all_patterns"], "兜底条款规则（catch_all_patterns）", rules, "catch_all_patterns")
        patterns = [str(p) for p in seq or []]
        for index, p in enumerate(patterns):
            _check_regex(r, p, f"兜底条款规则“{p}”", seq, index)
    if rules.get("extra_catch_all_patterns") is not None:
        seq = r.sequence(rules["extra_catch_all_patterns"], "补充的兜底条款规则（extra_catch_all_patterns）",
                         rules, "extra_catch_all_patterns")
        extra = [str(p) for p in seq or []]
        for index, p in enumerate(extra):
            _check_regex(r, p, f"兜底条款规则“{p}”", seq, index)
        patterns += extra
    rule_settings = _read_rule_settings(r, rules, [t.id for t in list_types])
    editions = (
        r.mapping(raw["editions"], "editions（版本）", raw, "editions") if "editions" in raw else None
    ) or LocatedMap()
    r.unknown_keys(editions, EDITIONS_KEYS, "editions")
    if "tag_pattern" in editions:
        _check_regex(r, str(editions["tag_pattern"]), "版本标签规则（tag_pattern）", editions, "tag_pattern")
    declared = _read_declared_editions(r, editions)
    history = (
        r.mapping(raw["history"], "history（调整记录）", raw, "history") if "history" in raw else None
    ) or LocatedMap()
    r.unknown_keys(history, HISTORY_KEYS, "history")
    publish = _read_publish(r, raw)
    search_synonyms = _read_search(r, raw, problems)
    traditional_variant, traditional_phrases = _read_traditional(r, raw)
    downloads = (r.mapping(raw["downloads"], "downloads（下载文件）", raw, "downloads") if "downloads" in raw
                 else None) or LocatedMap()
    r.unknown_keys(downloads, ["csv"], "downloads")
    if portal is None or len(problems.errors) > before:
        return None
    return SiteConfig(
        root=root,
        portal=portal,
        departments=departments,
        enums=enums,
        list_types=list_types,
        disclosures=disclosures,
        catch_all_patterns=patterns,
        edition_tag_pattern=str(editions.get("tag_pattern", SiteConfig.edition_tag_pattern)),
        declared_editions=declared,
        history_baseline=r.text(history, "baseline", "首次公布的提交或标签", required=False),
        publish=publish,
        quality_page=r.flag(raw, "quality_page", "是否公开“公开质量”页面") if "quality_page" in raw else False,
        search_synonyms=search_synonyms,
        traditional_variant=traditional_variant,
        traditional_phrases=traditional_phrases,
        download_csv=r.flag(downloads, "csv", "是否按清单提供 CSV 下载"),
        **rule_settings,
    )


def _read_search(r: _Reader, raw: LocatedMap, problems: Problems) -> dict[str, list[str]]:
    """`search: synonyms: {俗称: [名称中的词]}` over the package's list (defaults/search_synonyms.yml):
    a project's entry adds words to a default 俗称 or adds a new one."""
    defaults = load_yaml_file(SYNONYMS_FILE, "generator/defaults/search_synonyms.yml", problems) or {}
    out = {str(k): [str(w) for w in v or []] for k, v in defaults.items()}
    search = (r.mapping(raw["search"], "search（搜索）", raw, "search") if "search" in raw else None) or LocatedMap()
    r.unknown_keys(search, ["synonyms"], "search")
    if "synonyms" in search:
        entries = r.mapping(search["synonyms"], "search 的 synonyms（俗称）", search, "synonyms") or {}
        for term, words in entries.items():
            words = [words] if isinstance(words, str) else r.sequence(words, f"俗称“{term}”对应的词", entries, term)
            out.setdefault(str(term), []).extend(str(w) for w in words or [] if w is not None)
    return out


def _read_traditional(r: _Reader, raw: LocatedMap) -> tuple[str, dict[str, str]]:
    """`traditional: {variant: tw|hk|plain, phrases: {简体: 繁體}}` or `traditional: false`; absent
    means plain 繁體. Returns the variant ("" for none) and the site's phrases."""
    from generator.traditional import DEFAULT_VARIANT, VARIANTS

    if "traditional" not in raw:
        return DEFAULT_VARIANT, {}
    if raw["traditional"] is False:
        return "", {}
    section = r.mapping(raw["traditional"], "traditional（繁体中文页面）", raw, "traditional")
    if section is None:
        return DEFAULT_VARIANT, {}
    r.unknown_keys(section, ["variant", "phrases"], "traditional")
    phrases: dict[str, str] = {}
    entries = (r.mapping(section["phrases"], "traditional 的 phrases（繁体用词）", section, "phrases")
               if "phrases" in section else None) or {}
    for simplified, written in entries.items():
        if not isinstance(written, str) or not str(simplified).strip() or not written.strip():
            r.problems.error(f"traditional.phrases 中“{simplified}”的繁体写法应是一个词", rule="config-value",
                             hint="每行写“简体词: 繁體詞”，如 网签: 網簽", **r.where(entries, simplified))
            continue
        phrases[str(simplified)] = written
    variant = str(section.get("variant", DEFAULT_VARIANT))
    if variant not in VARIANTS:
        choices = "、".join(f"{key}（{v.label}）" for key, v in VARIANTS.items())
        r.problems.error(f"traditional.variant 不能是“{variant}”", rule="config-value",
                         hint=f"可用的值：{choices}；不生成繁体页面时写 traditional: false",
                         **r.where(section, "variant"))
        return DEFAULT_VARIANT, phrases
    return variant, phrases


PUBLISH_KEYS = ["keep_releases", "s3_endpoint", "s3_region", "s3_addressing_style"]


def _read_publish(r: _Reader, raw: LocatedMap) -> PublishSettings:
    section = (r.mapping(raw["publish"], "publish（发布）", raw, "publish") if "publish" in raw else None) or LocatedMap()
    r.unknown_keys(section, PUBLISH_KEYS, "publish")
    keep = section.get("keep_releases", PublishSettings.keep_releases)
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        r.problems.error("publish.keep_releases 应为不小于 1 的整数", rule="config-value",
                         hint="例如 keep_releases: 5（目标上保留最近 5 次发布，可回退）", **r.where(section, "keep_releases"))
        keep = PublishSettings.keep_releases
    style = str(section.get("s3_addressing_style", "auto"))
    if style not in ("auto", "path", "virtual"):
        r.problems.error(f"publish.s3_addressing_style 不能是“{style}”", rule="config-value",
                         hint="可用的值：auto、path、virtual", **r.where(section, "s3_addressing_style"))
    return PublishSettings(int(keep), str(section.get("s3_endpoint", "") or ""), str(section.get("s3_region", "") or ""),
                           style)


EDITIONS_KEYS = ["tag_pattern", "declared"]
HISTORY_KEYS = ["baseline"]


def _read_declared_editions(r: _Reader, editions: LocatedMap) -> list[tuple[str, str]]:
    """`editions: declared: [{name: 2019版, date: 2019-12-31}]`: the lists as they stood on a date
    (by the records' own dates), for a county whose editions are not git tags."""
    from generator.dates import normalize_date

    if "declared" not in editions:
        return []
    seq = r.sequence(editions["declared"], "declared（声明的版本）", editions, "declared")
    out: list[tuple[str, str]] = []
    for index, entry in enumerate(seq or []):
        entry = r.mapping(entry, "版本", seq, index)
        if entry is None:
            continue
        r.unknown_keys(entry, ["name", "date"], "版本")
        name, date = r.text(entry, "name", "版本名称"), r.text(entry, "date", "版本日期")
        day = normalize_date(str(date)) if date else None
        if date and day is None:
            r.problems.error(f"版本日期“{date}”无法识别", rule="config-value", hint="写成 2019-12-31 的格式",
                             **r.where(entry, "date"))
            continue
        if name and day:
            out.append((name, day))
    return out


RULES_KEYS = [
    "catch_all_patterns", "extra_catch_all_patterns", "levels", "repealed_laws", "review_after_years", "overlap_lists",
]
RULE_LEVELS = ("error", "warning", "notice", "off")


def _read_rule_settings(r: _Reader, rules: LocatedMap, list_ids: list[str]) -> dict[str, Any]:
    """`rules:` beyond the catch-all patterns: levels, repealed instruments, review period, overlap lists."""
    from generator.lawdb import ENTRY_KEYS, KINDS
    from generator.rules import RULES

    out: dict[str, Any] = {}
    if "levels" in rules:
        levels = r.mapping(rules["levels"], "规则级别（levels）", rules, "levels") or {}
        out["rule_levels"] = {}
        for rule_id, level in levels.items():
            level = "off" if level is False else level  # YAML reads a bare off as false
            if rule_id not in RULES:
                r.problems.error(f"levels 中的“{rule_id}”不是规则的标识", rule="config-value",
                                 hint=did_you_mean(str(rule_id), list(RULES), what="规则"), **r.where(levels, rule_id))
            elif str(level) not in RULE_LEVELS:
                r.problems.error(f"规则“{rule_id}”的级别应为 error、warning、notice 或 off，而不是“{level}”",
                                 rule="config-value", hint="off 表示关闭这条规则", **r.where(levels, rule_id))
            else:
                out["rule_levels"][str(rule_id)] = str(level)
    if "repealed_laws" in rules:
        seq = r.sequence(rules["repealed_laws"], "已废止的法律法规（repealed_laws）", rules, "repealed_laws") or []
        entries = []
        for index, entry in enumerate(seq):
            entry = r.mapping(entry, "已废止的法律法规", seq, index)
            if entry is None:
                continue
            r.unknown_keys(entry, ENTRY_KEYS, "repealed_laws")
            title, date = r.text(entry, "title", "名称"), r.text(entry, "date", "废止日期")
            if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
                r.problems.error(f"废止日期应写成 YYYY-MM-DD，而不是“{date}”", rule="config-value",
                                 hint="例如 date: \"2009-06-01\"（加引号）", **r.where(entry, "date"))
            kind = r.text(entry, "kind", "废止或更名", required=False) or "废止"
            if kind not in KINDS:
                r.problems.error(f"kind 应为 废止、更名 或 失效，而不是“{kind}”", rule="config-value",
                                 **r.where(entry, "kind"))
            r.text(entry, "by", "废止它的法律或决定")
            if title and date:
                entries.append({k: entry[k] for k in ENTRY_KEYS if k in entry})
        out["repealed_laws"] = entries
    if "review_after_years" in rules:
        years = rules["review_after_years"]
        if isinstance(years, bool) or not isinstance(years, int) or years < 1:
            r.problems.error(f"review_after_years 应为正整数（年），而不是“{years}”", rule="config-value",
                             hint="例如 review_after_years: 5", **r.where(rules, "review_after_years"))
        else:
            out["review_after_years"] = years
    if "overlap_lists" in rules:
        seq = r.sequence(rules["overlap_lists"], "检查职责交叉的清单（overlap_lists）", rules, "overlap_lists") or []
        for index, list_id in enumerate(seq):
            if str(list_id) not in list_ids:
                r.problems.error(f"overlap_lists 中的清单“{list_id}”没有定义", rule="config-value",
                                 hint=did_you_mean(str(list_id), list_ids, what="清单"), **r.where(seq, index))
        out["overlap_lists"] = [str(x) for x in seq]
    return out


def _check_regex(r: _Reader, pattern: str, what: str, container: Any, key: Any) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        r.problems.error(
            f"{what}不是有效的正则表达式：{exc}", rule="config-value",
            hint="检查括号是否成对；要匹配括号等符号本身时在前面加 \\", **r.where(container, key),
        )


def _check_list_types(r: _Reader, raw: LocatedMap, list_types: list[ListType], enums: dict) -> None:
    ids = [t.id for t in list_types]
    for list_id in sorted({i for i in ids if ids.count(i) > 1}):
        r.problems.error(
            f"清单标识“{list_id}”重复定义", rule="config-duplicate",
            hint="每个清单标识只能定义一次；extra_list_types 只用于增加新的清单，"
            "要改写默认清单请用 list_types 列出全部清单",
            **(r.type_where.get(list_id) or [r.where(raw)])[-1],
        )
    for t in list_types:
        for f in t.fields:
            if f.type == "enum" and f.enum not in enums:
                r.problems.error(
                    f"清单“{t.id}”的字段“{f.name}”引用了未定义的枚举“{f.enum}”",
                    rule="config-value",
                    hint=did_you_mean(f.enum, list(enums), what="枚举"),
                    **r.field_where.get((t.id, f.name, "enum"), r.where(raw)),
                )
            if f.type == "ref" and f.ref not in ids:
                r.problems.error(
                    f"清单“{t.id}”的字段“{f.name}”引用了未定义的清单“{f.ref}”",
                    rule="config-value",
                    hint=did_you_mean(f.ref, ids, what="清单"),
                    **r.field_where.get((t.id, f.name, "ref"), r.where(raw)),
                )
