"""What must hold before a site goes out: valid data, committed, built from this commit with its history.

A site published from invalid lists, from edits nobody committed, or without the adjustment
history the law requires to be public, is worse than the site it replaces; so `qingdan publish`
refuses each case with the reason and what to do (`--allow-dirty` for the second, on purpose).
"""

from __future__ import annotations

from pathlib import Path

from generator.gitrepo import GitRepo
from generator.problems import Problems
from generator.publish.manifest import (
    BUILD_INPUTS,
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    read_manifest,
    scan,
)

REBUILD = "运行 qingdan build 重新生成网站后再发布"


def preflight(project_root: Path, site_dir: Path, allow_dirty: bool) -> tuple[Problems, Manifest | None]:
    from generator.history.extract import git_failure_problem
    from generator.project import open_project

    problems = Problems()
    project = open_project(project_root)
    if not project.ok:
        problems.extend(project.problems.errors)
        problems.error("清单数据有错误，不能发布", file=str(project_root), rule="publish-invalid",
                       hint="修正上面的错误（qingdan check 可以再次检查），提交后重新生成")
        return problems, None
    assert project.config is not None
    repo = GitRepo(project_root)
    failure = repo.probe()
    if failure is not None and not failure.is_repo_missing:
        problems.add(git_failure_problem(failure, project_root))
        return problems, None
    head = _check_worktree(repo, project_root, project.config.lists_dir, allow_dirty, problems) if failure is None else ""
    try:
        manifest = read_manifest(site_dir)
    except ManifestError as exc:
        problems.error(str(exc), file=str(site_dir / MANIFEST_NAME), rule="publish-manifest", hint=REBUILD)
        return problems, None
    if manifest is None:
        problems.error(f"{site_dir} 中没有 {MANIFEST_NAME}，不是 qingdan build 生成的完整网站", file=str(site_dir),
                       rule="publish-no-site", hint="先运行 qingdan build（qingdan serve 的预览不能发布）")
        return problems, None
    _check_files(site_dir, manifest, problems)
    if failure is None:
        _check_build(site_dir, manifest.build, head, allow_dirty, problems)
    return problems, (None if problems.has_errors() else manifest)


def _check_worktree(repo: GitRepo, project_root: Path, lists_dir: str, allow_dirty: bool, problems: Problems) -> str:
    """The commit checked out (or ""), after reporting edits to the build's inputs nobody committed."""
    head = repo.rev_parse("HEAD") or ""
    dirty = repo.dirty_paths(lists_dir, *BUILD_INPUTS)
    if dirty is None:
        problems.error(f"无法读取 git 状态。git 的提示：{repo.last_error}", file=str(project_root), rule="publish-git")
    elif dirty and not allow_dirty:
        shown = "、".join(dirty[:5]) + (f" 等 {len(dirty)} 个文件" if len(dirty) > 5 else "")
        problems.error(f"有未提交的改动：{shown}", file=str(project_root), rule="publish-dirty",
                       hint="先提交（git commit）再生成和发布；确实要发布未提交的内容时加 --allow-dirty")
    return head


def _check_files(site_dir: Path, manifest: Manifest, problems: Problems) -> None:
    """The site's files are the ones its manifest lists, and its internal links all lead somewhere."""
    from generator.publish.links import broken_links

    actual = scan(site_dir)
    differ = sorted(set(actual.items()) ^ set(manifest.files.items()))
    if differ:
        problems.error(f"{site_dir} 在生成后被改动：{len({p for p, _ in differ})} 个文件与 {MANIFEST_NAME} 不符"
                       f"（如 {differ[0][0]}）", file=str(site_dir), rule="publish-modified", hint=REBUILD)
    broken = broken_links(site_dir, manifest.files)
    if broken:
        shown = "；".join(f"{page} → {link}" for page, link in broken[:5])
        problems.error(f"网站中有 {len(broken)} 个站内链接指向不存在的文件：{shown}", file=str(site_dir),
                       rule="publish-broken-links", hint="检查 templates/ 和 content/ 中的链接，重新生成后再发布")


def _check_build(site_dir: Path, build: dict, head: str, allow_dirty: bool, problems: Problems) -> None:
    """The site was built from the commit checked out, with its whole history, from committed files."""
    if head and build.get("commit") != head:
        built = str(build.get("commit") or "")[:10] or "（无提交）"
        problems.error(f"网站是由提交 {built} 生成的，当前提交是 {head[:10]}", file=str(site_dir),
                       rule="publish-stale", hint=REBUILD)
    _check_history(site_dir, build.get("history"), problems)
    if build.get("dirty") and not allow_dirty:
        problems.error("网站是在有未提交改动时生成的", file=str(site_dir), rule="publish-dirty",
                       hint="提交改动后重新运行 qingdan build；确实要发布时加 --allow-dirty")


def _check_history(site_dir: Path, history: object, problems: Problems) -> None:
    """The adjustment records the law requires to be public: the build must have read all of git history."""
    from generator.history.extract import SHALLOW_HINT

    if history == "off":
        problems.error("网站生成时用了 --no-history，不含调整记录，不能发布", file=str(site_dir),
                       rule="publish-no-history", hint="去掉 --no-history 重新运行 qingdan build")
    elif history == "shallow":
        problems.error("网站是在浅克隆（shallow clone）中生成的，调整记录不完整，不能发布", file=str(site_dir),
                       rule="publish-no-history", hint=SHALLOW_HINT + "；然后重新运行 qingdan build")
    elif history != "complete":
        problems.error("网站生成时没有读到 git 历史，不含调整记录，不能发布", file=str(site_dir),
                       rule="publish-no-history", hint="提交清单后重新运行 qingdan build")
