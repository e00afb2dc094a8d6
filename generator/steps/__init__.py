"""The build, as a list of steps.

Each module here is one step and declares what it reads and what it writes (generator/steps/step.py);
generator/steps/runner.py runs them for `qingdan build` and `qingdan serve` alike, in this order
(moved only where a step reads what a later one writes), rerunning only what an edit changed:

    load          site_config.yml + lists/      → the validated catalog
    history       git                           → each item's adjustments
    timeline      catalog + history + as-of day → each item's versions; the lists as in force that day
    downloads     in-force catalog              → downloads/ (XLSX, CSV, JSON; a forked child)
    render        in-force + history, templates → every page, keyed by what it is made from
    titles        pages                         → page titles (editions link to current pages)
    editions      git tags + catalog            → the published editions' pages
    nav           pages                         → what MkDocs needs: nav, titles, depths
    shell         nav + mkdocs.yml + content/   → MkDocs: theme, nav frames, content pages, shells
    pages         pages + shells                → HTML, 繁體 copies, search documents (changed only)
    data_files    in-force + history            → downloads/stats.json
    feeds         catalog + history + as-of day → feed.xml, feed.json; each list's, department's and
                                                  item's feed.xml (changed ones only)
    api           catalog + history + as-of day → api/v1/ (the static JSON API; changed files only)
    search_index  search documents              → pagefind/ (the changed parts); after the three
                                                  steps above, which read nothing of the pages, so
                                                  they run while Pagefind indexes the last parts
    sitemap       page paths                    → sitemap.xml, robots.txt
    hant          shells + pages                → the rest of the 繁體 view, the script map
    manifest      every file                    → qingdan-manifest.json (what publish verifies)
"""

from __future__ import annotations

from generator.steps import (
    api,
    data_files,
    downloads,
    editions,
    feeds,
    hant,
    history,
    load,
    manifest,
    nav,
    pages,
    render,
    search_index,
    shell,
    sitemap,
    timeline,
)
from generator.steps.step import Step

STEPS: tuple[Step, ...] = (
    load.STEP,
    history.STEP,
    timeline.STEP,
    downloads.STEP,
    render.STEP,
    nav.TITLES,
    editions.STEP,
    nav.STEP,
    shell.STEP,
    pages.STEP,
    data_files.STEP,
    feeds.STEP,
    api.STEP,
    search_index.STEP,
    sitemap.STEP,
    hant.STEP,
    manifest.STEP,
)
BY_NAME = {step.name: step for step in STEPS}
