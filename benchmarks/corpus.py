"""A synthetic, deterministic Qingdan project for benchmarks and smoke tests.

`generate(out_dir, items=N, departments=M, commits=K, seed=S)` writes a complete project —
site_config.yml in the demo's style and lists/<list>/<dept>.yml — that `qingdan check` accepts
(no errors, no warnings, all eight disclosures filled, every reference resolves). With K > 1 it
also writes a git repository of K commits: the first imports the lists, each later one is a
realistic adjustment of a few items (新增, 取消, 变更, 更名, 划转), a few rename files (.yaml →
.yml, and the 2019 reorganisation that renamed departments), and most carry the trailers
`调整依据:` and `生效日期:`. The history is written with one `git fast-import` process.

Same arguments, same bytes: every choice comes from one seeded random generator and commit dates
are computed, so the final commit id is reproducible too.

    python -m benchmarks.corpus OUT --items 10000 --departments 30 --commits 1000 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from benchmarks import vocab

GENERATOR_VERSION = 2
REGION = "示例县"
REGION_CODE = "360799"
LIST_ORDER = ("power", "responsibility", "fee", "prerequisite", "intermediary", "convenience", "certificate")
TYPE_CODES = {
    "行政许可": "01", "行政处罚": "02", "行政强制": "03", "行政征收": "04", "行政给付": "05", "行政检查": "06",
    "行政确认": "07", "行政奖励": "08", "行政裁决": "09", "其他行政权力": "10", "公共服务事项": "20",
}
# Shares of the items that are neither powers nor responsibilities.
OTHER_SHARES = (("fee", 15), ("prerequisite", 20), ("intermediary", 15), ("convenience", 38), ("certificate", 12))
POWER_SHARE = 0.42  # and as many responsibilities: one per power
TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2016, 1, 4, 9, 0, tzinfo=TZ)
COMMITTER = "示例县委编办 <bianban@example.gov.cn>"
STAMP = ".qingdan-bench-corpus.json"


@dataclass
class Dept:
    code: str
    name: str
    short: str
    index: int  # three digits in item codes
    objects: tuple[str, ...]
    laws: tuple[str, ...]
    offices: tuple[str, ...]
    weight: float
    phone: str
    address: str
    successor: str = ""  # code of the department that replaces it in the reorganisation


@dataclass
class Rec:
    list_id: str
    dept: str
    code: str
    data: dict[str, Any]
    kind: str = ""  # the power type or the object the item is about (drives later changes)
    obj: str = ""


@dataclass
class Stats:
    items: int = 0
    commits: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    head: str = ""


# ---------------------------------------------------------------------------------------------
# YAML text, written by hand like a person would (flow style for small mappings and short lists)


_ASCII = re.compile(r"^[\x00-\x7f]*$")
_SPECIAL_START = set("-?:,[]{}#&*!|>'\"%@` ")


def scalar(value: Any, flow: bool = False) -> str:
    """One YAML scalar: plain when unambiguous, otherwise a double-quoted (JSON) string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _text_scalar(str(value), flow)


@lru_cache(maxsize=1 << 16)
def _text_scalar(text: str, flow: bool) -> str:
    if (
        not text
        or _ASCII.match(text)
        or text[0] in _SPECIAL_START
        or text[-1] == " "
        or ": " in text
        or " #" in text
        or "\n" in text
        or (flow and any(c in text for c in ",[]{}:"))
    ):
        return json.dumps(text, ensure_ascii=False)
    return text


def _flow_list(values: list[Any]) -> str:
    return "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"


def _flow_map(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in mapping.items()) + "}"


def render_item(data: dict[str, Any]) -> str:
    """One item as it appears under `items:` (two-space list indent, like the demo files)."""
    lines = []
    first = True
    for key, value in data.items():
        lead = "  - " if first else "    "
        first = False
        if key == "basis":
            lines.append(f"{lead}basis:")
            for entry in value:
                keys = list(entry)
                lines.append(f"      - {keys[0]}: {scalar(entry[keys[0]])}")
                lines.extend(f"        {k}: {scalar(entry[k])}" for k in keys[1:])
        elif isinstance(value, dict):
            lines.append(f"{lead}{key}: {_flow_map(value)}")
        elif isinstance(value, list):
            if sum(len(str(v)) for v in value) <= 40:
                lines.append(f"{lead}{key}: {_flow_list(value)}")
            else:
                lines.append(f"{lead}{key}:")
                lines.extend(f"      - {scalar(v)}" for v in value)
        else:
            lines.append(f"{lead}{key}: {scalar(value)}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# The corpus: departments, items and the files they live in


class Corpus:
    """The state of the lists at one point in history, plus the random generator that changes it."""

    def __init__(self, items: int, departments: int, seed: int, with_successors: bool,
                 region: str = REGION, region_code: str = REGION_CODE) -> None:
        if items < 20:
            raise ValueError("a corpus needs at least 20 items")
        self.region, self.region_code = region, region_code
        self.rng = random.Random(seed)
        self.departments = _make_departments(departments, self.rng, with_successors, region)
        self.dept_by_code = {d.code: d for d in self.departments}
        self.active = [d for d in self.departments if d.weight > 0]
        self.recs: dict[str, dict[str, Rec]] = {lid: {} for lid in LIST_ORDER}
        self.files: dict[tuple[str, str], dict[str, None]] = {}
        self.ext: dict[tuple[str, str], str] = {}
        self.text: dict[tuple[str, str], str] = {}
        self.counters: dict[str, int] = {}
        self.refs: dict[str, set[tuple[str, str]]] = {}  # power code → items that reference it
        self.dirty: set[tuple[str, str]] = set()
        self._populate(items)

    # -- item bookkeeping -------------------------------------------------------------------

    def _next(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def add(self, rec: Rec) -> None:
        self.recs[rec.list_id][rec.code] = rec
        self.files.setdefault((rec.list_id, rec.dept), {})[rec.code] = None
        self.text[(rec.list_id, rec.code)] = render_item(rec.data)
        self.dirty.add((rec.list_id, rec.dept))
        for target in self._targets(rec):
            self.refs.setdefault(target, set()).add((rec.list_id, rec.code))

    def remove(self, rec: Rec) -> None:
        del self.recs[rec.list_id][rec.code]
        del self.files[(rec.list_id, rec.dept)][rec.code]
        del self.text[(rec.list_id, rec.code)]
        self.dirty.add((rec.list_id, rec.dept))
        for target in self._targets(rec):
            self.refs.get(target, set()).discard((rec.list_id, rec.code))

    def changed(self, rec: Rec) -> None:
        self.text[(rec.list_id, rec.code)] = render_item(rec.data)
        self.dirty.add((rec.list_id, rec.dept))

    def move(self, rec: Rec, dept: Dept) -> None:
        self.remove(rec)
        rec.dept = dept.code
        if "subject" in rec.data:
            rec.data["subject"] = dept.name
        if "office" in rec.data:
            rec.data["office"] = self.rng.choice(dept.offices)
        if "collector" in rec.data:
            rec.data["collector"] = dept.name
        self.add(rec)

    @staticmethod
    def _targets(rec: Rec) -> list[str]:
        field_name = {"responsibility": "power", "fee": "item", "prerequisite": "approval",
                      "intermediary": "approval"}.get(rec.list_id)
        target = rec.data.get(field_name) if field_name else None
        return [target] if target else []

    def path(self, list_id: str, dept: str) -> str:
        return f"lists/{list_id}/{dept}{self.ext.get((list_id, dept), '.yml')}"

    def file_bytes(self, list_id: str, dept: str) -> bytes | None:
        codes = self.files.get((list_id, dept))
        if not codes:
            return None
        body = "".join(self.text[(list_id, c)] for c in codes)
        return f"department: {dept}\nitems:\n{body}".encode()

    def all_files(self) -> dict[str, bytes]:
        out = {}
        for (list_id, dept) in sorted(self.files):
            data = self.file_bytes(list_id, dept)
            if data is not None:
                out[self.path(list_id, dept)] = data
        return out

    def count(self) -> int:
        return sum(len(v) for v in self.recs.values())

    def dept_recs(self, dept: str, list_id: str) -> list[Rec]:
        return [self.recs[list_id][c] for c in self.files.get((list_id, dept), {})]

    # -- generating items ---------------------------------------------------------------------

    def _pick_dept(self) -> Dept:
        return self.rng.choices(self.active, weights=[d.weight for d in self.active])[0]

    def _populate(self, n: int) -> None:
        powers = max(4, round(n * POWER_SHARE))
        for _ in range(powers):
            self.add_power(self._pick_dept())
        rest = n - self.count()
        kinds = [k for k, _ in OTHER_SHARES]
        weights = [w for _, w in OTHER_SHARES]
        for _ in range(max(0, rest)):
            kind = self.rng.choices(kinds, weights=weights)[0]
            getattr(self, f"add_{kind}")(self._pick_dept())
        for key in list(self.files):
            if self.rng.random() < 0.08:
                self.ext[key] = ".yaml"  # some departments sent .yaml files; normalised later

    def _basis(self, dept: Dept, n: int) -> list[dict[str, str]]:
        laws = self.rng.sample(dept.laws, min(n, len(dept.laws)))
        out = []
        for law in laws:
            article = f"第{vocab.cn_number(self.rng.randint(2, 120))}条"
            if self.rng.random() < 0.3:
                article += f"第{vocab.cn_number(self.rng.randint(1, 4))}款"
            out.append({"law": law, "article": article})
        return out

    def _time_limit(self, statutory: int, unit: str, instant_ok: bool) -> dict[str, Any]:
        if instant_ok and self.rng.random() < 0.25:
            promised = 0
        else:
            promised = max(1, round(statutory * self.rng.choice((0.25, 0.3, 0.5, 0.6, 1.0))))
        return {"statutory": statutory, "promised": promised, "unit": unit}

    def _power_name(self, dept: Dept, ptype: str, obj: str) -> str:
        rng = self.rng
        if ptype == "行政处罚":
            return "对" + rng.choice(vocab.PUNISHMENT_ACTS).format(o=obj) + "的处罚"
        forms = {
            "行政许可": vocab.PERMIT_FORMS, "行政强制": vocab.COERCION_FORMS, "行政检查": vocab.INSPECTION_FORMS,
            "行政确认": vocab.CONFIRMATION_FORMS, "其他行政权力": vocab.OTHER_FORMS, "行政征收": vocab.LEVY_FORMS,
            "行政给付": vocab.BENEFIT_FORMS, "行政奖励": vocab.REWARD_FORMS, "行政裁决": vocab.RULING_FORMS,
        }[ptype]
        name = rng.choice(forms).format(o=obj)
        if ptype == "行政许可" and rng.random() < 0.35:
            name += f"（{rng.choice(vocab.SUB_ITEMS)}）"
        return name

    def add_power(self, dept: Dept, ptype: str | None = None) -> Rec:
        rng = self.rng
        if ptype is None:
            ptype = rng.choices([t for t, _ in vocab.POWER_TYPE_WEIGHTS],
                                weights=[w for _, w in vocab.POWER_TYPE_WEIGHTS])[0]
        obj = rng.choice(dept.objects)
        tcode = TYPE_CODES[ptype]
        code = f"{self.region_code}{dept.index:03d}{tcode}{self._next(f'p{dept.code}{tcode}'):05d}"
        statutory, unit = vocab.TIME_LIMITS[ptype]
        name = self._power_name(dept, ptype, obj)
        if ptype == "行政处罚":
            act = name[1:-3]
            conditions = vocab.PUNISHMENT_CONDITIONS[0].format(act=act) + "；" + vocab.PUNISHMENT_CONDITIONS[1] + "。"
        elif ptype == "行政许可":
            clauses = rng.sample(vocab.PERMIT_CONDITIONS, rng.randint(2, 4))
            conditions = "；".join(c.format(o=obj) for c in clauses) + "。"
        else:
            conditions = rng.choice(vocab.GENERIC_CONDITIONS).format(o=obj) + "。"
        time_limit = self._time_limit(statutory, unit, ptype in ("行政许可", "行政确认", "其他行政权力"))
        fee = {"basis": "无", "standard": "不收费"}
        if ptype in ("行政许可", "行政确认") and rng.random() < 0.08:
            _, basis, standard, _, _ = rng.choice(vocab.FEES)
            fee = {"basis": basis, "standard": standard}
        data: dict[str, Any] = {
            "code": code, "name": name, "type": ptype, "subject": dept.name, "office": rng.choice(dept.offices),
            "level": rng.choices(("县", "分级管理", "乡镇(街道)"), weights=(85, 10, 5))[0],
            "subject_nature": "法定机关",
            "basis": self._basis(dept, rng.randint(1, 3)),
            "conditions": conditions,
            "procedure": list(vocab.PROCEDURES[ptype]),
            "time_limit": time_limit,
            "result": rng.choice(vocab.RESULTS[ptype]).format(o=obj),
            "fee": fee,
            "handling": "即办件" if time_limit["promised"] == 0 else "承诺件",
            "channels": sorted(rng.sample(("马上办", "网上办", "就近办", "一次办"), rng.randint(1, 3)),
                               key=("马上办", "网上办", "就近办", "一次办").index),
            "service_object": rng.choice((["自然人"], ["企业法人"], ["自然人", "企业法人"],
                                          ["自然人", "企业法人", "社会组织法人"])),
            "handling_form": rng.choice((["窗口"], ["窗口", "电脑端"], ["窗口", "电脑端", "移动端"])),
            "in_service_center": rng.random() < 0.6,
            "online": rng.random() < 0.7,
            "consult_phone": dept.phone,
            "supervision_phone": "0797-12345",
        }
        if rng.random() < 0.15:
            data["note"] = rng.choice((
                "本事项已纳入“一网通办”，可在省政务服务网申请。", "本事项实行告知承诺制。",
                "根据“证照分离”改革要求，本事项实行审批改为备案。", "本事项由县行政审批局集中受理。",
            ))
        rec = Rec("power", dept.code, code, data, kind=ptype, obj=obj)
        self.add(rec)
        self.add_responsibility(dept, rec)
        return rec

    def add_responsibility(self, dept: Dept, power: Rec) -> Rec:
        rng = self.rng
        ptype = power.kind
        fill = {"o": power.obj, "result": power.data["result"]}
        duties = [d.format(**fill) for d in vocab.DUTIES.get(ptype, vocab.DUTIES["default"])]
        accountability = rng.sample(vocab.ACCOUNTABILITY, rng.randint(3, 6))
        accountability.sort(key=vocab.ACCOUNTABILITY.index)
        accountability = [a.format(**fill) for a in accountability]
        general = "《中华人民共和国行政处罚法》" if ptype == "行政处罚" else "《中华人民共和国行政许可法》"
        data = {
            "code": f"ZR{power.code}",
            "name": f"{power.data['name']}的责任事项",
            "power": power.code,
            "duties": duties,
            "accountability": accountability,
            "supervision_phone": "0797-12345",
            "subject": dept.name,
            "basis": [{"law": general, "article": f"第{vocab.cn_number(rng.randint(60, 80))}条"}]
            + self._basis(dept, 1),
            "conditions": f"见对应权力事项“{power.data['name']}”的办理条件",
            "procedure": list(power.data["procedure"]),
            "time_limit": dict(power.data["time_limit"]),
            "result": "依法履行各环节责任，违反规定的依法追究责任",
            "fee": {"basis": "无", "standard": "不收费"},
        }
        rec = Rec("responsibility", dept.code, data["code"], data, kind=ptype, obj=power.obj)
        self.add(rec)
        return rec

    def _some_power(self, dept: Dept, ptype: str | None = None) -> Rec | None:
        own = [r for r in self.dept_recs(dept.code, "power") if ptype is None or r.kind == ptype]
        if own:
            return self.rng.choice(own)
        pool = [r for r in self.recs["power"].values() if ptype is None or r.kind == ptype]
        if not pool and ptype is not None:
            return self._some_power(dept)
        return self.rng.choice(pool) if pool else None

    def add_fee(self, dept: Dept) -> Rec:
        rng = self.rng
        obj = rng.choice(dept.objects)
        if rng.random() < 0.5:
            name, basis, standard, fund, enterprise = rng.choice(vocab.FEES)
        else:
            name = obj + rng.choice(("检验费", "登记费", "证书工本费", "考试费", "鉴定费"))
            basis = f"省物价局、财政厅关于{obj}收费标准的通知（赣价费字〔{rng.randint(2010, 2015)}〕{rng.randint(10, 120)}号）"
            standard = f"每件{rng.choice((10, 20, 30, 50, 80, 120))}元"
            fund, enterprise = rng.choice(("缴入国库", "缴入财政专户")), rng.random() < 0.5
        code = f"SF{dept.index:03d}{self._next('fee' + dept.code):05d}"
        data: dict[str, Any] = {"code": code, "name": name}
        power = self._some_power(dept, "行政许可") if rng.random() < 0.5 else None
        if power is not None:
            data["item"] = power.code
        data.update({
            "collector": dept.name, "fund_management": fund, "enterprise": enterprise,
            "subject": dept.name,
            "basis": [{"law": basis}],
            "conditions": f"属于{name}征收范围的缴费义务人，按规定标准缴纳",
            "procedure": ["核定", "开具缴款通知", "缴款", "开具财政票据"],
            "time_limit": {"statutory": 5, "promised": 1, "unit": "工作日"},
            "result": "财政票据",
            "fee": {"basis": basis, "standard": standard},
        })
        if enterprise and rng.random() < 0.4:
            data["reduction"] = "对符合条件的小微企业免征；对因自然灾害等原因缴费确有困难的，依申请减半征收。"
        rec = Rec("fee", dept.code, code, data, obj=obj)
        self.add(rec)
        return rec

    def add_prerequisite(self, dept: Dept) -> Rec | None:
        rng = self.rng
        power = self._some_power(dept, "行政许可")
        if power is None:
            return None
        other = rng.choice(self.active)
        name = rng.choice(vocab.PREREQUISITES) if rng.random() < 0.6 else rng.choice(other.objects) + "审批"
        code = f"QZSP{dept.index:03d}{self._next('pre' + dept.code):05d}"
        statutory = rng.choice((10, 15, 20, 30))
        data = {
            "code": code, "name": name, "approval": power.code, "issuer": other.name,
            "subject": other.name,
            "basis": self._basis(other, 1),
            "conditions": f"办理“{power.data['name']}”前，申请人须先取得{name}的批准文件",
            "procedure": ["申请", "受理", "审查", "决定", "送达"],
            "time_limit": self._time_limit(statutory, "工作日", False),
            "result": f"{name}批准文件",
            "fee": {"basis": "无", "standard": "不收费"},
        }
        rec = Rec("prerequisite", dept.code, code, data)
        self.add(rec)
        return rec

    def add_intermediary(self, dept: Dept) -> Rec | None:
        rng = self.rng
        power = self._some_power(dept, "行政许可")
        if power is None:
            return None
        name, provider = rng.choice(vocab.INTERMEDIARIES)
        code = f"ZJFW{dept.index:03d}{self._next('mid' + dept.code):05d}"
        data = {
            "code": code, "name": name, "approval": power.code, "provider": provider,
            "provider_conditions": f"{provider}，在本省中介服务网上交易平台登记，具备与服务内容相适应的专业技术人员和设备。",
            "subject": provider,
            "basis": self._basis(dept, 1),
            "conditions": f"申请“{power.data['name']}”时需要提交{name}成果的，由申请人自主选择中介机构",
            "procedure": ["委托", "签订服务合同", "开展技术服务", "出具成果", "归档"],
            "time_limit": {"statutory": 30, "promised": 20, "unit": "工作日"},
            "result": f"{name}成果文件",
            "fee": {"basis": "实行市场调节价", "standard": "由委托双方协商确定"},
        }
        rec = Rec("intermediary", dept.code, code, data)
        self.add(rec)
        return rec

    def add_convenience(self, dept: Dept) -> Rec:
        rng = self.rng
        name, materials = rng.choice(vocab.CONVENIENCE)
        code = f"{self.region_code}{dept.index:03d}20{self._next('conv' + dept.code):05d}"
        promised = rng.choice((0, 0, 1, 3, 5))
        data = {
            "code": code, "name": name, "type": "公共服务事项",
            "service_object": ["自然人"],
            "location": f"{self.region}政务服务中心{rng.choice(('一', '二', '三'))}楼{rng.randint(1, 40)}号窗口",
            "hours": "工作日 上午8:30—12:00，下午14:30—17:30",
            "phone": dept.phone,
            "materials": list(materials),
            "handling": "即办件" if promised == 0 else "承诺件",
            "channels": ["就近办", "一次办"],
            "subject": dept.name,
            "basis": self._basis(dept, 1),
            "conditions": f"符合{name}有关规定的申请人，携带所需材料到窗口或者通过网上办事大厅申请",
            "procedure": ["申请", "受理", "审核", "办结"],
            "time_limit": {"statutory": max(promised, 5), "promised": promised, "unit": "工作日"},
            "result": f"{name}办结",
            "fee": {"basis": "无", "standard": "不收费"},
        }
        rec = Rec("convenience", dept.code, code, data)
        self.add(rec)
        return rec

    def add_certificate(self, dept: Dept) -> Rec:
        rng = self.rng
        name, purpose = rng.choice(vocab.CERTIFICATES)
        code = f"ZM{dept.index:03d}{self._next('cert' + dept.code):05d}"
        keep = rng.random() < 0.7
        data = {
            "code": code, "name": name, "purpose": purpose, "requester": dept.name,
            "issuer": rng.choice(("户籍所在地派出所", "村（居）民委员会", "县人民医院", "乡镇人民政府")),
            "level": "县", "status": "保留" if keep else "取消",
            "reason": "法律法规明确规定需要提供" if keep else "可通过部门间信息共享核验，改为告知承诺",
            "subject": dept.name,
            "basis": self._basis(dept, 1),
            "conditions": f"申请人办理有关事项时需要提供{name}",
            "procedure": ["申请", "核实", "开具"],
            "time_limit": {"statutory": 5, "promised": 1, "unit": "工作日"},
            "result": name,
            "fee": {"basis": "无", "standard": "不收费"},
        }
        rec = Rec("certificate", dept.code, code, data)
        self.add(rec)
        return rec

    # -- adjustments ----------------------------------------------------------------------------

    def _random_rec(self, dept: Dept, lists: tuple[str, ...] = LIST_ORDER) -> Rec | None:
        keys = [(lid, dept.code) for lid in lists if self.files.get((lid, dept.code))]
        if not keys:
            return None
        key = self.rng.choice(keys)
        return self.recs[key[0]][self.rng.choice(list(self.files[key]))]

    def cancel_power(self, rec: Rec) -> None:
        self.remove(rec)
        for list_id, code in sorted(self.refs.pop(rec.code, set())):
            dependant = self.recs[list_id].get(code)
            if dependant is None:
                continue
            if list_id == "fee":
                self.remove(dependant)
                del dependant.data["item"]
                self.add(dependant)
            elif list_id == "responsibility":
                self.remove(dependant)
            else:  # prerequisite / intermediary: point it at another permit, or cancel it
                other = self._some_power(self.dept_by_code[dependant.dept], "行政许可")
                self.remove(dependant)
                if other is not None and other.code != rec.code:
                    dependant.data["approval"] = other.code
                    self.add(dependant)

    def change(self, rec: Rec) -> str:
        """Change one field of an item the way adjustments do; returns the description."""
        rng = self.rng
        data = rec.data
        name = data["name"]
        options = ["conditions", "basis", "time_limit"]
        if rec.list_id == "power":
            options += ["channels", "level", "office", "fee"]
        if rec.list_id == "responsibility":
            options += ["accountability"]
        if rec.list_id == "convenience":
            options += ["materials", "location"]
        what = rng.choice(options)
        if what == "time_limit" and data["time_limit"].get("promised"):
            old = data["time_limit"]["promised"]
            new = max(0, old - rng.randint(1, max(1, old // 2)))
            data["time_limit"] = {**data["time_limit"], "promised": new}
            if "handling" in data:
                data["handling"] = "即办件" if new == 0 else "承诺件"
            description = f"压缩“{name}”的承诺时限（{old}→{new}个{data['time_limit']['unit']}）"
        elif what == "basis":
            dept = self.dept_by_code[rec.dept]
            data["basis"] = self._basis(dept, rng.randint(1, 3))
            description = f"更新“{name}”的设定依据"
        elif what == "channels" and len(data["channels"]) < 4:
            missing = [c for c in ("马上办", "网上办", "就近办", "一次办") if c not in data["channels"]]
            data["channels"] = sorted(data["channels"] + [rng.choice(missing)],
                                      key=("马上办", "网上办", "就近办", "一次办").index)
            data["online"] = True
            description = f"“{name}”增加“{'、'.join(data['channels'])}”办理方式"
        elif what == "level" and data.get("level") != "乡镇(街道)":
            data["level"] = "乡镇(街道)"
            description = f"“{name}”下放乡镇（街道）实施"
        elif what == "office":
            dept = self.dept_by_code[rec.dept]
            data["office"] = rng.choice(dept.offices)
            description = f"“{name}”的承办机构调整为{data['office']}"
        elif what == "fee" and data["fee"].get("standard") != "不收费":
            data["fee"] = {"basis": "无", "standard": "不收费"}
            description = f"“{name}”停止收费"
        elif what == "accountability":
            fill = {"o": rec.obj, "result": ""}
            extra = [a.format(**fill) for a in vocab.ACCOUNTABILITY if a.format(**fill) not in data["accountability"]]
            if extra:
                data["accountability"] = data["accountability"] + [rng.choice(extra)]
            description = f"完善“{name}”的追责情形"
        elif what == "materials":
            data["materials"] = data["materials"][:-1] if len(data["materials"]) > 1 else data["materials"]
            description = f"精简“{name}”的申请材料"
        elif what == "location":
            data["location"] = f"{self.region}政务服务中心{rng.choice(('一', '二', '三'))}楼{rng.randint(1, 40)}号窗口"
            description = f"“{name}”调整办理窗口"
        else:
            clause = rng.choice((
                "申请人可通过省政务服务网在线提交材料", "实行容缺受理，次要材料可在办结前补齐",
                "能通过部门间信息共享获取的材料，不再要求申请人提供", "推行告知承诺制，申请人书面承诺符合条件的当场办结",
            ))
            base = data["conditions"].split("（注：")[0].rstrip("。")
            data["conditions"] = f"{base}（注：{clause}）。"
            description = f"完善“{name}”的办理条件"
        self.changed(rec)
        if rec.list_id == "power":
            for list_id, code in self.refs.get(rec.code, ()):
                dependant = self.recs[list_id].get(code)
                if list_id == "responsibility" and dependant is not None and what == "time_limit":
                    dependant.data["time_limit"] = dict(data["time_limit"])
                    self.changed(dependant)
        return description

    def rename(self, rec: Rec) -> str:
        dept = self.dept_by_code[rec.dept]
        old = rec.data["name"]
        if rec.list_id == "power":
            new = self._power_name(dept, rec.kind, rec.obj)
            if new == old:
                new = old + "（含变更、延续）" if rec.kind == "行政许可" else old.replace("对", "对个人和单位", 1)
        else:
            new = self._other_name(rec)
        rec.data["name"] = new
        self.changed(rec)
        if rec.list_id == "power":
            for list_id, code in sorted(self.refs.get(rec.code, ())):
                dependant = self.recs[list_id].get(code)
                if list_id == "responsibility" and dependant is not None:
                    dependant.data["name"] = f"{new}的责任事项"
                    dependant.data["conditions"] = f"见对应权力事项“{new}”的办理条件"
                    self.changed(dependant)
        return f"“{old}”更名为“{new}”"

    def _other_name(self, rec: Rec) -> str:
        """A different, plausible name for an item that is not a power."""
        old = rec.data["name"]
        pools = {
            "fee": [f[0] for f in vocab.FEES], "prerequisite": list(vocab.PREREQUISITES),
            "intermediary": [m[0] for m in vocab.INTERMEDIARIES], "convenience": [c[0] for c in vocab.CONVENIENCE],
            "certificate": [c[0] for c in vocab.CERTIFICATES],
        }
        choices = [n for n in pools.get(rec.list_id, []) if n != old]
        return self.rng.choice(choices) if choices else old + "（更名）"

    def transfer(self, rec: Rec, to: Dept) -> str:
        name, before = rec.data["name"], self.dept_by_code[rec.dept].short
        if rec.list_id == "power":
            for list_id, code in sorted(self.refs.get(rec.code, ())):
                dependant = self.recs[list_id].get(code)
                if list_id == "responsibility" and dependant is not None:
                    self.move(dependant, to)
        self.move(rec, to)
        return f"“{name}”由{before}划转至{to.short}"

    def reorganise(self, old: Dept) -> dict[str, str]:
        """Move every item of `old` to its successor; returns {old path: new path} of renamed files."""
        new = self.dept_by_code[old.successor]
        renamed = {}
        for list_id in LIST_ORDER:
            key = (list_id, old.code)
            if not self.files.get(key):
                continue
            before = self.path(list_id, old.code)
            self.ext[(list_id, new.code)] = ".yml"
            for rec in self.dept_recs(old.code, list_id):
                self.move(rec, new)
            renamed[before] = self.path(list_id, new.code)
        new.weight, old.weight = old.weight, 0.0
        self.active = [d for d in self.departments if d.weight > 0]
        return renamed


def _make_departments(m: int, rng: random.Random, with_successors: bool, region: str) -> list[Dept]:
    base = list(vocab.DEPARTMENTS)
    towns = list(vocab.TOWNS)
    if m > len(base) + len(towns):
        raise ValueError(f"at most {len(base) + len(towns)} departments are supported")
    if m < 1:
        raise ValueError("a corpus needs at least one department")
    out: list[Dept] = []
    successors: list[Dept] = []
    for i, dv in enumerate(base[:m]):
        dept = Dept(
            dv.code, region + dv.name, dv.short, i + 1, dv.objects, dv.laws + vocab.GENERAL_LAWS[:2], dv.offices,
            weight=len(dv.objects) * rng.uniform(0.5, 1.5),
            phone=f"0797-12345{i + 1:02d}", address=f"{region}{rng.choice(('人民大道', '建设路', '文昌路', '滨江路'))}"
            f"{rng.randint(1, 60)}号",
        )
        if dv.successor and with_successors:
            code, name, short = dv.successor
            dept.successor = code
            successors.append(Dept(code, region + name, short, 0, dv.objects, dept.laws, dv.offices, 0.0,
                                   dept.phone, dept.address))
        out.append(dept)
    for j, town in enumerate(towns[: max(0, m - len(base))]):
        index = len(base) + j + 1
        out.append(Dept(
            f"xz{j + 1:02d}", f"{region}{town}人民政府", town, index, vocab.TOWN_OBJECTS, vocab.TOWN_LAWS,
            vocab.TOWN_OFFICES, weight=3 * rng.uniform(0.5, 1.5), phone=f"0797-12346{j + 1:02d}",
            address=f"{region}{town}政府路{rng.randint(1, 20)}号",
        ))
    for k, dept in enumerate(successors):
        dept.index = len(out) + k + 1
    return out + successors


# ---------------------------------------------------------------------------------------------
# site_config.yml


def site_config_text(corpus: Corpus) -> str:
    depts = "\n".join(
        f"  - {{code: {d.code}, name: {d.name}, short_name: {d.short}, phone: {d.phone}, address: {d.address}}}"
        for d in corpus.departments
    )
    return f"""# {corpus.region}权责清单公开平台 — a synthetic county generated by benchmarks/corpus.py (fictional).
# Portal metadata follows 《政府网站发展指引》(国办发〔2017〕47号); departments are listed in the
# order the county government publishes them.

portal:
  site_name: {corpus.region}权责清单公开平台
  region: {corpus.region}
  region_code: "{corpus.region_code}"
  base_url: https://qingdan.example.gov.cn/
  sponsor: {corpus.region}人民政府办公室
  organizer: 中共{corpus.region}委机构编制委员会办公室
  site_id_code: "{corpus.region_code}0001"
  icp: 赣ICP备12345678号
  police_record: 赣公网安备 36079902000123号
  contact_phone: 0797-1234567
  contact_email: qingdan@example.gov.cn
  contact_address: {corpus.region}人民大道1号县政府大院
  description: 公开{corpus.region}各部门的权力清单、责任清单、收费清单、前置审批、中介服务和便民服务事项，以及每一次动态调整。

departments:
{depts}

extra_list_types:
  - id: certificate
    title: 证明事项清单
    item_label: 证明事项
    description: 保留的证明事项，写明设定依据、索要单位和开具单位；清单之外不得索要证明。
    fields:
      - {{name: code, label: 编码, type: code, required: true}}
      - {{name: name, label: 证明名称, type: text, required: true}}
      - {{name: purpose, label: 证明用途, type: text, required: true}}
      - {{name: requester, label: 索要单位, type: text, required: true}}
      - {{name: issuer, label: 开具单位, type: text, required: true}}
      - {{name: level, label: 行使层级, type: enum, enum: level}}
      - {{name: status, label: 清理结果, type: enum, enum: certificate_status, required: true}}
      - {{name: reason, label: 保留原因, type: longtext}}
      - {{name: note, label: 备注, type: longtext}}

rules:
  catch_all_patterns:
    - 法律、?法规(、规章)?规定的其他
    - 其他(职责|职权|事项|行政权力|情形)
    - 上级(交办|部门交办)的其他

editions:
  tag_pattern: ^(v?\\d{{4}}|\\d{{4}}版)$

# The speed targets (issue 14) are measured without the 繁體 view; benchmarks/traditional_bench.py
# measures what it adds.
traditional: false
"""


MKDOCS_YML = """# MkDocs + Material settings for the published site (see the demo project's mkdocs.yml).
theme:
  name: material
  language: zh
  font: false
  features:
    - navigation.top
    - navigation.sections
markdown_extensions:
  - tables
  - attr_list
  - admonition
"""


# ---------------------------------------------------------------------------------------------
# git history through one fast-import process


def _trailers(rng: random.Random, when: dt.datetime) -> str:
    if rng.random() >= 0.85:
        return ""
    doc = f"{rng.choice(vocab.DOC_PREFIXES)}〔{when.year}〕{rng.randint(1, 120)}号"
    effective = (when + dt.timedelta(days=rng.randint(0, 30))).date().isoformat()
    return f"\n\n调整依据: {doc}\n生效日期: {effective}"


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{verb}{n}项" for verb, n in counts.items() if n]
    return "、".join(parts) + "事项" if parts else "调整事项"


class FastImport:
    """Streams commits into `git fast-import`; paths and bytes in, commits out."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--date-format=raw"], cwd=repo, stdin=subprocess.PIPE,
        )
        assert self.proc.stdin is not None
        self.out = self.proc.stdin
        self.mark = 0

    def commit(self, author: str, when: dt.datetime, message: str, files: dict[str, bytes | None]) -> None:
        self.mark += 1
        stamp = f"{int(when.timestamp())} +0800"
        msg = message.encode()
        chunks = [
            b"commit refs/heads/main\n", f"mark :{self.mark}\n".encode(),
            f"author {author} {stamp}\n".encode(), f"committer {COMMITTER} {stamp}\n".encode(),
            f"data {len(msg)}\n".encode(), msg, b"\n",
        ]
        for path in sorted(files):
            data = files[path]
            if data is None:
                chunks.append(f"D {path}\n".encode())
            else:
                chunks += [f"M 100644 inline {path}\n".encode(), f"data {len(data)}\n".encode(), data, b"\n"]
        chunks.append(b"\n")
        self.out.write(b"".join(chunks))

    def close(self) -> None:
        self.out.close()
        if self.proc.wait() != 0:
            raise RuntimeError("git fast-import failed")


def _adjustment(corpus: Corpus, rng: random.Random) -> tuple[Dept, str]:
    """Apply one commit's worth of adjustments to `corpus`; returns (department, message)."""
    dept = corpus._pick_dept()
    bullets: list[str] = []
    counts = {"新增": 0, "取消": 0, "调整": 0}
    for _ in range(rng.choices((1, 2, 3, 4, 5), weights=(35, 30, 20, 10, 5))[0]):
        op = rng.choices(("change", "add", "cancel", "rename", "transfer"), weights=(50, 15, 12, 13, 10))[0]
        if op == "add":
            kind = rng.choices(("power", "convenience", "fee", "prerequisite", "intermediary", "certificate"),
                               weights=(60, 15, 8, 7, 5, 5))[0]
            rec = getattr(corpus, f"add_{kind}")(dept)
            if rec is not None:
                bullets.append(f"新增“{rec.data['name']}”（{rec.code}）")
                counts["新增"] += 1
            continue
        rec = corpus._random_rec(dept, ("power",) if op in ("cancel", "transfer") else LIST_ORDER)
        if rec is None:
            continue
        if op == "cancel" and len(corpus.recs["power"]) > 4:
            corpus.cancel_power(rec)
            bullets.append(f"取消“{rec.data['name']}”（{rec.code}）")
            counts["取消"] += 1
        elif op == "rename" and rec.list_id != "responsibility":
            bullets.append(corpus.rename(rec))
            counts["调整"] += 1
        elif op == "transfer" and len(corpus.active) > 1:
            to = rng.choice([d for d in corpus.active if d.code != dept.code])
            bullets.append(corpus.transfer(rec, to))
            counts["调整"] += 1
        else:
            bullets.append(corpus.change(rec))
            counts["调整"] += 1
    if not bullets:
        rec = corpus._random_rec(dept) or corpus.add_convenience(dept)
        bullets.append(corpus.change(rec))
        counts["调整"] += 1
    reason = rng.choice(vocab.REVIEW_REASONS)
    message = f"{dept.short}：{_summary(counts)}\n\n{reason}：\n" + "\n".join(f"- {b}" for b in bullets)
    return dept, message


def _dirty_files(corpus: Corpus) -> dict[str, bytes | None]:
    files: dict[str, bytes | None] = {}
    for list_id, dept in sorted(corpus.dirty):
        files[corpus.path(list_id, dept)] = corpus.file_bytes(list_id, dept)
    corpus.dirty.clear()
    return files


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def generate(
    out_dir: Path, items: int = 1000, departments: int = 20, commits: int = 0, seed: int = 1, quiet: bool = True,
    region: str = REGION, region_code: str = REGION_CODE,
) -> Stats:
    """Write a project of about `items` items to `out_dir` (which must not exist or be empty).

    commits=0 writes the files only; commits=K ≥ 1 also makes a git repository whose history has
    exactly K commits (the first one imports the lists) and whose working tree is clean.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(items, departments, seed, with_successors=commits >= 20, region=region, region_code=region_code)
    config = site_config_text(corpus).encode()
    gitignore = b"site/\nbuild/\n.cache/\n"
    project_files = {"site_config.yml": config, "mkdocs.yml": MKDOCS_YML.encode(), ".gitignore": gitignore}
    stats = Stats()
    if commits <= 0:
        _write_tree(out_dir, {**project_files, **corpus.all_files()})
    else:
        subprocess.run(["git", "init", "-q", "-b", "main", str(out_dir)], check=True)
        for key, value in (("user.name", "示例县委编办"), ("user.email", "bianban@example.gov.cn"),
                           ("core.quotepath", "false")):
            subprocess.run(["git", "config", key, value], cwd=out_dir, check=True)
        rng = random.Random(seed * 7919 + 1)
        fi = FastImport(out_dir)
        when = START
        first = {**project_files, **corpus.all_files()}
        corpus.dirty.clear()
        fi.commit(COMMITTER, when, f"导入{when.year}年版清单：共{corpus.count()}项事项{_trailers(rng, when)}", first)
        reorganise_at = {}
        if commits >= 20:
            olds = [d for d in corpus.departments if d.successor]
            start = round(commits * 0.55)
            reorganise_at = {start + i * 2: d for i, d in enumerate(olds) if start + i * 2 < commits}
        for index in range(1, commits):
            when += dt.timedelta(days=rng.choice((0, 1, 1, 2, 3, 4)), minutes=rng.randint(5, 600))
            if index in reorganise_at:
                old = reorganise_at[index]
                new = corpus.dept_by_code[old.successor]
                renamed = corpus.reorganise(old)
                files = {before: None for before in renamed}
                files.update(_dirty_files(corpus))
                message = (
                    f"机构改革：{old.short}更名为{new.short}\n\n根据{region}机构改革方案，{old.name}的职责划入{new.name}，"
                    f"相应清单文件更名，事项编码不变。\n\n调整依据: 示编发〔{when.year}〕3号\n"
                    f"生效日期: {when.date().isoformat()}"
                )
                fi.commit(f"{new.short}清单联络员 <{new.code}@example.gov.cn>", when, message, files)
                continue
            yaml_files = sorted(k for k, v in corpus.ext.items() if v == ".yaml" and corpus.files.get(k))
            if yaml_files and rng.random() < 0.02:
                key = rng.choice(yaml_files)
                before = corpus.path(*key)
                corpus.ext[key] = ".yml"
                files = {before: None, corpus.path(*key): corpus.file_bytes(*key)}
                fi.commit(COMMITTER, when, f"清单文件统一使用 .yml 扩展名：{before}", files)
                continue
            dept, message = _adjustment(corpus, rng)
            message += _trailers(rng, when)
            fi.commit(f"{dept.short}清单联络员 <{dept.code}@example.gov.cn>", when, message, _dirty_files(corpus))
        fi.close()
        subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=out_dir, check=True)
        stats.head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=out_dir, check=True, capture_output=True,
                                    text=True).stdout.strip()
        stats.commits = commits
    final = corpus.all_files()
    stats.items = corpus.count()
    stats.counts = {lid: len(v) for lid, v in corpus.recs.items()}
    stats.files = len(final)
    stats.bytes = sum(len(v) for v in final.values())
    stats.seconds = time.perf_counter() - started
    stamp = {"version": GENERATOR_VERSION, "items": items, "departments": departments, "commits": commits,
             "seed": seed, "region": region, "region_code": region_code,
             "result": {"items": stats.items, "counts": stats.counts, "head": stats.head}}
    (out_dir / ".git" / STAMP if commits > 0 else out_dir / STAMP).write_text(
        json.dumps(stamp, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    if not quiet:
        print(f"已生成 {out_dir}：{stats.items} 项事项，{stats.files} 个清单文件，{stats.bytes / 1e6:.1f} MB，"
              f"{stats.commits} 次提交，用时 {stats.seconds:.1f} 秒", file=sys.stderr)
    return stats


def read_stamp(out_dir: Path) -> dict[str, Any] | None:
    """The parameters a corpus directory was generated with (None when unknown)."""
    for path in (out_dir / ".git" / STAMP, out_dir / STAMP):
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description="生成合成的清单项目（基准测试用）")
    parser.add_argument("out", type=Path, help="输出目录（须不存在或为空）")
    parser.add_argument("--items", type=int, default=1000, help="事项数（约数，默认 1000）")
    parser.add_argument("--departments", type=int, default=20, help="部门数（默认 20）")
    parser.add_argument("--commits", type=int, default=0, help="git 提交数（0 表示不建仓库）")
    parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    args = parser.parse_args(argv)
    generate(args.out, args.items, args.departments, args.commits, args.seed, quiet=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
