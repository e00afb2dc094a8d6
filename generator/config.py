"""Read and validate site_config.yml: the portal, the departments and the list types.

Every option is declared once below (generator/configoptions.py: its key, type, default, the words
its messages use, its documentation and its checks); one reader walks the declarations, and
`python -m generator.configdocs` writes docs/config-reference.md from them.

List types are data: the package ships defaults (defaults/schema.yml, read with the same
declarations); a project may replace any enumeration, replace the list types, or add new ones with
`extra_list_types`. The dataclasses the program reads live in generator/siteconfig.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from generator.configoptions import (
    INVALID,
    Choice,
    Context,
    Flag,
    Integer,
    ListOf,
    MapOf,
    Option,
    Regex,
    Section,
    Spot,
    Text,
    pattern,
    report_repeated,
)
from generator.dates import normalize_date
from generator.fieldtypes import FIELD_TYPES
from generator.lawdb import ENTRY_KEYS, KINDS
from generator.problems import Problems, did_you_mean
from generator.regions.config import REGIONS
from generator.rules import RULES
from generator.safeurl import UNSAFE_HINT, safe_href, unsafe_message
from generator.siteconfig import (
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

__all__ = [
    "DEFAULT_CATCH_ALL_PATTERNS", "Department", "EnumValue", "FieldDef", "ListType", "Portal", "PublishSettings",
    "SiteConfig", "did_you_mean", "load_config", "ROOT",
]

DEFAULTS_FILE = Path(__file__).parent / "defaults" / "schema.yml"
DEFAULTS_NAME = "generator/defaults/schema.yml"
SYNONYMS_FILE = Path(__file__).parent / "defaults" / "search_synonyms.yml"
SAFE_ID = r"[a-z][a-z0-9_-]{0,31}"


# --- checks of single values -----------------------------------------------------------------------

def _no_markup(ctx: Context, text: str, spot: Spot, option: Option) -> Any:
    """Material's own templates print the site name and description unescaped."""
    if re.search(r'[<>"]', text):
        ctx.error(f"{option.what(spot)}“{text}”中不能有 < > \" 这几个字符", "config-value",
                  "它们在网页中有特殊含义；请改用中文符号，例如“＜＞”或中文引号“”", spot.container, spot.key)
        return INVALID
    return text


def _safe_url(ctx: Context, text: str, spot: Spot, option: Option) -> Any:
    if text and safe_href(text) is None:
        ctx.error(unsafe_message(option.what(spot), text), "config-value", UNSAFE_HINT, spot.container, spot.key)
        return INVALID
    return text


def _directory_url(ctx: Context, text: str, spot: Spot, option: Option) -> Any:
    return text if not text or text.endswith("/") else text + "/"


def _known_date(ctx: Context, text: str, spot: Spot, option: Option) -> Any:
    day = normalize_date(text) if text else None
    if text and day is None:
        ctx.error(f"{option.words}“{text}”无法识别", "config-value", "写成 2019-12-31 的格式", spot.container, spot.key)
        return INVALID
    return day or ""


def _phrase(ctx: Context, text: str, spot: Spot, option: Option) -> Any:
    if not text.strip() or not str(spot.key).strip():
        return _not_a_phrase(ctx, spot)
    return text


def _not_a_phrase(ctx: Context, spot: Spot) -> Any:
    ctx.error(f"traditional.phrases 中“{spot.key}”的繁体写法应是一个词", "config-value",
              "每行写“简体词: 繁體詞”，如 网签: 網簽", spot.container, spot.key)
    return INVALID


class _Phrase(Text):
    """A 繁體 word: text, never a list or a mapping."""

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        return value if isinstance(value, str) else _not_a_phrase(ctx, spot)


# --- the portal ------------------------------------------------------------------------------------

def _portal_text(key: str, words: str, doc: str, required: bool = False, checks: tuple = ()) -> Text:
    return Text(key, words, doc, required=required, checks=checks)


PORTAL = Section("portal", "网站信息", "网站的身份信息，按《政府网站发展指引》显示在每个页面的页脚。", [
    _portal_text("site_name", "网站名称", "网站的名称，显示在页首和浏览器标签上。", True, (_no_markup,)),
    _portal_text("region", "地区名称", "本级政府所辖地区，如“示例县”。", True),
    _portal_text("region_code", "行政区划代码", "GB/T 2260 的 6 位数字代码，请加引号，如 \"360799\"。", True, (
        pattern(r"\d{6}", "行政区划代码应为 6 位数字（GB/T 2260），而不是“{value}”", "例如 360799；请给它加引号，避免被当作数字"),
    )),
    _portal_text("base_url", "网站地址", "网站的正式网址，以 http:// 或 https:// 开头；可以带子路径。", True,
                 (_safe_url, _directory_url)),
    _portal_text("sponsor", "主办单位", "网站的主办单位。", True),
    _portal_text("organizer", "承办单位", "网站的承办单位。", True),
    _portal_text("site_id_code", "网站标识码", "政府网站标识码，请加引号。", True),
    _portal_text("icp", "ICP备案号", "ICP 备案号，显示在页脚。", True),
    _portal_text("police_record", "公安机关备案号", "公安机关备案号；页脚链接到备案查询页面。", True),
    _portal_text("contact_phone", "联系电话", "网站的联系电话。"),
    _portal_text("contact_email", "联系邮箱", "网站的联系邮箱。"),
    _portal_text("contact_address", "联系地址", "网站的联系地址。"),
    _portal_text("description", "网站简介", "一段简介，用于首页和搜索引擎。", checks=(_no_markup,)),
    _portal_text("error_report_url", "我为政府网站找错链接", "“我为政府网站找错”的网址。", checks=(_safe_url,)),
    _portal_text("badge_url", "党政机关网站标识链接", "党政机关网站标识的注册信息页面。", checks=(_safe_url,)),
    _portal_text("badge_image", "党政机关网站标识图片",
                 "标识图片在网站中的路径；把图片放在 content/ 下（如 content/assets/dzjg.png → assets/dzjg.png），不向外部请求。",
                 checks=(_safe_url,)),
], required=True, make=lambda values: Portal(**values))


# --- the departments -------------------------------------------------------------------------------

def _department(ctx: Context, values: dict[str, Any], raw: LocatedMap) -> dict[str, Any]:
    return {**values, "short_name": values["short_name"] or values["name"]}


def _unique_departments(ctx: Context, departments: list[Department], raw: LocatedList) -> list[Department]:
    report_repeated(ctx, raw, "code", "部门代码", "每个部门只登记一次；两个部门请用不同的代码")
    return [replace(d, order=index) for index, d in enumerate(departments)]


DEPARTMENT = Section("", "部门", "", [
    Text("code", "部门代码", "部门的代码，用在网址和文件名中（lists/<清单>/<部门代码>.yml）。", required=True, checks=(
        pattern(SAFE_ID, "部门代码“{value}”只能由小写字母、数字、- 和 _ 组成，且以字母开头", "部门代码会出现在网址和文件名中，例如 scjgj"),
    )),
    Text("name", "部门全称", "部门的全称。", required=True),
    Text("short_name", "部门简称", "部门的简称；不写时用全称。"),
    Text("phone", "电话", "部门的咨询电话。"),
    Text("address", "地址", "部门的办公地址。"),
], after=_department, make=lambda values: Department(**values))

DEPARTMENTS = ListOf("departments", "部门列表", "本级政府的部门，按政府公布的顺序排列；网站按这个顺序列出部门。"
                     "必填；只有门户项目（写了 regions:）可以不写。", DEPARTMENT, after=_unique_departments)


def _departments_unless_portal(ctx: Context, values: dict[str, Any], raw: LocatedMap) -> dict[str, Any]:
    """A county must list its departments; a portal (with `regions:`) may have none of its own."""
    if "departments" not in raw and not values["regions"]:
        spot = Spot(raw, "departments", "departments")
        ctx.error(DEPARTMENTS.missing_message(spot), "config-missing", DEPARTMENTS.missing_hint(), raw)
    return values


# --- a portal's common catalogue -------------------------------------------------------------------

CATALOGUE = Text("catalogue", "通用目录文件", "省级通用目录（YAML，由 qingdan import --catalogue 从表格生成）的文件名，"
                 "相对于本项目；各地区的事项与它对照。")


# --- enumerations ----------------------------------------------------------------------------------

class _EnumEntry(Option):
    """One value of an enumeration: its text, or {value, code, letter, aliases}."""

    type_words = "文字，或 {value: 取值, code: 代码, letter: 字母代码, aliases: [别名]}"
    container = True
    FULL = Section("", "枚举取值", "", [
        Text("value", "取值", "网站上显示的取值，如“行政许可”。", required=True),
        Text("code", "代码", "标准代码，如 GB/T 39046 的 01。"),
        Text("letter", "字母代码", "省级清单使用的字母代码，如 XK。"),
        ListOf("aliases", "别名", "同一取值的历史或地方名称（如 行政审批 → 行政许可），可以写一个或一个列表。",
               item=Text(words="别名"), one_ok=True),
    ], make=lambda v: EnumValue(v["value"], v["code"], v["letter"], tuple(v["aliases"])))

    def below(self) -> tuple[str, Option] | None:
        return "", self.FULL

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        if isinstance(value, LocatedMap):
            return self.FULL.convert(ctx, value, spot)
        if isinstance(value, (str, int)):
            return EnumValue(value=str(value))
        ctx.error("枚举的取值应为文字", "config-type", "写成“- 取值”或“- {value: 取值, code: 代码}”",
                  spot.container, spot.key)
        return INVALID


ENUMS = MapOf("enums", "枚举", "替换枚举的全部取值（职权类型、行使层级、时限单位……），其他枚举保持默认（generator/defaults/schema.yml）。",
              ListOf(words="枚举", item=_EnumEntry(words="枚举取值")))


# --- list types ------------------------------------------------------------------------------------

def _field_after(ctx: Context, values: dict[str, Any], raw: LocatedMap) -> dict[str, Any]:
    for key in ("enum", "ref"):
        if values["type"] == key and not values[key]:
            option = next(o for o in FIELD.options if o.key == key)
            ctx.error(option.missing_message(Spot(raw, key, key)), "config-missing", option.missing_hint(), raw)
    return values


def _make_field(values: dict[str, Any]) -> Any:
    if not values["name"] or not values["type"]:
        return INVALID
    return FieldDef(**{**values, "label": values["label"] or values["name"]})


FIELD = Section("", "字段定义", "", [
    Text("name", "字段名", "字段在清单文件中的名称（英文），如 name。", required=True),
    Text("label", "字段标签", "字段在网站上的中文名称。", required=True),
    Choice("type", "字段类型", "字段的类型（见 docs/data-schema.md）。", required=True,
           choices=lambda ctx: {name: t.words for name, t in FIELD_TYPES.items()}, message="未知的字段类型“{value}”"),
    Flag("required", "是否必填", "必填的字段空白时，网站显示“未公开”，并计入评估。"),
    Text("enum", "枚举名", "type: enum 时，取值所在的枚举。"),
    Flag("multi", "是否多值", "可以填写多个取值。"),
    Text("ref", "引用的清单", "type: ref 时，引用的清单标识。"),
    Text("description", "说明", "字段的说明。"),
    Flag("strict", "是否严格（拒绝枚举外的取值和空白的必填项）", "true 时，枚举外的取值或空白的必填项是错误，不予导入。"),
], after=_field_after, make=_make_field)


def _facts_list(ctx: Context, name: str) -> list[str]:
    return list(ctx.facts.get(name) or [])


def _list_type_after(ctx: Context, values: dict[str, Any], raw: LocatedMap) -> dict[str, Any]:
    """The fields every list carries, the eight disclosures' fields, and references checked at the end."""
    list_id = values["id"]
    ctx.facts.setdefault("list_id_at", []).append((list_id, ctx.where(raw, "id")))
    fields: list[FieldDef] = list(values["fields"])
    if values["disclosure_fields"]:
        fields += [f for f in ctx.facts["disclosure_fields"] if f.name not in {g.name for g in fields}]
    fields += [f for f in ctx.facts["common_fields"] if f.name not in {g.name for g in fields}]
    names = [f.name for f in fields]
    if "code" not in names or "name" not in names:
        ctx.error(f"清单类型“{list_id}”必须定义 code（编码）和 name（名称）两个字段", "config-missing",
                  container=raw, key="fields")
    dmap = dict(ctx.facts["default_map"])
    for key, path in values["disclosure_map"].items():
        if path.split(".")[0] not in names:
            ctx.error(f"公开要素“{key}”指向了不存在的字段“{path}”", "config-value",
                      container=raw["disclosure_map"], key=key)
        else:
            dmap[key] = path
    for entry in raw.get("fields") if isinstance(raw.get("fields"), LocatedList) else []:
        _check_reference_later(ctx, list_id, entry)
    return {**values, "fields": fields, "disclosure_map": dmap}


def _check_reference_later(ctx: Context, list_id: str, entry: Any) -> None:
    """A field's `enum:` or `ref:` names an enumeration or a list that may be declared further down."""
    if not isinstance(entry, LocatedMap):
        return
    for key, fact, noun in (("enum", "enums", "枚举"), ("ref", "list_ids", "清单")):
        target = entry.get(key)
        if entry.get("type") != key or not isinstance(target, str) or not target:
            continue

        def check(target: str = target, key: str = key, fact: str = fact, noun: str = noun) -> None:
            known = _facts_list(ctx, fact)
            if target not in known:
                ctx.error(f"清单“{list_id}”的字段“{entry.get('name')}”引用了未定义的{noun}“{target}”", "config-value",
                          did_you_mean(target, known, what=noun), entry, key)

        ctx.later(check)


def _make_list_type(values: dict[str, Any]) -> ListType:
    del values["disclosure_fields"]
    return ListType(**values)


LIST_TYPE = Section("", "清单类型", "", [
    Text("id", "清单标识", "清单的标识（英文），用在网址和目录名中（lists/<清单标识>/）。", required=True, checks=(
        pattern(SAFE_ID, "清单标识“{value}”只能由小写字母、数字、- 和 _ 组成"),
    )),
    Text("title", "清单名称", "清单的名称，如“证明事项清单”。", required=True),
    Text("item_label", "事项称谓", "清单中一项的称呼，如“证明事项”。", default="事项"),
    Text("description", "清单说明", "清单页面上的说明。"),
    ListOf("fields", "字段", "清单的字段；八公开字段和通用字段自动加在后面（见 disclosure_fields）。", FIELD),
    MapOf("disclosure_map", "公开要素与字段的对应", "八公开要素各由哪个字段回答（如 fee_standard: fee.standard）。",
          Text(words="公开要素“{}”对应的字段"), keys=lambda ctx: _facts_list(ctx, "default_map"),
          key_message="未知的公开要素“{key}”", key_noun="公开要素"),
    Text("type_field", "类型字段", "按哪个字段给事项分类（如权力清单的 type）。"),
    Flag("disclosure_fields", "是否加入八公开字段", "false 时不加入八公开字段（办理主体、依据……）。", default=True),
    MapOf("import_synonyms", "导入表头同义词", "qingdan import 另外认得的表头：{字段: [表头, …]}。",
          ListOf(words="字段“{}”的同义词", one_ok=True)),
    ListOf("disclosures", "适用的公开要素", "适用于本清单的公开要素（默认全部）；不适用的不显示“未公开”，也不计入评估。",
           Choice(words="公开要素", choices=lambda ctx: {k: "" for k in _facts_list(ctx, "default_map")},
                  message="未知的公开要素“{value}”", kind="八公开要素的标识（subject、basis、conditions……）")),
    Flag("strict", "是否严格（拒绝必填项空白的事项）", "true 时，必填项空白的事项不予导入（默认照样导入，显示“未公开”）。"),
], after=_list_type_after, make=_make_list_type)

LIST_TYPES = ListOf("list_types", "清单类型", "替换全部清单类型（默认为六个清单，见 generator/defaults/schema.yml）。",
                    LIST_TYPE, default=None, fact="list_types")
EXTRA_LIST_TYPES = ListOf("extra_list_types", "增加的清单类型", "在默认清单之外增加的清单，如证明事项清单。",
                          LIST_TYPE, fact="extra_list_types")


def _list_ids(ctx: Context) -> list[str]:
    base = ctx.facts.get("list_types")
    types = (ctx.facts["default_list_types"] if base is None else base) + (ctx.facts.get("extra_list_types") or [])
    return [t.id for t in types]


IMPORT_SYNONYMS = MapOf(
    "import_synonyms", "导入表头同义词", "qingdan import 另外认得的表头，按清单和字段：{清单标识: {字段: [表头, …]}}。",
    MapOf(words="清单“{}”的导入表头同义词", value=ListOf(words="字段“{}”的同义词", one_ok=True)),
    keys=_list_ids, key_message="{path} 中的清单“{key}”没有定义", key_noun="清单")


# --- rules, editions, history, publishing, search, the 繁體 view, downloads ----------------------------

REPEALED_LAW = Section("", "已废止的法律法规", "", [
    Text("title", "名称", "法律法规的名称（《》可省略）。", required=True),
    Text("level", "效力级别", "如 法律、行政法规、地方性法规。"),
    Text("date", "废止日期", "停止施行的日期，写成 \"YYYY-MM-DD\"（加引号）。", required=True, checks=(
        pattern(r"\d{4}-\d{2}-\d{2}", "废止日期应写成 YYYY-MM-DD，而不是“{value}”", "例如 date: \"2009-06-01\"（加引号）"),
    )),
    Text("by", "废止它的法律或决定", "废止（或更名）它的法律或决定。", required=True),
    Text("replaced_by", "取代它的法律法规", "应当改为引用的法律法规。"),
    Choice("kind", "废止或更名", "废止、更名或失效。", choices={k: "" for k in KINDS}, default="废止"),
    Flag("verify", "是否有待核实", "true：日期或废止它的决定尚未从原始来源核实，提示读者核对。"),
    Flag("exact", "是否按全名匹配", "true：括号中的部分也要一致（《企业破产法（试行）》不是《企业破产法》）。"),
    Text("checked", "核实的出处", "在哪里核实了废止、日期和废止它的决定。"),
], after=lambda ctx, values, raw: {k: raw[k] for k in ENTRY_KEYS if k in raw} if values["title"] and values["date"]
   else INVALID)

RULES_SECTION = Section("rules", "校验规则", "qingdan check、diff 和 assess 的规则设置。", [
    ListOf("catch_all_patterns", "兜底条款规则", "替换默认的兜底条款规则（正则表达式，generator/defaults/catch_all_patterns.yml）。",
           Regex(words="兜底条款规则"), default=None),
    ListOf("extra_catch_all_patterns", "补充的兜底条款规则", "在默认规则之外补充的兜底条款规则（正则表达式）。",
           Regex(words="兜底条款规则")),
    MapOf("levels", "规则级别", "每条规则的级别：{规则标识: error | warning | notice | off}；off 关闭这条规则。",
          Choice(words="规则“{}”的级别", choices={"error": "错误", "warning": "警告", "notice": "提示", "off": "关闭"},
                 false_means="off"),
          keys=lambda ctx: list(RULES), key_message="{path} 中的“{key}”不是规则的标识", key_noun="规则"),
    ListOf("repealed_laws", "已废止的法律法规", "补充本地已废止或更名的法律法规（国家的见 generator/defaults/repealed_laws.yml）。",
           REPEALED_LAW),
    Integer("review_after_years", "复核周期", "多少年未调整的清单提示复核。", minimum=1, unit="年", default=3),
    ListOf("overlap_lists", "检查职责交叉的清单", "检查部门之间职责交叉的清单。",
           Choice(words="清单", choices=lambda ctx: {i: "" for i in _list_ids(ctx)},
                  message="overlap_lists 中的清单“{value}”没有定义", kind="清单标识"), default=lambda: ["power"]),
])

DECLARED_EDITION = Section("", "版本", "", [
    Text("name", "版本名称", "版本的名称，如“2019版”。", required=True),
    Text("date", "版本日期", "这一天施行的清单：记录日期（生效日期，没有时为发布日期，再没有时为提交日期）"
         "在这一天及以前的最后一次调整之后的清单，写成 2019-12-31。", required=True, checks=(_known_date,)),
], make=lambda values: (values["name"], values["date"]) if values["name"] and values["date"] else INVALID)

EDITIONS = Section("editions", "版本", "网站上的历史版本（某一时点的清单）。", [
    Regex("tag_pattern", "版本标签规则", "哪些 git 标签是公布的版本（正则表达式）。", default=SiteConfig.edition_tag_pattern),
    ListOf("declared", "声明的版本", "按日期声明的版本，不需要 git 标签：[{name: 2019版, date: 2019-12-31}]。",
           DECLARED_EDITION),
])

HISTORY = Section("history", "调整记录", "调整记录的设置。", [
    Text("baseline", "首次公布的提交或标签", "首次公布清单的提交或标签；此前的提交不列为调整。"),
])

PUBLISH = Section("publish", "发布", "qingdan publish 的设置；对象存储的密钥不写在这里，来自环境变量（见 docs/publishing.md）。", [
    Integer("keep_releases", "保留的发布次数", "目标上保留最近几次发布，可回退。", minimum=1, default=5,
            example="5（目标上保留最近 5 次发布，可回退）"),
    Text("s3_endpoint", "对象存储地址", "S3 兼容对象存储的地址。"),
    Text("s3_region", "对象存储区域", "对象存储的区域。"),
    Choice("s3_addressing_style", "对象存储寻址方式", "桶名写在路径中（path）还是域名中（virtual）。",
           choices={"auto": "自动", "path": "路径", "virtual": "域名"}, default="auto"),
], make=lambda values: PublishSettings(**values))

SEARCH = Section("search", "搜索", "站内搜索的设置。", [
    MapOf("synonyms", "俗称", "俗称对应的名称中的词：{俗称: [名称中的词]}，加在 generator/defaults/search_synonyms.yml 之上。",
          ListOf(words="俗称“{}”对应的词", one_ok=True)),
])


def _traditional() -> Any:
    from generator import traditional  # the 繁體 view, and the OpenCC standards it knows

    return traditional


TRADITIONAL = Section("traditional", "繁体中文页面", "繁体中文参考页（网址前加 zh-Hant/），由简体页面自动转换；不生成时写 traditional: false。", [
    Choice("variant", "繁体字标准", "用字标准。", default=lambda: _traditional().DEFAULT_VARIANT,
           choices=lambda ctx: {k: v.label for k, v in _traditional().VARIANTS.items()},
           more_hint="不生成繁体页面时写 traditional: false"),
    MapOf("phrases", "繁体用词", "本站补充的转换用词：{简体词: 繁體詞}。", _Phrase(words="繁体写法", checks=(_phrase,))),
], when_false={"variant": "", "phrases": {}})

DOWNLOADS = Section("downloads", "下载文件", "网站上的下载文件。", [
    Flag("csv", "是否按清单提供 CSV 下载", "数据开放页和各清单页除 Excel 和 JSON 外，还提供 CSV（文件约为 Excel 的十倍）。"),
])

ROOT = Section("", "site_config.yml 的顶层", "", [
    PORTAL, DEPARTMENTS, ENUMS, LIST_TYPES, EXTRA_LIST_TYPES, IMPORT_SYNONYMS, RULES_SECTION, EDITIONS, HISTORY,
    PUBLISH, SEARCH,
    Flag("quality_page", "是否公开“公开质量”页面", "公开“公开质量”页面（各部门清单的评估结果）。"),
    TRADITIONAL, DOWNLOADS, REGIONS, CATALOGUE,
], scope="site_config.yml", after=_departments_unless_portal)


# --- reading ---------------------------------------------------------------------------------------

DISCLOSURE_FIELDS = ListOf("disclosure_fields", "八公开字段", item=FIELD)
COMMON_FIELDS = ListOf("common_fields", "通用字段", item=FIELD)


def _read_defaults(problems: Problems) -> Context | None:
    """The package's enumerations, disclosures and list types (defaults/schema.yml), read with the
    same declarations as a project's."""
    raw = load_yaml_file(DEFAULTS_FILE, DEFAULTS_NAME, problems)
    if raw is None:
        return None
    ctx = Context(DEFAULTS_NAME, problems)
    top = Spot(raw, "", "")

    def read(option: Option) -> Any:
        return option.read(ctx, option.key in raw, raw.get(option.key), top.child(raw, option.key))

    ctx.facts["disclosures"] = [(str(d["key"]), str(d["label"])) for d in raw["disclosures"]]
    ctx.facts["default_map"] = {str(k): str(v) for k, v in raw["default_disclosure_map"].items()}
    ctx.facts["disclosure_fields"] = [replace(f, disclosure=True) for f in read(DISCLOSURE_FIELDS)]
    ctx.facts["common_fields"] = read(COMMON_FIELDS)
    ctx.facts["default_enums"] = read(ENUMS)
    ctx.facts["default_list_types"] = read(LIST_TYPES)
    del ctx.facts["list_types"]
    return ctx


def _check_list_types(ctx: Context, list_types: list[ListType], enums: dict[str, list[EnumValue]]) -> None:
    """What needs the whole file: list ids defined once, and every `enum:`/`ref:` naming one that exists."""
    ctx.facts["enums"] = list(enums)
    ctx.facts["list_ids"] = ids = [t.id for t in list_types]
    at = ctx.facts.get("list_id_at", [])
    for list_id in sorted({i for i in ids if ids.count(i) > 1}):
        ctx.error(f"清单标识“{list_id}”重复定义", "config-duplicate",
                  "每个清单标识只能定义一次；extra_list_types 只用于增加新的清单，要改写默认清单请用 list_types 列出全部清单",
                  where=[where for i, where in at if i == list_id][-1])
    ctx.run_later()


def _site_config(root: Path, ctx: Context, values: dict[str, Any], problems: Problems) -> SiteConfig:
    facts = ctx.facts
    enums = {**facts["default_enums"], **values["enums"]}
    list_types = (facts["default_list_types"] if values["list_types"] is None else values["list_types"])
    list_types = list_types + values["extra_list_types"]
    for list_id, by_field in values["import_synonyms"].items():
        for list_type in (t for t in list_types if t.id == list_id):
            for name, words in by_field.items():
                list_type.import_synonyms.setdefault(name, []).extend(words)
    _check_list_types(ctx, list_types, enums)
    rules = values["rules"]
    patterns = rules["catch_all_patterns"]
    patterns = list(DEFAULT_CATCH_ALL_PATTERNS if patterns is None else patterns) + rules["extra_catch_all_patterns"]
    defaults = load_yaml_file(SYNONYMS_FILE, "generator/defaults/search_synonyms.yml", problems) or {}
    synonyms = {str(k): [str(w) for w in v or []] for k, v in defaults.items()}
    for term, words in values["search"]["synonyms"].items():
        synonyms.setdefault(term, []).extend(words)
    return SiteConfig(
        root=root, portal=values["portal"], departments=values["departments"], enums=enums, list_types=list_types,
        disclosures=facts["disclosures"], catch_all_patterns=patterns,
        edition_tag_pattern=values["editions"]["tag_pattern"], declared_editions=values["editions"]["declared"],
        history_baseline=values["history"]["baseline"], publish=values["publish"],
        rule_levels=rules["levels"], repealed_laws=rules["repealed_laws"],
        review_after_years=rules["review_after_years"], overlap_lists=rules["overlap_lists"],
        quality_page=values["quality_page"], search_synonyms=synonyms,
        traditional_variant=values["traditional"]["variant"], traditional_phrases=values["traditional"]["phrases"],
        download_csv=values["downloads"]["csv"], regions=values["regions"], catalogue=values["catalogue"],
    )


def load_config(root: Path, problems: Problems, config_name: str = "site_config.yml") -> SiteConfig | None:
    """Load the project's site_config.yml over the package defaults; None when it has errors."""
    before = len(problems.errors)
    defaults = _read_defaults(problems)
    path = root / config_name
    if not path.exists():
        problems.error(f"找不到配置文件 {config_name}", file=config_name, rule="config-missing",
                       hint="在项目根目录运行 qingdan，或用 --project 指定项目目录")
        return None
    raw = load_yaml_file(path, config_name, problems)
    if raw is None or defaults is None:
        return None
    ctx = Context(config_name, problems, facts={**defaults.facts, "project_root": root})
    values = ROOT.read(ctx, True, raw, Spot(None, "", "", "entry"))
    if not isinstance(raw, LocatedMap):
        return None
    config = _site_config(root, ctx, values, problems)
    return None if len(problems.errors) > before else config
