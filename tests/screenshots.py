"""Screenshots of every page kind, for a person to look at (not run by pytest).

    .venv/bin/python tests/screenshots.py OUT_DIR [--site SITE_DIR [--prefix /PATH/]] [--kind 统计 ...]

Without --site it builds the demo county with its history (and the 公开质量 page) into a temporary
folder first. Every page kind of a11y_support.page_kinds, on both sides (简体, 繁體), at 390 and
1280 px, in the default mode and in 大字, is saved as OUT_DIR/<nn>-<kind>-<side>-<width>-<mode>.png
(the whole page, cut at MAX_HEIGHT px). The site is served on 127.0.0.1 while the script runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from a11y_support import HANT, MISSING, PREFIX, mode_script, page_kinds  # noqa: E402

WIDTHS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}
MODES = {"默认": (), "大字": ("qd-large",)}
MAX_HEIGHT = 6000


def build_demo(folder: Path) -> Path:
    from demo_project import demo_with_history

    from generator.site.build import build_site

    root = demo_with_history(folder / "county")
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nquality_page: true\n", encoding="utf-8")
    result = build_site(root, root / "site", site_url="https://example.gov.cn" + PREFIX)
    if not result.ok:
        sys.exit("示例网站生成失败：" + "；".join(p.format_text() for p in result.problems.errors))
    return root / "site"


def shoot(site: Path, out: Path, only: list[str], prefix: str = PREFIX) -> int:
    from playwright.sync_api import sync_playwright

    from benchmarks.browser import launch_browser, serve_directory

    kinds = [(k, p) for k, p in page_kinds(site).items() if not only or k in only]
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    with serve_directory(site, prefix=prefix) as base, sync_playwright() as playwright:
        browser = launch_browser(playwright)
        for mode, classes in MODES.items():
            for width, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport, is_mobile=width == "390", has_touch=width == "390")
                context.add_init_script(mode_script(classes))
                page = context.new_page()
                for n, (kind, path) in enumerate(kinds, 1):
                    for side, prefix in (("简体", ""), ("繁體", HANT)):
                        target = prefix + ("404.html" if prefix and path == MISSING else path)
                        page.goto(base + target)
                        page.wait_for_load_state("networkidle")
                        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
                        name = f"{n:02d}-{kind}-{side}-{width}-{mode}.png"
                        page.screenshot(path=str(out / name), full_page=True,
                                        clip={"x": 0, "y": 0, "width": viewport["width"], "height": height})
                        count += 1
                context.close()
        browser.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description="每种页面的截图（简体、繁體；390 和 1280 像素；默认和大字）")
    parser.add_argument("out", type=Path, help="截图保存到的文件夹")
    parser.add_argument("--site", type=Path, help="已生成的网站（默认：生成带调整历史的示例县网站）")
    parser.add_argument("--prefix", default=PREFIX,
                        help=f"网站生成时网址中的路径（qingdan build --site-url 的路径部分，默认 {PREFIX}）")
    parser.add_argument("--kind", action="append", default=[], help="只截这种页面（可重复），如 统计")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qingdan-shots-") as folder:
        site = args.site or build_demo(Path(folder))
        print(f"已保存 {shoot(site, args.out, args.kind, args.prefix)} 张截图到 {args.out}")


if __name__ == "__main__":
    main()
