"""A server over SSH: the same release layout as a directory target, kept by rsync and a few shell commands.

`user@host:/srv/www/qingdan` or `ssh://user@host:2222/srv/www/qingdan`. The server needs sshd, a
POSIX shell, GNU coreutils and rsync (Debian: `apt-get install openssh-server rsync`). The key
comes from the SSH agent, from ~/.ssh, or from QINGDAN_SSH_KEY (a key file, or the key itself as
CI secrets hold it); the server's host key from ~/.ssh/known_hosts or QINGDAN_SSH_KNOWN_HOSTS
(a file, or its lines). Host keys are always checked: a publish never goes to an unknown server.

A new release starts as hard links to the served one (`cp -al`, no bytes sent), rsync sends the
changed files into it (rsync writes each into a new file, so the served release is never touched),
and `mv -T` renames a new link over `current`: an atomic switch, as for a directory.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.publish.base import (
    CURRENT_LINK,
    PARTIAL_SUFFIX,
    RELEASES_DIR,
    PublishError,
    Target,
    checkpoint,
)
from generator.publish.manifest import MANIFEST_NAME, Manifest, ManifestError
from generator.publish.plan import Plan, Report, make_plan, previous_release, releases_to_prune

_STATE = r'''
root=$1
if [ -e "$root/current" ] && [ ! -L "$root/current" ]; then echo "not-a-link"; exit 0; fi
cur=$(readlink "$root/current" 2>/dev/null || true)
echo "current=${cur##*/}"
for d in "$root"/releases/*/; do
  [ -d "$d" ] || continue
  d=${d%/}; echo "release=${d##*/}"
done
echo "--manifest--"
if [ -n "$cur" ] && [ -f "$root/current/qingdan-manifest.json" ]; then cat "$root/current/qingdan-manifest.json"; fi
'''

_PREPARE = r'''
set -e
root=$1; rel=$2; cur=$3
mkdir -p "$root/releases"
cd "$root/releases"
rm -rf ./.*.partial
mkdir ".$rel.partial"
if [ -n "$cur" ]; then cp -al "$cur/." ".$rel.partial/"; fi
cd ".$rel.partial"
xargs -0 -r rm -f --
'''

_FINISH = r'''
set -e
root=$1; rel=$2
cd "$root"
find "releases/.$rel.partial" -mindepth 1 -depth -type d -empty -delete
sync
mv "releases/.$rel.partial" "releases/$rel"
rm -f .current.tmp
ln -s "releases/$rel" .current.tmp
mv -T .current.tmp current
'''

_SWITCH = r'''
set -e
root=$1; rel=$2; drop=$3
cd "$root"
rm -f .current.tmp
ln -s "releases/$rel" .current.tmp
mv -T .current.tmp current
if [ -n "$drop" ]; then rm -rf "releases/$drop"; fi
'''

_REMOVE = r'''
set -e
root=$1; shift
for rel in "$@"; do rm -rf "$root/releases/$rel"; done
'''

_HASHES = r'''
set -e
cd "$1/current/"
find . -type f ! -path ./qingdan-manifest.json -print0 | xargs -0 -r sha256sum
'''

_CAT = r'''cat "$1/releases/$2/qingdan-manifest.json"'''


def _secret_file(value: str, directory: Path, name: str) -> str:
    """A path given as is; key or host lines given as text (a CI secret) are written to a private file."""
    if "\n" not in value.strip() and not value.lstrip().startswith("-----") and Path(value).expanduser().exists():
        return str(Path(value).expanduser())
    path = directory / name
    path.write_text(value.strip() + "\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


class SshTarget(Target):
    kind = "ssh"

    def __init__(self, spec: str, host: str, path: str, user: str = "", port: int | None = None) -> None:
        super().__init__(spec)
        if shutil.which("ssh") is None or shutil.which("rsync") is None:
            raise PublishError("发布到 SSH 服务器需要本机有 ssh 和 rsync 命令",
                               "Debian/Ubuntu：apt-get install openssh-client rsync")
        self.dest = f"{user}@{host}" if user else host
        self.root = path.rstrip("/") or "/"
        self._tmp = Path(tempfile.mkdtemp(prefix="qingdan-ssh-"))
        opts = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=15",
                "-o", "ServerAliveCountMax=4", "-o", "ControlMaster=auto", "-o", f"ControlPath={self._tmp}/cm",
                "-o", "ControlPersist=10"]
        if port:
            opts += ["-p", str(port)]
        key = os.environ.get("QINGDAN_SSH_KEY", "")
        if key.strip():
            opts += ["-i", _secret_file(key, self._tmp, "key"), "-o", "IdentitiesOnly=yes"]
        known = os.environ.get("QINGDAN_SSH_KNOWN_HOSTS", "")
        if known.strip():
            opts += ["-o", f"UserKnownHostsFile={_secret_file(known, self._tmp, 'known_hosts')}"]
        opts += ["-o", "StrictHostKeyChecking=yes"]
        self.ssh_opts = opts
        self._state: tuple[str, list[str], Manifest | None] | None = None

    # -- plumbing ---------------------------------------------------------------------------------
    def _ssh(self, script: str, *args: str, stdin: bytes = b"") -> str:
        remote = " ".join(["sh", "-c", shlex.quote(script), "qingdan", *(shlex.quote(a) for a in args)])
        run = subprocess.run(["ssh", *self.ssh_opts, self.dest, remote], input=stdin, capture_output=True,
                             check=False)
        if run.returncode != 0:
            raise self._error(run.returncode, run.stderr.decode("utf-8", errors="replace"), "ssh")
        return run.stdout.decode("utf-8", errors="replace")

    def _error(self, code: int, stderr: str, tool: str) -> PublishError:
        detail = stderr.strip() or f"退出码 {code}"
        if tool == "ssh" and code == 255:
            return PublishError(f"无法通过 SSH 连接 {self.dest}：{detail}",
                                "检查地址和端口、密钥（QINGDAN_SSH_KEY 或 ssh-agent）和服务器的主机密钥"
                                "（~/.ssh/known_hosts 或 QINGDAN_SSH_KNOWN_HOSTS）；已发布的网站没有改动")
        return PublishError(f"在 {self.dest} 上执行{tool}失败：{detail}",
                            f"检查 {self.root} 是否可写、磁盘是否已满；网站仍是上一个版本，修正后重新发布即可")

    def _read_state(self) -> tuple[str, list[str], Manifest | None]:
        if self._state is None:
            out = self._ssh(_STATE, self.root)
            if out.startswith("not-a-link"):
                raise PublishError(f"{self.dest}:{self.root}/{CURRENT_LINK} 是普通目录，不是 qingdan 发布的版本链接",
                                   f"请把网站服务器的根目录改为 {self.root}/{CURRENT_LINK}，并先移走现有的目录")
            head, _, body = out.partition("--manifest--\n")
            current, releases = "", []
            for line in head.splitlines():
                key, _, value = line.partition("=")
                if key == "current":
                    current = value
                elif key == "release" and not value.startswith("."):
                    releases.append(value)
            manifest = Manifest.from_bytes(body.encode("utf-8"), f"{self.dest}:{self.root}") if body.strip() else None
            self._state = (current, sorted(releases), manifest)
        return self._state

    # -- the interface ----------------------------------------------------------------------------
    def served(self) -> tuple[str, Manifest | None]:
        current, _, manifest = self._read_state()
        return current, manifest

    def releases(self) -> list[str]:
        return self._read_state()[1]

    def publish(self, site_dir: Path, manifest: Manifest, plan: Plan, release: str, keep: int) -> None:
        current, releases, _ = self._read_state()
        self._state = None
        self._ssh(_PREPARE, self.root, release, current, stdin=b"".join(p.encode() + b"\0" for p in plan.upload + plan.delete))
        files = b"".join(p.encode("utf-8") + b"\0" for p in plan.upload)
        rsync = ["rsync", "-rt", "--chmod=D755,F644", "--protect-args", "--from0", "--files-from=-",
                 "-e", shlex.join(["ssh", *self.ssh_opts]), f"{site_dir}/",
                 f"{self.dest}:{self.root}/{RELEASES_DIR}/.{release}{PARTIAL_SUFFIX}/"]
        run = subprocess.run(rsync, input=files, capture_output=True, check=False)
        if run.returncode != 0:
            raise self._error(run.returncode, run.stderr.decode("utf-8", errors="replace"), " rsync ")
        checkpoint(len(plan.upload))
        self._ssh(_FINISH, self.root, release)
        prune = releases_to_prune(releases + [release], release, keep)
        if prune:
            self._ssh(_REMOVE, self.root, *prune)

    def rollback(self) -> Report:
        current, releases, served = self._read_state()
        previous = previous_release(releases, current) if current else None
        if previous is None or served is None:
            raise PublishError(f"{self.spec} 上没有可以回退的上一个版本",
                               "只有发布过至少两次、且上一个版本仍保留时才能回退（--keep 决定保留几个）")
        try:
            before = Manifest.from_bytes(self._ssh(_CAT, self.root, previous).encode("utf-8"))
        except ManifestError as exc:
            raise PublishError(f"上一个版本 {previous} 的 {MANIFEST_NAME} 无法读取：{exc}", "检查该目录是否被手工改动") from exc
        plan = make_plan(before, served, 0)
        self._ssh(_SWITCH, self.root, previous, current)
        self._state = None
        return Report.of_plan("rollback", self.spec, plan, release=previous, previous=current)

    def served_hashes(self) -> dict[str, str]:
        if not self.served()[0]:
            return {}
        out = self._ssh(_HASHES, self.root)
        hashes = {}
        for line in out.splitlines():
            digest, _, name = line.partition("  ")
            if name.startswith("./"):
                hashes[name[2:]] = digest.lstrip("\\")
        return hashes

    def close(self) -> None:
        subprocess.run(["ssh", *self.ssh_opts, "-O", "exit", self.dest], capture_output=True, check=False)
        shutil.rmtree(self._tmp, ignore_errors=True)
