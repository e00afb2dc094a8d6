"""Step `feeds`: the Atom feeds people follow (generator/render/feeds.py): the whole site's
(feed.xml, feed.json), one per list (<list>/feed.xml), one per department
(departments/<code>/feed.xml) and one per item with a history (<list>/<code>/feed.xml).

It reads the build's as-of date: a build on the day a pending adjustment takes effect adds its
调整施行 entry. Like the pages step it keys each feed by what it is made from and writes only the
feeds whose key changed, removing those no longer current: after an edit, only the feeds of the
edited item, its list and its department (and the site's) are written again. An item feed's key
is its events and which of them the as-of date has brought into effect, so it is rendered only
when that changed; the few list and department feeds are rendered every time and keyed by their
bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from generator.render import feeds
from generator.steps.sitefiles import write_file
from generator.steps.step import Step, digest

if TYPE_CHECKING:
    from generator.steps.runner import Build

SITE_FILES = (feeds.SITE_FEED, feeds.SITE_JSON_FEED)


def _item_keys(history: Any) -> list[tuple[str, str]]:
    """Every (list, code) with events: current items, cancelled ones, and old codes of a 改码."""
    keys = {(e.list_id, e.code) for e in history.events}
    keys |= {(e.list_id, e.old_code) for e in history.events if e.old_code}
    return sorted(keys)


def feed_files(build: Build, project: Any, history: Any) -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    """(path, key, make) of every feed of the site."""
    site_url, as_of = build.site_url, build.options.as_of
    config = project.config
    site_feed = feeds.atom_feed(project, history, site_url, as_of)
    yield feeds.SITE_FEED, digest(site_feed), lambda: site_feed
    json_feed = feeds.json_feed(project, history, site_url).encode("utf-8")
    yield feeds.SITE_JSON_FEED, digest(json_feed), lambda: json_feed
    scopes = feeds.Scopes.of(history)
    for list_type in config.list_types:
        data = feeds.list_feed(project, scopes, list_type, site_url, as_of)
        yield feeds.list_feed_path(list_type.id), digest(data), lambda d=data: d
    for department in config.departments:
        data = feeds.department_feed(project, scopes, department, site_url, as_of)
        yield feeds.department_feed_path(department.code), digest(data), lambda d=data: d
    by_seq = {a.seq: a for a in history.adjustments}
    in_effect = {a.seq for a in history.adjustments if feeds.takes_effect(a, as_of)}
    for list_id, code in _item_keys(history):
        events = history.by_item(list_id, code)
        # An event is the same for the same commit as long as the code and the configuration are
        # (both in the context key): its commit, position and kind identify it, and cost a fraction
        # of its repr (10,000 items × 1,000 commits).
        made_of = [f"{e.commit}:{e.seq}:{e.kind}:{e.code}:{int(e.seq in in_effect)}" for e in events]
        yield (feeds.item_feed_path(list_id, code), digest("item", *made_of),
               lambda lid=list_id, c=code: feeds.item_feed(project, history, lid, c, site_url, as_of, by_seq))


def run(build: Build) -> None:
    project = build.get("@catalog")
    history = build.get("@history")
    previous: dict[str, str] = {} if build.cold else dict(build.before.extra.get("feeds", {}))
    current: dict[str, str] = {}
    if history is not None:
        # What every feed is made from besides its own entries: the portal, names, the address.
        context = build.runner.inputs_key("feeds-context", ("site_config.yml", "option:site_url"))
        site = str(build.site_dir)
        for path, key, make in feed_files(build, project, history):
            current[path] = key = digest(context, key)
            # os.path on a string: a tenth of pathlib's cost, 10,000 times in a one-item rebuild
            if build.cold or previous.get(path) != key or not os.path.exists(f"{site}/{path}"):
                write_file(f"{site}/{path}", make())
    for path in sorted(set(previous) - set(current)):
        (build.site_dir / path).unlink(missing_ok=True)
    build.after.extra["feeds"] = current


STEP = Step("feeds", ("@catalog", "@history", "site_config.yml", "option:site_url", "option:as_of"), ("feeds",),
            run, "Atom feeds of the site, each list, department and item (changed ones only)", serve="after")
