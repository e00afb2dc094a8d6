"""Links from data never run script: every spelling of a non-web scheme is refused where it is written
(`qingdan check`, `qingdan import`, site_config.yml), and the page never makes it a link (both scripts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import serve_directory
from mini_project import make_project, run_check

from generator.site.build import build_site

# What an attacker or a careless paste would write; a browser reads each one as a script or a local file.
UNSAFE = [
    "javascript:alert(5)",
    " JaVaScRiPt:alert(5)",
    "java\tscript:alert(5)",
    "java\nscript:alert(5)",
    "\x01javascript:alert(5)",
    "&#106;avascript:alert(5)",
    "ｊａｖａｓｃｒｉｐｔ:alert(5)",
    "data:text/html,<script>alert(5)</script>",
    "vbscript:msgbox(5)",
    "file:///etc/passwd",
]
SAFE = ["https://zwfw.example.gov.cn/guide/1", "http://www.example.gov.cn/bs?id=5"]
# Every field of the default lists that becomes a link: the url fields (phones become tel: links made
# from their digits only, references links made from the item's list and code).
URL_FIELDS = [("power", "guide_url", "办事指南"), ("power", "online_url", "在线办理"),
              ("convenience", "guide_url", "办事指南"), ("convenience", "online_url", "在线办理")]
ITEM = {
    "power": "    type: 行政许可\n    subject: 测试县民政局\n",
    "convenience": "    type: 公共服务事项\n    subject: 测试县民政局\n",
}


def yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars


def list_file(list_id: str, urls: list[tuple[str, str]]) -> tuple[str, dict[int, str]]:
    """A list file of one item per (field, value); the line each value is on, by item code."""
    lines = ["department: mzj", "items:"]
    where = {}
    for n, (field, value) in enumerate(urls, 1):
        code = f"{list_id[:2].upper()}-URL-{n:03d}"
        lines += [f'  - code: "{code}"', f"    name: 测试事项{n}"] + ITEM[list_id].rstrip("\n").split("\n")
        lines.append(f"    {field}: {yaml_text(value)}")
        where[len(lines)] = code
    return "\n".join(lines) + "\n", where


def test_check_refuses_every_unsafe_scheme_at_its_line(tmp_path: Path) -> None:
    files, expected = {}, {}
    for list_id in ("power", "convenience"):
        fields = [(f, label) for lid, f, label in URL_FIELDS if lid == list_id]
        urls = [(fields[i % 2][0], value) for i, value in enumerate(UNSAFE + SAFE)]
        text, where = list_file(list_id, urls)
        files[f"lists/{list_id}/mzj.yml"] = text
        for (line, code), (field, value) in zip(where.items(), urls, strict=True):
            label = dict(fields)[field]
            expected[(f"lists/{list_id}/mzj.yml", line)] = (code, label, value)
    run = run_check(make_project(tmp_path / "p", files), "--format", "json")
    assert run.returncode == 1
    errors: dict[tuple[str, int], list[dict]] = {}
    for p in run.json["errors"]:  # a line may also hold another error (a control character, say)
        errors.setdefault((p["file"], p["line"]), []).append(p)
    for (file, line), (code, label, value) in expected.items():
        if value in SAFE:
            assert (file, line) not in errors, errors.get((file, line))
            continue
        problem = next((p for p in errors.get((file, line), []) if p["rule"] == "field-value"), None)
        assert problem is not None, f"{file}:{line} {value!r} was not refused"
        assert problem["column"] > 0 and problem["code"] == code
        assert f"字段“{label}”" in problem["message"] and "不是网页地址" in problem["message"]
        assert "http://" in problem["hint"]
    text = run_check(tmp_path / "p").stdout
    assert "lists/power/mzj.yml:7:5: 错误［power/PO-URL-001］：字段“办事指南”的“javascript:alert(5)”以“javascript:”" in text


def test_site_config_links_are_checked_too(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    config = project / "site_config.yml"
    text = config.read_text(encoding="utf-8").replace(
        "  police_record:", '  error_report_url: " JaVaScRiPt:alert(5)"\n  badge_url: "data:text/html,x"\n  police_record:')
    config.write_text(text, encoding="utf-8")
    line = text.split("\n").index('  error_report_url: " JaVaScRiPt:alert(5)"') + 1
    run = run_check(project)
    assert run.returncode == 1
    assert f"site_config.yml:{line}:3: 错误：我为政府网站找错链接（error_report_url）“ JaVaScRiPt:alert(5)”以“javascript:”开头" in run.stdout
    assert f"site_config.yml:{line + 1}:3: 错误：党政机关网站标识链接（badge_url）“data:text/html,x”以“data:”开头" in run.stdout


def test_import_refuses_an_unsafe_link_at_its_cell(tmp_path: Path) -> None:
    from openpyxl import Workbook

    project = make_project(tmp_path / "p")
    book = Workbook()
    sheet = book.active
    sheet.title = "便民服务"
    sheet.append(["事项名称", "编码", "事项类型", "实施主体", "办事指南"])
    sheet.append(["婚姻登记", "BM-mzj-009", "公共服务事项", "测试县民政局", "https://zwfw.example.gov.cn/1"])
    sheet.append(["收养登记", "BM-mzj-010", "公共服务事项", "测试县民政局", " JaVaScRiPt:alert(5)"])
    book.save(tmp_path / "便民.xlsx")
    before = (project / "lists/convenience/mzj.yml").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "--project", str(project), "import", str(tmp_path / "便民.xlsx"),
         "--list", "convenience", "--department", "mzj"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert ("「便民.xlsx」工作表「便民服务」第3行 E列：错误［convenience/BM-mzj-010］：字段“办事指南”的"
            "“JaVaScRiPt:alert(5)”以“javascript:”开头，不是网页地址") in output, output
    assert (project / "lists/convenience/mzj.yml").read_bytes() == before


def git(root: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn",
               GIT_COMMITTER_NAME="县编办", GIT_COMMITTER_EMAIL="bb@example.gov.cn",
               GIT_AUTHOR_DATE="2023-01-10T09:00:00+08:00", GIT_COMMITTER_DATE="2023-01-10T09:00:00+08:00")
    subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, check=True)


@pytest.fixture(scope="module")
def edition_site(tmp_path_factory) -> Path:
    """Edition 2023 published the unsafe links (before they were checked); today's lists have web
    addresses. The edition's pages show what it published: as text, never as a link."""
    base = tmp_path_factory.mktemp("safeurl")
    files = {}
    for list_id in ("power", "convenience"):
        fields = [f for lid, f, _ in URL_FIELDS if lid == list_id]
        files[f"lists/{list_id}/mzj.yml"] = list_file(list_id, [(f, v) for v in UNSAFE for f in fields[:1]]
                                                      + [(fields[1], UNSAFE[0])])[0]
    root = make_project(base / "p", files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "发布2023年版清单")
    git(root, "tag", "2023")
    for list_id in ("power", "convenience"):
        path = root / f"lists/{list_id}/mzj.yml"
        text = path.read_text(encoding="utf-8")
        for value in UNSAFE:
            text = text.replace(yaml_text(value), yaml_text(SAFE[0]))
        path.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "更正办事指南网址")
    out = base / "site"
    result = build_site(root, out, search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


def item_pages(out: Path) -> list[str]:
    """Every item page with a url field, current and of the edition, in both scripts."""
    pages = []
    for prefix in ("", "zh-Hant/"):
        for where in ("", "editions/2023/"):
            for list_id, count in (("power", len(UNSAFE) + 1), ("convenience", len(UNSAFE) + 1)):
                for n in range(1, count + 1):
                    pages.append(f"{prefix}{where}{list_id}/{list_id[:2].upper()}-URL-{n:03d}/")
    return pages


def test_pages_never_link_an_unsafe_address(edition_site: Path) -> None:
    for page in item_pages(edition_site):
        html = (edition_site / page / "index.html").read_text(encoding="utf-8")
        assert "qd-url" in html or "editions/" in page, page  # today's pages link the web address
        lowered = html.lower().replace("\t", "").replace("\n", "")
        for scheme in ("javascript:", "data:text", "vbscript:", "file:"):
            assert f'href="{scheme}' not in lowered and "href=\"&#" not in lowered, (page, scheme)
        if "editions/" in page:
            assert 'class="qd-url"' not in html, page  # the published text is shown, not linked


def test_clicking_an_address_in_chromium_runs_no_script(edition_site: Path, browser) -> None:
    with serve_directory(edition_site) as base:
        page = browser.new_page()
        try:
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path in item_pages(edition_site):
                if "editions/" not in path:
                    continue
                page.goto(base + path)
                values = page.locator("section.qd-other dd")  # where the url fields are shown
                assert ":" in values.last.inner_text(), path  # the url field, after the item's type
                for i in range(values.count()):
                    values.nth(i).click()
                    links = values.nth(i).locator("a")
                    for j in range(links.count()):
                        links.nth(j).click(no_wait_after=True)
                page.wait_for_timeout(50)
                assert dialogs == [], f"a click on {path} ran a script"
                assert page.url == base + path, "a click left the page"
        finally:
            page.close()


def test_only_web_addresses_become_links() -> None:
    """No default schema allows relative links in list data: a bare "www…" would link to a page of
    this site that does not exist, so it stays text (check warns about it)."""
    from generator.config import FieldDef
    from generator.fieldtypes import field_html

    fdef = FieldDef(name="guide_url", label="办事指南", type="url")
    for value in SAFE:
        assert field_html(fdef, value, "../../", None).startswith(f'<a href="{value.replace("&", "&amp;")}"')
    for value in ["www.example.gov.cn/guide/1", "../power/", *UNSAFE]:
        assert "<a" not in field_html(fdef, value, "../../", None), value
