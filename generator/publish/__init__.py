"""Publishing is a stage: the built site/ to a directory, an SSH server or S3-compatible storage.

One interface (`base.Target`), one module per kind of target, and what all three share: the
manifest (`manifest.py`: what a site is, file by file) and the plan (`plan.py`: what to send, in
which order, which releases to keep). `qingdan publish` (generator/commands/publish.py) checks the
site may go out (`preflight.py`), asks the target what it serves, plans, and hands over the plan.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.publish.base import PublishError, Target, verify_report
from generator.publish.manifest import MANIFEST_NAME, Manifest, read_manifest
from generator.publish.plan import Plan, Report, make_plan, new_release_name

_SCP = re.compile(r"^(?:(?P<user>[^@/:\s]+)@)?(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\]):(?P<path>.*)$")


def open_target(spec: str, settings: Any = None) -> Target:
    """The target a `--to` names: s3://bucket/prefix, ssh://user@host[:port]/path, user@host:/path, or a directory."""
    spec = spec.strip()
    if spec.startswith("s3://"):
        from generator.publish.s3 import S3Target, s3_settings

        bucket, _, prefix = spec[len("s3://"):].partition("/")
        if not bucket:
            raise PublishError(f"“{spec}”中缺少存储桶名", "写成 s3://存储桶/前缀，例如 s3://zwy-qingdan/site")
        return S3Target(spec, bucket, prefix, **s3_settings(settings))
    if spec.startswith("ssh://"):
        from generator.publish.ssh import SshTarget

        url = urlsplit(spec)
        try:
            port = url.port
        except ValueError as exc:
            raise PublishError(f"“{spec}”中的端口无效", "写成 ssh://用户@服务器:端口/目录") from exc
        if not url.hostname or not url.path.startswith("/"):
            raise PublishError(f"“{spec}”缺少服务器或目录", "写成 ssh://用户@服务器:端口/绝对路径，例如 ssh://deploy@10.0.0.5:22/srv/www/qingdan")
        return SshTarget(spec, url.hostname, unquote(url.path), unquote(url.username or ""), port)
    scp = _SCP.match(spec)
    if scp and not Path(spec).exists() and len(scp.group("host")) > 1:
        from generator.publish.ssh import SshTarget

        path = scp.group("path")
        if not path.startswith("/"):
            raise PublishError(f"“{spec}”中的目录不是绝对路径", "写成 用户@服务器:/绝对路径，例如 deploy@10.0.0.5:/srv/www/qingdan")
        return SshTarget(spec, scp.group("host").strip("[]"), path, scp.group("user") or "")
    if spec.startswith("file://"):
        spec = unquote(urlsplit(spec).path)
    from generator.publish.directory import DirectoryTarget

    return DirectoryTarget(spec, Path(spec).expanduser().resolve())


def plan_for(target: Target, site_dir: Path) -> tuple[Manifest, Plan, str]:
    """The site's manifest, the plan against what the target serves, and the name the release will get."""
    local = read_manifest(site_dir)
    assert local is not None  # preflight made sure
    current, served = target.served()
    plan = make_plan(local, served, (site_dir / MANIFEST_NAME).stat().st_size)
    name = new_release_name(str(local.build.get("commit", "")), target.releases())
    return local, plan, name


def publish(target: Target, site_dir: Path, keep: int, dry_run: bool = False) -> Report:
    local, plan, name = plan_for(target, site_dir)
    current, _ = target.served()
    if dry_run:
        return Report.of_plan("dry-run", target.spec, plan, release="" if plan.empty else name, previous=current)
    if plan.upload == [] and plan.delete == []:
        return Report.of_plan("publish", target.spec, plan, release=current, previous=current)
    target.publish(site_dir, local, plan, name, keep)
    report = Report.of_plan("publish", target.spec, plan, release=name, previous=current)
    report.sent_bytes = getattr(target, "sent_bytes", None)
    return report


def verify(target: Target) -> Report:
    current, served = target.served()
    return verify_report(target, served, current)


__all__ = ["PublishError", "Target", "Report", "open_target", "publish", "verify", "plan_for"]
