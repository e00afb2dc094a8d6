"""S3-compatible object storage (`s3://bucket/prefix`): the 政务云 object stores of the large clouds,
MinIO, Ceph RGW… through boto3 (AWS's own, maintained client; every one of these speaks its protocol).

There is no atomic switch on object storage: the site changes in place. The plan's order
(generator/publish/plan.py) keeps it whole: assets first, pages after what they load, entry
pages and the search entry last, deletions after everything, the manifest after the files it
lists. An interrupted publish leaves the old manifest served; the next run plans against it and
sends the rest.

Releases for rollback live outside what the site serves: beside the prefix, `s3://bucket/site.qingdan/`
for a site at `s3://bucket/site/`, or where QINGDAN_S3_STATE (`s3://bucket/prefix`) says (required
for a site at the root of a bucket: everything in such a bucket is served):
  releases/<name>.<digest>.json   the manifest of each release kept (digest: its SHA-256, 16 digits)
  objects/<sha256>                 the previous content of every file a later release changed or
                                   deleted, copied inside the store (no bytes sent) before it is overwritten
  lock.json                        the publish lock, taken with a conditional write (If-None-Match: *)
Rollback copies those objects back in the same safe order. Earlier versions kept these under
`<prefix>.qingdan/`, inside the site, where withdrawn pages stayed fetchable; the next publish or
rollback moves them out.

Endpoint, region and addressing style: environment (QINGDAN_S3_ENDPOINT or AWS_ENDPOINT_URL,
AWS_REGION or AWS_DEFAULT_REGION, QINGDAN_S3_ADDRESSING_STYLE) over `publish:` in site_config.yml.
Keys: the environment only (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), never the repository.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import Any

from generator.publish.base import LOCK_LOST, PublishError, Target, checkpoint
from generator.publish.lock import Holder
from generator.publish.manifest import MANIFEST_NAME, Manifest, ManifestError
from generator.publish.plan import Plan, Report, make_plan, previous_release, releases_to_prune, write_rank

LEGACY_META = ".qingdan/"  # inside the served prefix: moved out by the next publish
STATE_SUFFIX = ".qingdan/"
LOCK_KEY = "lock.json"
WORKERS = 8


@contextmanager
def _s3_errors(where: str) -> Iterator[None]:
    """botocore's exceptions as one Chinese message naming what to check."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        yield
    except NoCredentialsError as exc:
        raise PublishError("找不到对象存储的访问密钥",
                           "设置环境变量 AWS_ACCESS_KEY_ID 和 AWS_SECRET_ACCESS_KEY（CI 中放在保密变量里）") from exc
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "")
        hint = {
            "NoSuchBucket": "存储桶不存在：先在云控制台创建，或检查 s3://存储桶/前缀 的写法",
            "AccessDenied": "检查访问密钥是否有该存储桶的读写和删除权限",
            "InvalidAccessKeyId": "检查 AWS_ACCESS_KEY_ID",
            "SignatureDoesNotMatch": "检查 AWS_SECRET_ACCESS_KEY，以及区域（AWS_REGION）和地址（QINGDAN_S3_ENDPOINT）",
        }.get(code, "检查地址、区域和访问密钥；网站仍是发布前的状态或可以重新发布补全")
        raise PublishError(f"对象存储拒绝了请求（{where}）：{code} {message}".strip(), hint) from exc
    except BotoCoreError as exc:
        raise PublishError(f"无法访问对象存储（{where}）：{exc}",
                           "检查网络和 QINGDAN_S3_ENDPOINT；中断的发布重新运行即可补全") from exc


class S3Target(Target):
    kind = "s3"

    def __init__(self, spec: str, bucket: str, prefix: str, endpoint: str = "", region: str = "",
                 addressing_style: str = "auto", state: str = "") -> None:
        super().__init__(spec)
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.state_bucket, self.state = _state_location(spec, bucket, self.prefix, state)
        options: dict[str, Any] = {
            "s3": {"addressing_style": addressing_style or "auto"},
            "retries": {"max_attempts": 5, "mode": "standard"},
            "connect_timeout": 15, "read_timeout": 120, "max_pool_connections": WORKERS * 2,
        }
        try:  # botocore ≥ 1.36 adds CRC checksums that some S3-compatible stores refuse; only when required
            config = Config(**options, request_checksum_calculation="when_required",
                            response_checksum_validation="when_required")
        except TypeError:
            config = Config(**options)
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint or None,
                                                     region_name=region or None, config=config)
        self._cache: tuple[str, Manifest | None, list[str]] | None = None

    # -- plumbing ---------------------------------------------------------------------------------
    def _key(self, path: str) -> str:
        return self.prefix + path

    def _get(self, key: str, bucket: str = "") -> bytes | None:
        from botocore.exceptions import ClientError

        with _s3_errors(f"读取 {key}"):
            try:
                return self.client.get_object(Bucket=bucket or self.bucket, Key=key)["Body"].read()
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise

    def _meta(self, path: str) -> str:
        """Key of a bookkeeping object (in state_bucket)."""
        return self.state + path

    def _list(self, prefix: str, bucket: str = "") -> list[str]:
        keys: list[str] = []
        with _s3_errors(f"列出 {prefix or '/'}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket or self.bucket, Prefix=prefix)
            for page in pages:
                keys += [o["Key"] for o in page.get("Contents", [])]
        return keys

    def _records(self) -> dict[str, str]:
        """Release name → key of its manifest record."""
        records = {}
        for key in self._list(self._meta("releases/"), self.state_bucket):
            name = key.rsplit("/", 1)[-1]
            if name.endswith(".json") and "." in name[:-5]:
                records[name[:-5].rsplit(".", 1)[0]] = key
        return records

    def _record_key(self, name: str, manifest: Manifest) -> str:
        return self._meta(f"releases/{name}.{manifest.digest()[:16]}.json")

    def _stored(self) -> set[str]:
        return {k.rsplit("/", 1)[-1] for k in self._list(self._meta("objects/"), self.state_bucket)}

    def _load(self, root: bytes, where: str, strict: bool, cache: dict[str, bytes] | None = None) -> Manifest:
        """A manifest from its root: each part from the site, or, when the site holds another version
        of it (a later publish, or an interrupted one, overwrote it), from the copy kept for rollback."""
        cache = {} if cache is None else cache

        def fetch(item: tuple[str, str]) -> tuple[str, bytes | None]:
            name, sha = item
            if sha not in cache:
                for key, bucket in ((self._key(name), self.bucket), (self._meta(f"objects/{sha}"), self.state_bucket)):
                    body = self._get(key, bucket)
                    if body is not None and hashlib.sha256(body).hexdigest() == sha:
                        cache[sha] = body
                        break
            return name, cache.get(sha)

        def read(parts: dict[str, str]) -> dict[str, bytes | None]:
            with ThreadPoolExecutor(WORKERS) as pool:
                return dict(pool.map(fetch, sorted(parts.items())))

        return Manifest.load(root, read, where, strict)

    def _in_tiers(self, paths: list[str], send: Callable[[str], None], reverse: bool = False) -> None:
        """Run `send` on each path, in parallel within a tier of the write order, tier after tier."""
        done = 0
        with ThreadPoolExecutor(WORKERS) as pool:
            for _, group in groupby(paths, key=lambda p: write_rank(p)[0]):
                for _ in pool.map(send, list(group)):
                    done += 1
                    checkpoint(done)

    # -- the interface ----------------------------------------------------------------------------
    def served(self) -> tuple[str, Manifest | None]:
        if self._cache is None:
            data = self._get(self._key(MANIFEST_NAME))
            try:
                manifest = self._load(data, f"s3://{self.bucket}/{self._key(MANIFEST_NAME)}", strict=False) \
                    if data else None
            except ManifestError as exc:
                raise PublishError(str(exc), "目标上的清单文件已损坏；检查是否被手工改动") from exc
            records = self._records()
            name = ""
            if manifest is not None:
                digest = manifest.digest()[:16]
                matching = [n for n, key in records.items() if key.endswith(f".{digest}.json")]
                name = max(matching) if matching else ""
            self._cache = (name, manifest, sorted(records))
        return self._cache[0], self._cache[1]

    def releases(self) -> list[str]:
        self.served()
        assert self._cache is not None
        return self._cache[2]

    def publish(self, site_dir: Path, manifest: Manifest, plan: Plan, release: str, keep: int) -> None:
        _, served = self.served()
        self._cache = None
        if served is not None:  # keep what this publish overwrites or deletes, for --rollback
            stored = self._stored()
            backup = {served.files[p].sha256: p for p in plan.upload + plan.delete
                      if p in served.files and served.files[p].sha256 not in stored
                      and p not in served.broken}  # a damaged part's bytes are not its hash's

            def copy(item: tuple[str, str]) -> None:
                sha, path = item
                from botocore.exceptions import ClientError

                with _s3_errors(f"备份 {path}"):
                    try:
                        self.client.copy_object(Bucket=self.state_bucket, Key=self._meta(f"objects/{sha}"),
                                                CopySource={"Bucket": self.bucket, "Key": self._key(path)})
                    except ClientError as exc:
                        if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
                            raise

            with ThreadPoolExecutor(WORKERS) as pool:
                list(pool.map(copy, sorted(backup.items())))

        manifest_bytes = (site_dir / MANIFEST_NAME).read_bytes()

        def put(path: str) -> None:
            if path == MANIFEST_NAME:  # the release record first, then the served manifest
                if self.holder is not None and self._lock_holder()[0] != self.holder:
                    raise PublishError(LOCK_LOST, "另一次发布接管了发布锁；等它完成后用 --verify 核对，需要时重新发布")
                with _s3_errors("写入版本记录"):
                    self.client.put_object(Bucket=self.state_bucket, Key=self._record_key(release, manifest),
                                           Body=manifest_bytes, ContentType="application/json")
                body, ctype = manifest_bytes, "application/json"
            else:
                body, ctype = (site_dir / path).read_bytes(), manifest.files[path].type
            with _s3_errors(f"上传 {path}"):
                self.client.put_object(Bucket=self.bucket, Key=self._key(path), Body=body, ContentType=ctype)

        self._in_tiers(plan.upload, put)
        self._delete([self._key(p) for p in plan.delete])
        records = self._records()
        prune = releases_to_prune(sorted(records), release, keep)
        if prune:
            self._delete([records[n] for n in prune], self.state_bucket)
            self._prune_objects([records[n] for n in sorted(records) if n not in prune])

    def _delete(self, keys: list[str], bucket: str = "") -> None:
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            with _s3_errors("删除旧文件"):
                self.client.delete_objects(Bucket=bucket or self.bucket,
                                           Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})

    def _prune_objects(self, kept_records: list[str]) -> None:
        wanted: set[str] = set()
        cache: dict[str, bytes] = {}  # releases share most parts
        for key in kept_records:
            data = self._get(key, self.state_bucket)
            if data:
                try:
                    wanted |= {e.sha256 for e in self._load(data, key, strict=True, cache=cache).files.values()}
                except ManifestError:
                    return  # a release whose files are not all known: keep every copy
        self._delete([self._meta(f"objects/{sha}") for sha in sorted(self._stored() - wanted)], self.state_bucket)

    def rollback(self) -> Report:
        current, served = self.served()
        records = self._records()
        previous = previous_release(sorted(records), current) if current else None
        if previous is None or served is None:
            raise PublishError(f"{self.spec} 上没有可以回退的上一个版本",
                               "只有发布过至少两次、且上一个版本仍保留时才能回退（--keep 决定保留几个）")
        data = self._get(records[previous], self.state_bucket) or b""
        try:
            before = self._load(data, records[previous], strict=True)
        except ManifestError as exc:
            raise PublishError(f"上一个版本 {previous} 的清单无法读取：{exc}", "网站没有改动；检查对象存储是否被手工改动") from exc
        plan = make_plan(before, served, len(data))
        stored = self._stored()
        missing = [p for p in plan.upload if p != MANIFEST_NAME and before.files[p].sha256 not in stored]
        if missing:
            raise PublishError(f"无法回退到 {previous}：对象存储中缺少 {len(missing)} 个文件的备份（如 {missing[0]}）",
                               "网站没有改动；可以检出该版本的提交重新生成并发布")

        def restore(path: str) -> None:
            with _s3_errors(f"恢复 {path}"):
                if path == MANIFEST_NAME:
                    self.client.put_object(Bucket=self.bucket, Key=self._key(path), Body=data,
                                           ContentType="application/json")
                    return
                entry = before.files[path]
                self.client.copy_object(Bucket=self.bucket, Key=self._key(path), ContentType=entry.type,
                                        MetadataDirective="REPLACE",
                                        CopySource={"Bucket": self.state_bucket,
                                                    "Key": self._meta(f"objects/{entry.sha256}")})

        self._cache = None
        self._in_tiers(plan.upload, restore)
        self._delete([self._key(p) for p in plan.delete])
        self._delete([records[current]], self.state_bucket)
        return Report.of_plan("rollback", self.spec, plan, release=previous, previous=current)

    # -- the lock: lock.json in the state prefix, created only if absent (If-None-Match: *) ------------
    def lock(self, wait: float, force: bool) -> None:
        super().lock(wait, force)
        self._check_conditional_writes()
        self._move_legacy_state()

    def _try_lock(self, me: Holder) -> tuple[bool, Holder | None]:
        from botocore.exceptions import ClientError

        while True:
            with _s3_errors("获取发布锁"):
                try:
                    self.client.put_object(Bucket=self.state_bucket, Key=self._meta(LOCK_KEY), Body=me.to_bytes(),
                                           ContentType="application/json", IfNoneMatch="*")
                    return True, None
                except ClientError as exc:
                    if exc.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "ConditionalRequestConflict"):
                        raise
            holder, etag = self._lock_holder()
            if etag:
                return False, holder  # else released meanwhile: try again

    def _lock_holder(self) -> tuple[Holder | None, str]:
        """The lock's holder (None when unreadable) and its ETag ("" when there is no lock)."""
        from botocore.exceptions import ClientError

        with _s3_errors("读取发布锁"):
            try:
                got = self.client.get_object(Bucket=self.state_bucket, Key=self._meta(LOCK_KEY))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None, ""
                raise
            return Holder.from_bytes(got["Body"].read()), got["ETag"]

    def _break_lock(self, holder: Holder | None) -> bool:
        from botocore.exceptions import ClientError

        found, etag = self._lock_holder()
        if not etag or found != holder:
            return False
        with _s3_errors("解除发布锁"):
            try:  # only that very object: a lock taken meanwhile has another ETag
                self.client.delete_object(Bucket=self.state_bucket, Key=self._meta(LOCK_KEY), IfMatch=etag)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "NoSuchKey", "404"):
                    return False
                raise
        return True

    def _check_conditional_writes(self) -> None:
        """A store that ignores If-None-Match cannot keep two publishes apart: say so once."""
        from botocore.exceptions import ClientError

        assert self.holder is not None
        try:
            self.client.put_object(Bucket=self.state_bucket, Key=self._meta(LOCK_KEY), Body=self.holder.to_bytes(),
                                   ContentType="application/json", IfNoneMatch="*")
        except ClientError:
            return  # refused, as it must be
        print(f"{self.spec}：警告：这个对象存储不支持条件写入（If-None-Match），发布锁不能阻止两次同时发布。\n"
              "    提示：确保同一时间只运行一次发布（例如 CI 中让发布任务排队）", file=sys.stderr)

    def _move_legacy_state(self) -> None:
        """Rollback copies and records that earlier versions kept inside the served prefix, moved out."""
        legacy = self._list(self._key(LEGACY_META))
        if not legacy or self._key(LEGACY_META) == self.state:
            return

        def move(key: str) -> None:
            with _s3_errors(f"移动 {key}"):
                self.client.copy_object(Bucket=self.state_bucket, Key=self._meta(key[len(self._key(LEGACY_META)):]),
                                        CopySource={"Bucket": self.bucket, "Key": key})

        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(move, legacy))
        self._delete(legacy)
        self._cache = None

    def served_hashes(self) -> dict[str, str]:
        keys = [k for k in self._list(self.prefix) if not k.startswith(self._key(LEGACY_META))
                and k != self._key(MANIFEST_NAME)]

        def digest(key: str) -> tuple[str, str]:
            return key[len(self.prefix):], hashlib.sha256(self._get(key) or b"").hexdigest()

        with ThreadPoolExecutor(WORKERS) as pool:
            return dict(pool.map(digest, keys))


def _state_location(spec: str, bucket: str, prefix: str, state: str) -> tuple[str, str]:
    """(bucket, key prefix) of the bookkeeping: QINGDAN_S3_STATE, else beside the site's prefix."""
    if state:
        if not state.startswith("s3://") or not state[5:].partition("/")[0]:
            raise PublishError(f"QINGDAN_S3_STATE 的值“{state}”无效", "写成 s3://存储桶/前缀，例如 s3://zwy-qingdan-state/site")
        state_bucket, _, state_prefix = state[5:].partition("/")
        state_prefix = state_prefix.strip("/") + "/" if state_prefix.strip("/") else ""
        if state_bucket == bucket and (state_prefix.startswith(prefix) or not state_prefix):
            raise PublishError(f"QINGDAN_S3_STATE（{state}）在网站 {spec} 之内，撤下的页面仍能被访问到",
                               "换成网站前缀之外的位置，例如另一个存储桶")
        return state_bucket, state_prefix
    if not prefix:
        raise PublishError(f"{spec} 是整个存储桶：回退用的旧版本放在哪里都会被访问到",
                           "把网站发布到一个前缀下（如 s3://存储桶/site），或用环境变量 QINGDAN_S3_STATE 指定另一个存储桶"
                           "（如 s3://另一个存储桶/qingdan）存放旧版本")
    return bucket, prefix[:-1] + STATE_SUFFIX


def s3_settings(publish: Any) -> dict[str, str]:
    """Endpoint, region and addressing style: the environment over site_config.yml's `publish:`."""
    env = os.environ
    return {
        "endpoint": env.get("QINGDAN_S3_ENDPOINT") or env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
        or getattr(publish, "s3_endpoint", ""),
        "region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or getattr(publish, "s3_region", ""),
        "addressing_style": env.get("QINGDAN_S3_ADDRESSING_STYLE") or getattr(publish, "s3_addressing_style", "auto"),
        "state": env.get("QINGDAN_S3_STATE", "").strip(),
    }
