"""The lists as they stood at a git revision (for `qingdan diff A B` and the site's editions).

    repo = GitRepo(config.root)
    cache = open_cache(config)                     # generator.history.cache; shared, on disk
    catalog = catalog_at(config, repo, "v2016", problems, cache)

The files come from `git ls-tree` and ONE `git cat-file --batch`, and each file version is parsed
once ever (the blob cache, as the history uses), so a snapshot of an old tag usually costs no
parsing at all. Items carry their file, line and column (not `field_lines`). Problems found in
the old files are added to `problems` with the file's path as it was at that revision. Files of
departments that site_config.yml no longer declares are still read, with the department code as
their department. Pass `cache=None` for a snapshot that leaves nothing on disk.
"""

from __future__ import annotations

from generator.config import SiteConfig
from generator.gitrepo import GitRepo
from generator.history.blobparse import BlobParser, problems_of
from generator.history.cache import BlobCache
from generator.load import build_catalog, split_list_path
from generator.model import Catalog, Item
from generator.problems import Problems


def catalog_at(config: SiteConfig, repo: GitRepo, rev: str, problems: Problems,
               cache: BlobCache | None = None) -> Catalog:
    """The catalog at `rev` (a tag, branch, sha, or anything `git rev-parse` reads).

    An unknown revision gives an empty catalog and an error in `problems`.
    """
    sha = repo.rev_parse(rev)
    if sha is None:
        problems.error(
            f"git 仓库中找不到版本“{rev}”", rule="git-revision",
            hint="可以使用标签（git tag 查看）、分支名或提交编号；浅克隆中较早的提交可能不存在",
        )
        return build_catalog(config, [], None)
    cache = cache if cache is not None else BlobCache(config, None)
    tree = repo.ls_tree(sha, config.lists_dir)
    summaries = BlobParser(config, cache).summaries(repo, tree.items())
    cache.flush()
    found = []
    for path in sorted(tree):
        ids = split_list_path(path)
        summary = summaries.get(BlobCache.blob_key(tree[path], *ids)) if ids else None
        if summary is not None:
            problems.extend(list(problems_of(summary, path)))
            found.append((path, ids, summary))
    data = cache.get_items({ref.hash for _, _, summary in found for ref in summary.items})
    items = [
        Item(list_id=ids[0], department=ids[1], code=ref.code, data=data.get(ref.hash, {}), file=path,
             line=ref.line, column=ref.column)
        for path, ids, summary in found for ref in summary.items
    ]
    return build_catalog(config, items, problems)
