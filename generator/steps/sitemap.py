"""Step `sitemap`: sitemap.xml with every page (and its 繁體 copy) and a robots.txt naming it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator import traditional
from generator.site.mkdocs_shell import content_path
from generator.steps.sitefiles import write_file
from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    site_url = build.site_url
    urls = [site_url + p for p in build.get("@page_paths")]
    urls += [site_url + content_path(c) for c in build.get("@content_pages")]
    if build.get("@catalog").config.traditional_variant:
        urls += [site_url + traditional.HANT_DIR + "/" + u[len(site_url):] for u in urls]
    body = "".join(f"<url><loc>{u}</loc></url>" for u in sorted(set(urls)))
    write_file(build.site_dir / "sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n')
    write_file(build.site_dir / "robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {site_url}sitemap.xml\n")


STEP = Step("sitemap", ("@page_paths", "@content_pages", "option:site_url", "site_config.yml:traditional"),
            ("sitemap.xml", "robots.txt"), run, "one sitemap for every page, and robots.txt", serve="after")
