"""`qingdan publish` to the three kinds of target, each a real server on 127.0.0.1.

The demo county is built twice per module: at commit A, and at commit B which changes one item.
Each target gets: A (everything sent), A again (nothing sent), B (only the changed files),
--rollback (A again, byte for byte), --verify; and a publish of B killed half-way, after which
the directory and SSH targets still serve A whole, the object store has no page missing an asset,
and the next run completes B.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from publish_support import (
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


@pytest.fixture(scope="module", params=["directory", "ssh", "s3"])
def kind(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kind]:
    base = tmp_path_factory.mktemp(f"target-{request.param}")
    if request.param == "directory":
        yield Kind("directory", lambda name: str(base / name), lambda name: tree(base / name / "current"), {})
    elif request.param == "ssh":
        if not shutil.which("/usr/sbin/sshd") or not shutil.which("rsync"):
            pytest.fail("sshd and rsync are needed: apt-get install openssh-server rsync (see README.md)")
        with ssh_server(base / "sshd") as server:
            yield Kind("ssh", lambda name: server.spec(base / name),
                       lambda name: tree(base / name / "current"), server.env)
    else:
        with s3_server(BUCKET, base / "moto") as env:
            yield Kind("s3", lambda name: f"s3://{BUCKET}/{name}", lambda name: s3_tree(env, BUCKET, f"{name}/"), env)


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
    assert second["uploaded"]["paths"][-2:] == ["pagefind/pagefind-entry.json", "qingdan-manifest.json"]
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
