"""`qingdan publish` to the three kinds of target, each a real server on 127.0.0.1.

The demo county is built twice per module: at commit A, and at commit B which changes one item.
Each target gets: A (everything sent), A again (nothing sent), B (only the changed files),
--rollback (A again, byte for byte), --verify; and a publish of B killed half-way, after which
the directory and SSH targets still serve A whole, the object store has no page missing an asset,
and the next run completes B.

Then what two operators, a killed run and a careless server can do: two publishes started at once
(the site served after is A or B whole), a lock held by another run (named, waited for, broken),
a damaged served release (not carried forward), a publish killed with SIGKILL or SIGTERM while
rsync sends (no key on disk, no process left), rsync's deltas, and S3 rollback copies kept outside
the served prefix.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from publish_support import (
    GIT_ENV,
    change_one_item,
    demo_repo,
    git,
    qingdan,
    s3_client,
    s3_server,
    s3_tree,
    ssh_server,
    tree,
)

from generator.publish.manifest import part_of

BUCKET = "zwy-qingdan"


@dataclass
class Sites:
    project_a: Path
    site_a: Path
    project_b: Path
    site_b: Path


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    base = tmp_path_factory.mktemp("publish")
    project_b = demo_repo(base / "county")
    project_a = base / "county-a"
    git(base, "clone", "-q", str(project_b), str(project_a))
    change_one_item(project_b)
    site_a, site_b = base / "site-a", base / "site-b"
    for project, site in ((project_a, site_a), (project_b, site_b)):
        run = qingdan(project, "build", "--out", str(site))
        assert run.returncode == 0, run.stderr
    return Sites(project_a, site_a, project_b, site_b)


@dataclass
class Kind:
    name: str
    spec: Callable[[str], str]  # a fresh target for a test name
    served: Callable[[str], dict[str, str]]  # what that target serves: path → sha256
    env: dict[str, str]
    put_lock: Callable[[str, bytes], None]  # write a lock record on that target, as another run would
    root: Callable[[str], Path | None]  # directory and SSH targets: the target's directory


@pytest.fixture(scope="module", params=["directory", "ssh", "s3"])
def kind(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kind]:
    base = tmp_path_factory.mktemp(f"target-{request.param}")
    def put_lock(name: str, record: bytes) -> None:
        (base / name / ".qingdan-lock").mkdir(parents=True)
        (base / name / ".qingdan-lock" / "holder.json").write_bytes(record)

    if request.param == "directory":
        yield Kind("directory", lambda name: str(base / name), lambda name: tree(base / name / "current"), {},
                   put_lock, lambda name: base / name)
    elif request.param == "ssh":
        if not shutil.which("/usr/sbin/sshd") or not shutil.which("rsync"):
            pytest.fail("sshd and rsync are needed: apt-get install openssh-server rsync (see README.md)")
        with ssh_server(base / "sshd") as server:
            yield Kind("ssh", lambda name: server.spec(base / name),
                       lambda name: tree(base / name / "current"), server.env, put_lock, lambda name: base / name)
    else:
        with s3_server(BUCKET, base / "moto") as env:
            def put_s3_lock(name: str, record: bytes) -> None:
                s3_client(env).put_object(Bucket=BUCKET, Key=f"{name}.qingdan/lock.json", Body=record)

            yield Kind("s3", lambda name: f"s3://{BUCKET}/{name}", lambda name: s3_tree(env, BUCKET, f"{name}/"), env,
                       put_s3_lock, lambda name: None)


def publish(kind: Kind, project: Path, site: Path, spec: str, *args: str, env: dict | None = None):
    return qingdan(project, "publish", "--to", spec, "--site", str(site), *args, env={**kind.env, **(env or {})})


def report(run) -> dict:
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_publish_sends_only_what_changed_and_rolls_back_exactly(sites: Sites, kind: Kind) -> None:
    name = "round-trip"
    spec = kind.spec(name)
    first = report(publish(kind, sites.project_a, sites.site_a, spec, "--format", "json"))
    files_a = tree(sites.site_a)
    assert first["uploaded"]["files"] == len(files_a) and first["deleted"]["files"] == 0
    assert kind.served(name) == files_a

    again = report(publish(kind, sites.project_a, sites.site_a, spec, "--format", "json"))
    assert again["uploaded"] == {"files": 0, "bytes": 0, "paths": []} and again["deleted"]["files"] == 0
    assert again["unchanged"]["files"] == len(files_a) - 1  # every file but the manifest itself

    files_b = tree(sites.site_b)
    changed = sorted(p for p in files_b if files_a.get(p) != files_b[p])
    dry = publish(kind, sites.project_b, sites.site_b, spec, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"将发送 {len(changed)} 个文件" in dry.stdout and kind.served(name) == files_a  # nothing sent
    second = report(publish(kind, sites.project_b, sites.site_b, spec, "--format", "json"))
    assert sorted(second["uploaded"]["paths"]) == changed
    assert "power/000131127004/index.html" in changed and "qingdan-manifest.json" in changed
    assert len(changed) < len(files_b) // 10, changed  # one item: its pages, lists, downloads, index chunks
    # The changed bundle's entry last but the manifest's parts, then its root (the list of bundles,
    # parts.json, is unchanged).
    sent = second["uploaded"]["paths"]
    parts = [p for p in sent if p.startswith("qingdan-manifest/")]
    assert sent[-1] == "qingdan-manifest.json" and sent[-1 - len(parts):-1] == parts
    assert sent[-2 - len(parts)] == "pagefind/site/pagefind-entry.json"
    # Only the parts that list a changed, new or removed file are sent again.
    count = len([p for p in files_b if p.startswith("qingdan-manifest/")])
    touched = {p for p in changed if not p.startswith("qingdan-manifest")} | (set(files_a) - set(files_b))
    assert sorted(parts) == sorted({part_of(p, count) for p in touched})
    assert 0 < len(parts) < count
    assert sorted(second["deleted"]["paths"]) == sorted(set(files_a) - set(files_b))
    assert kind.served(name) == files_b

    verified = qingdan(sites.project_b, "publish", "--to", spec, "--verify", env=kind.env)
    assert verified.returncode == 0 and "核对通过" in verified.stdout, verified.stderr

    back = qingdan(sites.project_b, "publish", "--to", spec, "--rollback", env=kind.env)
    assert back.returncode == 0 and "已回退" in back.stdout, back.stderr
    assert kind.served(name) == files_a  # byte for byte, the manifest included
    verified = qingdan(sites.project_b, "publish", "--to", spec, "--verify", env=kind.env)
    assert verified.returncode == 0, verified.stderr

    none_left = qingdan(sites.project_b, "publish", "--to", spec, "--rollback", env=kind.env)
    assert none_left.returncode == 1 and "没有可以回退的上一个版本" in none_left.stderr
    assert "Traceback" not in none_left.stderr and kind.served(name) == files_a


def test_an_interrupted_publish_leaves_the_previous_release_served(sites: Sites, kind: Kind) -> None:
    spec = kind.spec("interrupted")
    report(publish(kind, sites.project_a, sites.site_a, spec, "--format", "json"))
    files_a, files_b = tree(sites.site_a), tree(sites.site_b)
    planned = report(publish(kind, sites.project_b, sites.site_b, spec, "--dry-run", "--format", "json"))
    half = max(1, planned["uploaded"]["files"] // 2)
    killed = publish(kind, sites.project_b, sites.site_b, spec, env={"QINGDAN_PUBLISH_KILL_AFTER": str(half)})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    served = kind.served("interrupted")
    if kind.name == "s3":
        assert served != files_a  # some of B went out in place …
        assert_every_page_finds_its_assets(kind, "interrupted")  # … and no page lost its assets
        manifest = s3_client(kind.env).get_object(Bucket=BUCKET, Key="interrupted/qingdan-manifest.json")
        assert manifest["Body"].read() == (sites.site_a / "qingdan-manifest.json").read_bytes()
    else:
        assert served == files_a  # the previous release, whole

    resumed = report(publish(kind, sites.project_b, sites.site_b, spec, "--format", "json"))
    assert resumed["uploaded"]["files"] > 0
    assert kind.served("interrupted") == files_b
    verified = qingdan(sites.project_b, "publish", "--to", spec, "--verify", env=kind.env)
    assert verified.returncode == 0, verified.stderr


_REF = re.compile(r'(?:src|href)="([^"#?]+)[^"]*"')


def assert_every_page_finds_its_assets(kind: Kind, prefix: str) -> None:
    """Every stylesheet, script and image an HTML page in the bucket loads is in the bucket."""
    served = kind.served(prefix)
    client = s3_client(kind.env)
    base = "https://portal.example/"
    checked = 0
    for path in (p for p in served if p.endswith(".html")):
        html = client.get_object(Bucket=BUCKET, Key=f"{prefix}/{path}")["Body"].read().decode("utf-8")
        for ref in _REF.findall(html):
            target = urlsplit(urljoin(base + path, ref))
            if target.netloc != "portal.example" or target.path.endswith("/") or "." not in target.path.rsplit("/", 1)[-1]:
                continue  # another host, or a link to a page
            if target.path.rsplit(".", 1)[-1] in ("html", "xml", "xlsx", "csv", "json"):
                continue  # pages and downloads, not what the page needs to display
            assert target.path[1:] in served, f"{path} loads {ref}, which is missing"
            checked += 1
    assert checked > 1000


def test_builds_of_one_commit_are_byte_identical(sites: Sites, tmp_path: Path) -> None:
    again = tmp_path / "site"
    run = qingdan(sites.project_a, "build", "--out", str(again))
    assert run.returncode == 0, run.stderr
    assert tree(again) == tree(sites.site_a)  # pagefind filters, meta and entry included
    assert list(tmp_path.glob(".site.*")) == []


def test_a_killed_build_leaves_nothing_the_next_build_does_not_remove(sites: Sites, tmp_path: Path) -> None:
    out = tmp_path / "site"
    left = tmp_path / ".site.build-999999999-x1y2z3"  # a pid that cannot exist: the build was killed
    (left / "site").mkdir(parents=True)
    legacy = tmp_path / ".site.build-k3j2h1"  # the random-only names of earlier versions
    legacy.mkdir()
    run = qingdan(sites.project_a, "build", "--out", str(out), "--no-search")
    assert run.returncode == 0, run.stderr
    assert not left.exists() and not legacy.exists()


def test_refuses_a_site_built_from_another_commit(sites: Sites) -> None:
    run = qingdan(sites.project_b, "publish", "--to", str(sites.project_b / "never"), "--site", str(sites.site_a))
    assert run.returncode == 1
    assert "网站是由提交" in run.stderr and "运行 qingdan build 重新生成网站后再发布" in run.stderr
    assert not (sites.project_b / "never").exists()


def test_target_addresses() -> None:
    from generator.publish import PublishError, open_target
    from generator.publish.directory import DirectoryTarget
    from generator.publish.ssh import SshTarget

    scp = open_target("deploy@10.0.0.5:/srv/www/qingdan")
    assert isinstance(scp, SshTarget) and (scp.dest, scp.root) == ("deploy@10.0.0.5", "/srv/www/qingdan")
    url = open_target("ssh://deploy@gov.example:2222/srv/www/qingdan/")
    assert isinstance(url, SshTarget) and "2222" in url.ssh_opts and url.root == "/srv/www/qingdan"
    for target in (scp, url):
        target.close()
    assert isinstance(open_target("/srv/www/qingdan"), DirectoryTarget)
    with pytest.raises(PublishError, match="绝对路径"):
        open_target("deploy@10.0.0.5:www")


# -- two operators, killed runs, secrets (issue 21) ----------------------------------------------------

ROUNDS = 3  # pairs per target kind in the suite; QINGDAN_TEST_PUBLISH_ROUNDS=10 for the full proof


def start_publish(project: Path, site: Path, spec: str, *args: str, env: dict[str, str]) -> subprocess.Popen:
    """`qingdan publish` started, not waited for (publish() waits)."""
    return subprocess.Popen([sys.executable, "-m", "generator", "--project", str(project), "publish", "--to", spec,
                             "--site", str(site), *args], env={**os.environ, **GIT_ENV, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_publishes_at_once_leave_one_whole_site(sites: Sites, kind: Kind) -> None:
    """Two operators publish A and B to one target at the same moment, again and again: the site
    served after each pair is A or B byte for byte, and a run that did not succeed never said 已发布."""
    files = {"A": tree(sites.site_a), "B": tree(sites.site_b)}
    for round_ in range(int(os.environ.get("QINGDAN_TEST_PUBLISH_ROUNDS", ROUNDS))):
        name = f"together-{round_}"  # a fresh target: both runs send every file, the longest overlap
        second = (sites.project_b, sites.site_b) if round_ % 2 == 0 else (sites.project_a, sites.site_a)
        runs = [start_publish(sites.project_a, sites.site_a, kind.spec(name), env=kind.env),
                start_publish(*second, kind.spec(name), env=kind.env)]  # A and B, then A twice
        outcomes = [(run.wait(timeout=600), *run.communicate()) for run in runs]
        for code, out, err in outcomes:
            assert "Traceback" not in err and "内部错误" not in err, err
            if code != 0:
                assert "已发布" not in out, (out, err)
        assert any(code == 0 for code, _, _ in outcomes), outcomes
        served = kind.served(name)
        assert served in (files["A"], files["B"]), f"round {round_}: {len(served)} files served, neither A nor B"
        root = kind.root(name)
        if root is not None:
            assert list((root / "releases").glob(".*")) == [] and not (root / ".qingdan-lock").exists()


def holder_record(host: str, pid: int, started: float) -> bytes:
    return json.dumps({"host": host, "pid": pid, "user": "deploy", "started": started,
                       "token": "0123456789abcdef"}).encode()


def test_a_held_lock_is_named_and_can_be_broken(sites: Sites, kind: Kind) -> None:
    name = "held"
    spec = kind.spec(name)
    report(publish(kind, sites.project_a, sites.site_a, spec, "--format", "json"))
    kind.put_lock(name, holder_record("ci-runner-2", 4242, time.time()))  # a live run on another machine
    refused = publish(kind, sites.project_b, sites.site_b, spec, "--lock-wait", "0")
    assert refused.returncode == 2, refused.stderr
    assert "另一次发布正在进行" in refused.stderr and "deploy@ci-runner-2 上的进程 4242" in refused.stderr
    assert time.strftime("%Y-%m-%d") in refused.stderr and "--break-lock" in refused.stderr
    assert "已发布" not in refused.stdout and kind.served(name) == tree(sites.site_a)

    broken = publish(kind, sites.project_b, sites.site_b, spec, "--break-lock")
    assert broken.returncode == 0 and "已发布" in broken.stdout, broken.stderr
    assert "接管发布锁" in broken.stderr and kind.served(name) == tree(sites.site_b)

    kind.put_lock(name, holder_record("ci-runner-2", 4242, time.time() - 7 * 3600))  # abandoned long ago
    taken = publish(kind, sites.project_a, sites.site_a, spec)
    assert taken.returncode == 0 and "接管发布锁" in taken.stderr, taken.stderr
    assert kind.served(name) == tree(sites.site_a)


def test_a_second_publish_waits_for_the_first(sites: Sites, tmp_path: Path) -> None:
    target = tmp_path / "www"
    (target / ".qingdan-lock").mkdir(parents=True)
    (target / ".qingdan-lock" / "holder.json").write_bytes(holder_record(socket.gethostname(), os.getpid(), time.time()))
    waiting = start_publish(sites.project_a, sites.site_a, str(target), "--lock-wait", "300", env={})
    line = waiting.stderr.readline() if waiting.stderr else ""
    assert "另一次发布正在进行" in line and f"进程 {os.getpid()}" in line and "最多等待 300 秒" in line
    assert not (target / "current").exists()
    shutil.rmtree(target / ".qingdan-lock")  # the first publish ends
    out, err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0 and "已发布" in out, err
    assert tree(target / "current") == tree(sites.site_a)


def test_a_publish_never_removes_a_release_it_did_not_write(sites: Sites, kind: Kind) -> None:
    if kind.root("x") is None:
        pytest.skip("object storage writes in place: no releases being written")
    name = "not-mine"
    root = kind.root(name)
    assert root is not None
    others = root / "releases" / ".20990101T000000Z-feedbeef00.89abcdef01234567.partial"
    (others / "about").mkdir(parents=True)  # another run, writing its release
    report(publish(kind, sites.project_a, sites.site_a, kind.spec(name), "--format", "json"))
    assert (others / "about").is_dir()


def test_a_damaged_release_is_not_carried_forward(sites: Sites, kind: Kind) -> None:
    """A file of the served release damaged on the server (disk fault, a careless edit) is not
    hard-linked into the next release: the new release is checked against its manifest first."""
    if kind.root("x") is None:
        pytest.skip("object storage has no releases to link from")
    name = "damaged"
    report(publish(kind, sites.project_a, sites.site_a, kind.spec(name), "--format", "json"))
    root = kind.root(name)
    assert root is not None
    files_a, files_b = tree(sites.site_a), tree(sites.site_b)
    same = next(p for p in ("about/index.html", "robots.txt", "404.html") if files_a.get(p) == files_b.get(p))
    with (root / "current" / same).open("ab") as handle:
        handle.write(b"<!-- damaged -->")
    report(publish(kind, sites.project_b, sites.site_b, kind.spec(name), "--format", "json"))
    assert kind.served(name) == files_b
    verified = qingdan(sites.project_b, "publish", "--to", kind.spec(name), "--verify", env=kind.env)
    assert verified.returncode == 0, verified.stderr


def test_a_damaged_manifest_part_is_found_by_verify_and_sent_again(sites: Sites, kind: Kind) -> None:
    name = "damaged-part"
    spec = kind.spec(name)
    report(publish(kind, sites.project_a, sites.site_a, spec, "--format", "json"))
    files_a = tree(sites.site_a)
    part = sorted(p for p in files_a if p.startswith("qingdan-manifest/"))[0]
    damaged = (sites.site_a / part).read_bytes().replace(b'",', b'" ,', 1)  # still JSON, other bytes
    root = kind.root(name)
    if root is None:
        s3_client(kind.env).put_object(Bucket=BUCKET, Key=f"{name}/{part}", Body=damaged)
    else:
        (root / "current" / part).write_bytes(damaged)

    verified = qingdan(sites.project_a, "publish", "--to", spec, "--verify", env=kind.env)
    assert verified.returncode == 1 and "Traceback" not in verified.stderr, verified.stderr
    assert f"清单分片损坏：{part}" in verified.stderr and "核对未通过" in verified.stderr

    again = report(publish(kind, sites.project_a, sites.site_a, spec, "--format", "json"))
    assert part in again["uploaded"]["paths"]
    assert kind.served(name) == files_a
    verified = qingdan(sites.project_a, "publish", "--to", spec, "--verify", env=kind.env)
    assert verified.returncode == 0 and "核对通过" in verified.stdout, verified.stderr


def test_a_target_published_before_the_manifest_came_in_parts_gets_only_the_parts(sites: Sites, kind: Kind) -> None:
    """A release whose manifest is one file listing every file (format 1, written by earlier
    versions) is read as it is: the next publish of the same site sends the parts and the root."""
    root = kind.root("x")
    if root is None or kind.name != "directory":
        pytest.skip("one kind of target is enough: the manifest is read the same way on each")
    name = "format-1"
    report(publish(kind, sites.project_a, sites.site_a, kind.spec(name), "--format", "json"))
    served = kind.root(name) / "current"  # type: ignore[operator]
    files = {p: h for p, h in tree(served).items() if not p.startswith("qingdan-manifest")}
    old = {"build": json.loads((served / "qingdan-manifest.json").read_text(encoding="utf-8"))["build"], "format": 1,
           "files": {p: {"sha256": h, "size": (served / p).stat().st_size, "type": "x"} for p, h in files.items()}}
    shutil.rmtree(served / "qingdan-manifest")
    (served / "qingdan-manifest.json").write_text(json.dumps(old), encoding="utf-8")

    again = report(publish(kind, sites.project_a, sites.site_a, kind.spec(name), "--format", "json"))
    assert sorted(again["uploaded"]["paths"]) == sorted(p for p in tree(sites.site_a) if p.startswith("qingdan-manifest"))
    assert again["deleted"]["files"] == 0 and kind.served(name) == tree(sites.site_a)


def _as_format_2(served: Path) -> None:
    """Rewrite a served manifest as the previous version wrote it: hex digests, format 2."""
    def hexed(text: str) -> str:
        return re.sub(r'"([A-Za-z0-9_-]{43})",', lambda m: '"' + base64.urlsafe_b64decode(m.group(1) + "=").hex() + '",', text)

    root = (served / "qingdan-manifest.json").read_text(encoding="utf-8")
    for part in sorted((served / "qingdan-manifest").iterdir()):
        body = hexed(part.read_text(encoding="utf-8")).encode()
        part.unlink()  # a release's files may be hard links shared with the previous release
        part.write_bytes(body)
        name = f"qingdan-manifest/{part.name}"
        root = re.sub(rf'"{re.escape(name)}":\["[^"]+",\d+\]',
                      f'"{name}":["{hashlib.sha256(body).hexdigest()}",{len(body)}]', root)
    (served / "qingdan-manifest.json").unlink()
    (served / "qingdan-manifest.json").write_text(root.replace('"format":3', '"format":2'), encoding="utf-8")


def test_a_target_holding_the_previous_manifest_format_is_compared_file_by_file(sites: Sites, kind: Kind) -> None:
    """Format 3 writes each SHA-256 in base64url (43 characters, not 64). A target published with
    format 2 (hex) is read as it is: the next publish sends the changed files and the manifest, not
    the whole site, and the site then verifies; a digest in the manifest is the file's SHA-256."""
    if kind.root("x") is None or kind.name != "directory":
        pytest.skip("one kind of target is enough: the manifest is read the same way on each")
    name = "format-2"
    report(publish(kind, sites.project_a, sites.site_a, kind.spec(name), "--format", "json"))
    served = kind.root(name) / "current"  # type: ignore[operator]
    page = "power/000131127004/index.html"
    written = "".join(p.read_text(encoding="utf-8") for p in (served / "qingdan-manifest").iterdir())
    digest = base64.urlsafe_b64encode(hashlib.sha256((served / page).read_bytes()).digest()).rstrip(b"=").decode()
    assert f'"{page}":["{digest}",' in written
    _as_format_2(served)
    assert '"format":2' in (served / "qingdan-manifest.json").read_text(encoding="utf-8")

    second = report(publish(kind, sites.project_b, sites.site_b, kind.spec(name), "--format", "json"))
    changed = {p for p, h in tree(sites.site_b).items() if tree(sites.site_a).get(p) != h or p.startswith("qingdan-manifest")}
    assert set(second["uploaded"]["paths"]) <= changed and page in second["uploaded"]["paths"]  # parts: rewritten once
    assert len(second["uploaded"]["paths"]) < len(tree(sites.site_b)) / 2
    assert kind.served(name) == tree(sites.site_b)
    verified = qingdan(sites.project_b, "publish", "--to", kind.spec(name), "--verify", env=kind.env)
    assert verified.returncode == 0 and "核对通过" in verified.stdout, verified.stderr


def test_s3_rollback_copies_are_not_served(sites: Sites, kind: Kind) -> None:
    if kind.name != "s3":
        pytest.skip("object storage only")
    name = "withdrawn"
    client = s3_client(kind.env)
    client.put_object(Bucket=BUCKET, Key=f"{name}/.qingdan/objects/{'0' * 64}", Body=b"left by an earlier version")
    report(publish(kind, sites.project_a, sites.site_a, kind.spec(name), "--format", "json"))
    report(publish(kind, sites.project_b, sites.site_b, kind.spec(name), "--format", "json"))
    assert kind.served(name) == tree(sites.site_b)  # nothing else under the site's prefix
    kept = s3_tree(kind.env, BUCKET, f"{name}.qingdan/")
    old_page = tree(sites.site_a)["power/000131127004/index.html"]
    assert f"objects/{old_page}" in kept and f"objects/{'0' * 64}" in kept  # kept, outside the site
    back = qingdan(sites.project_b, "publish", "--to", kind.spec(name), "--rollback", env=kind.env)
    assert back.returncode == 0, back.stderr
    assert kind.served(name) == tree(sites.site_a)

    root = qingdan(sites.project_b, "publish", "--to", f"s3://{BUCKET}", "--site", str(sites.site_b), env=kind.env)
    assert root.returncode == 1 and "QINGDAN_S3_STATE" in root.stderr and "Traceback" not in root.stderr


def _processes_naming(text: str) -> list[str]:
    """Command lines of the live processes that mention `text`."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
                state = next((line for line in (proc / "status").read_text().splitlines()
                              if line.startswith("State:")), "")
            except OSError:
                continue
            if text in cmdline and "zombie" not in state:
                found.append(cmdline)
    return found


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_ssh_publish_leaves_no_key_and_no_process(sites: Sites, kind: Kind, tmp_path: Path,
                                                          how: signal.Signals, request: pytest.FixtureRequest) -> None:
    """The CI form of the key (its text in QINGDAN_SSH_KEY); the publish is killed while rsync sends."""
    if kind.name != "ssh":
        pytest.skip("SSH only")
    key = Path(kind.env["QINGDAN_SSH_KEY"]).read_text()
    private = Path(tempfile.mkdtemp(prefix="qd-"))  # short: the agent's and ssh's sockets live in it
    request.addfinalizer(lambda: shutil.rmtree(private, ignore_errors=True))
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "rsync").write_text(f'#!/bin/sh\nexec {shutil.which("rsync")} --bwlimit=200 "$@"\n')
    (slow / "rsync").chmod(0o755)
    env = {"QINGDAN_SSH_KEY": key, "TMPDIR": str(private), "PATH": f"{slow}:{os.environ['PATH']}"}
    name = f"killed-{how.name}"
    run = start_publish(sites.project_a, sites.site_a, kind.spec(name), env={**kind.env, **env})
    deadline = time.monotonic() + 120
    while not any("--bwlimit" in p for p in _processes_naming(str(private))):
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.05)
    run.send_signal(how)
    run.communicate(timeout=60)
    assert run.returncode != 0
    deadline = time.monotonic() + 3  # a moment for the kernel to reap
    while _processes_naming(str(private)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_naming(str(private)) == []
    marker = key.strip().splitlines()[1]
    left = [p for p in private.rglob("*") if p.is_file() and marker in p.read_text(errors="replace")]
    assert left == [] and list(private.iterdir()) == []
    assert not (kind.root(name) / "current").exists()  # type: ignore[operator]

    again = publish(kind, sites.project_a, sites.site_a, kind.spec(name), env={"QINGDAN_SSH_KEY": key})
    assert again.returncode == 0 and "已发布" in again.stdout, again.stderr
    assert kind.served(name) == tree(sites.site_a)
    assert list((kind.root(name) / "releases").glob(".*")) == []  # type: ignore[operator]


def test_ssh_sends_only_the_delta_of_a_changed_file(sites: Sites, kind: Kind, tmp_path: Path) -> None:
    """rsync reads the previous version of each changed file on the server and sends the difference."""
    if kind.name != "ssh":
        pytest.skip("SSH only")
    log = tmp_path / "rsync.log"
    wrapper = tmp_path / "bin" / "rsync"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {shutil.which("rsync")} --log-file={log} "$@"\n')
    wrapper.chmod(0o755)
    env = {"PATH": f"{wrapper.parent}:{os.environ['PATH']}"}
    spec = kind.spec("delta")
    report(publish(kind, sites.project_a, sites.site_a, spec, "--format", "json", env=env))
    log.unlink()
    second = report(publish(kind, sites.project_b, sites.site_b, spec, "--format", "json", env=env))
    sent = sum(int(n.replace(",", "")) for n in re.findall(r"sent ([\d,]+) bytes", log.read_text()))
    assert 0 < sent < second["uploaded"]["bytes"] // 2, (sent, second["uploaded"]["bytes"])
    assert kind.served("delta") == tree(sites.site_b)
