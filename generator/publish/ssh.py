"""A server over SSH: the same release layout as a directory target, kept by rsync and a few shell commands.

`user@host:/srv/www/qingdan` or `ssh://user@host:2222/srv/www/qingdan`. The server needs sshd, a
POSIX shell, GNU coreutils and rsync (Debian: `apt-get install openssh-server rsync`). The key
comes from the SSH agent, from ~/.ssh, or from QINGDAN_SSH_KEY (a key file, or the key itself as
CI secrets hold it); the server's host key from ~/.ssh/known_hosts or QINGDAN_SSH_KNOWN_HOSTS
(a file, or its lines). Host keys are always checked: a publish never goes to an unknown server.

Under the target's lock (`<root>/.qingdan-lock`, generator/publish/lock.py), a new release starts as
hard links to the served one (`cp -al`, no bytes sent); rsync sends the changed files into it as
deltas against their previous versions (rsync writes each into a new file, so the served release is
never touched); the release is hashed on the server against its manifest; and `mv -T` renames a new
link over `current`: an atomic switch, as for a directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from generator.publish.base import (
    CURRENT_LINK,
    LOCK_LOST,
    RELEASES_DIR,
    PublishError,
    Target,
    checkpoint,
    release_mismatches,
    staging_name,
)
from generator.publish.guard import Guard, private_dir
from generator.publish.lock import Holder
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
if [ -n "$cur" ] && [ -f "$root/current/qingdan-manifest.json" ]; then dump_manifest "$root/current"; fi
'''

# The manifest's root, then each part after a NUL and its name (generator/publish/manifest.py).
_DUMP_MANIFEST = r'''cat "$1/qingdan-manifest.json"
for f in "$1"/qingdan-manifest/*.json; do [ -f "$f" ] || continue; printf '\000qingdan-manifest/%s\n' "${f##*/}"; cat "$f"; done'''

# The lock: <root>/.qingdan-lock/holder.json, put in place by one rename (generator/publish/lock.py).
_TOKEN_OF = r'''sed -n 's/.*"token": "\([0-9a-f]*\)".*/\1/p' "$1" 2>/dev/null || true'''

_TAKE_LOCK = r'''
set -e
root=$1; token=$2
mkdir -p "$root"
new="$root/.qingdan-lock.$token.new"
mkdir "$new"
cat > "$new/holder.json"
if mv -T "$new" "$root/.qingdan-lock" 2>/dev/null; then echo taken; exit 0; fi
rm -rf "$new"
echo held
cat "$root/.qingdan-lock/holder.json" 2>/dev/null || true
'''

_BREAK_LOCK = r'''
root=$1; want=$2; aside="$root/.qingdan-lock.$3.broken"
mv -T "$root/.qingdan-lock" "$aside" 2>/dev/null || { echo gone; exit 0; }
got=$(token_of "$aside/holder.json")
if [ "$got" = "$want" ]; then rm -rf "$aside"; echo broken
else mv -T "$aside" "$root/.qingdan-lock" 2>/dev/null || rm -rf "$aside"; echo other; fi
'''

_PREPARE = r'''
set -e
root=$1; stage=$2; cur=$3
mkdir -p "$root/releases"
cd "$root/releases"
mkdir "$stage"
if [ -n "$cur" ]; then cp -al "$cur/." "$stage/"; fi
cd "$stage"
xargs -0 -r rm -f --
'''

_UNLINK = r'''
set -e
cd "$1/releases/$2/"
xargs -0 -r rm -f --
'''

_STAGE_HASHES = r'''
set -e
cd "$1/releases/$2/"
find . -type f ! -path ./qingdan-manifest.json -print0 | xargs -0 -r sha256sum
'''

_FINISH = r'''
set -e
root=$1; stage=$2; rel=$3; token=$4
cd "$root"
find "releases/$stage" -mindepth 1 -depth -type d -empty -delete
sync
if [ "$(token_of .qingdan-lock/holder.json)" != "$token" ]; then exit 3; fi
mv "releases/$stage" "releases/$rel"
rm -f .current.tmp
ln -s "releases/$rel" .current.tmp
mv -T .current.tmp current
'''

_DROP_STAGING = r'''
root=$1; shift
for token in "$@"; do rm -rf "$root/releases/".*".$token.partial"; done
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
LOCK_LOST_EXIT = 3

_CAT = r'''dump_manifest "$1/releases/$2"'''


def _parse_manifest(out: str, where: str, strict: bool) -> Manifest:
    """What dump_manifest printed: the root, then "\\0<part>\\n<its bytes>" for each part."""
    root, *parts = out.split("\0")
    bodies = {}
    for part in parts:
        name, _, body = part.partition("\n")
        bodies[name] = body.encode("utf-8")
    return Manifest.load(root.encode("utf-8"), lambda parts: {name: bodies.get(name) for name in parts}, where, strict)


def _parse_hashes(out: str) -> dict[str, str]:
    """sha256sum's lines (`digest  ./path`) as path → digest."""
    hashes = {}
    for line in out.splitlines():
        digest, _, name = line.partition("  ")
        if name.startswith("./"):
            hashes[name[2:]] = digest.lstrip("\\")
    return hashes


def _is_path(value: str) -> bool:
    return "\n" not in value.strip() and not value.lstrip().startswith("-----") and Path(value).expanduser().exists()


def _secret_file(value: str, directory: Path, name: str) -> str:
    """A path given as is; key or host lines given as text (a CI secret) are written to a private file."""
    if _is_path(value):
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
        self.sent_bytes = 0
        self._tmp = private_dir()
        control = ["-o", f"ControlPath={self._tmp}/cm"]
        self._guard = Guard(self._tmp, ["ssh", *control, "-O", "exit", self.dest])
        self._agent: subprocess.Popen | None = None
        opts = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=15",
                "-o", "ServerAliveCountMax=4", "-o", "ControlMaster=auto", *control, "-o", "ControlPersist=10"]
        if port:
            opts += ["-p", str(port)]
        key = os.environ.get("QINGDAN_SSH_KEY", "")
        if key.strip():
            opts += self._identity(key)
        known = os.environ.get("QINGDAN_SSH_KNOWN_HOSTS", "")
        if known.strip():
            opts += ["-o", f"UserKnownHostsFile={_secret_file(known, self._tmp, 'known_hosts')}"]
        opts += ["-o", "StrictHostKeyChecking=yes"]
        self.ssh_opts = opts
        self._state: tuple[str, list[str], Manifest | None] | None = None

    def _identity(self, key: str) -> list[str]:
        """ssh options for QINGDAN_SSH_KEY. A path is used as is; key text (the CI form) goes to an
        ssh-agent started for this run and never touches the disk; without ssh-agent, to a file in
        the private directory, which the guard removes however the run ends."""
        if _is_path(key) or shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
            return ["-i", _secret_file(key, self._tmp, "key"), "-o", "IdentitiesOnly=yes"]
        sock = self._tmp / "agent.sock"
        self._agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **self._guard.options())
        for _ in range(200):  # the agent listens within milliseconds
            if sock.exists() or self._agent.poll() is not None:
                break
            time.sleep(0.01)
        add = subprocess.run(["ssh-add", "-q", "-"], input=key.strip().encode("utf-8") + b"\n", capture_output=True,
                             env={**os.environ, "SSH_AUTH_SOCK": str(sock), "SSH_ASKPASS_REQUIRE": "never"},
                             check=False, **self._guard.options())
        if add.returncode != 0:
            self.close()
            raise PublishError(f"QINGDAN_SSH_KEY 中的私钥无法使用：{add.stderr.decode('utf-8', 'replace').strip()}",
                               "放入完整的私钥文本（含 -----BEGIN 和 -----END 行），且不能有密码短语")
        return ["-o", f"IdentityAgent={sock}"]

    # -- plumbing ---------------------------------------------------------------------------------
    def _ssh(self, script: str, *args: str, stdin: bytes = b"") -> str:
        script = f"token_of() {{ {_TOKEN_OF.strip()}; }}\n{script}" if "token_of" in script else script
        script = f"dump_manifest() {{\n{_DUMP_MANIFEST}\n}}\n{script}" if "dump_manifest" in script else script
        remote = " ".join(["sh", "-c", shlex.quote(script), "qingdan", *(shlex.quote(a) for a in args)])
        run = subprocess.run(["ssh", *self.ssh_opts, self.dest, remote], input=stdin, capture_output=True,
                             check=False, **self._guard.options())
        if run.returncode == LOCK_LOST_EXIT and "token_of" in script:
            raise PublishError(LOCK_LOST, "另一次发布接管了发布锁；等它完成后用 --verify 核对，需要时重新发布")
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
            try:
                manifest = _parse_manifest(body, f"{self.dest}:{self.root}", strict=False) if body.strip() else None
            except ManifestError as exc:
                raise PublishError(str(exc), "目标上的清单文件已损坏；检查是否被手工改动，然后重新发布") from exc
            self._state = (current, sorted(releases), manifest)
        return self._state

    # -- the interface ----------------------------------------------------------------------------
    def served(self) -> tuple[str, Manifest | None]:
        current, _, manifest = self._read_state()
        return current, manifest

    def releases(self) -> list[str]:
        return self._read_state()[1]

    def publish(self, site_dir: Path, manifest: Manifest, plan: Plan, release: str, keep: int) -> None:
        assert self.holder is not None, "publish under the lock"
        current, releases, _ = self._read_state()
        self._state = None
        stage = staging_name(release, self.holder.token)
        # Files to delete go; files to change stay as hard links for rsync to read its delta from
        # (rsync writes each into a new file: the served release is never touched).
        self._ssh(_PREPARE, self.root, stage, current, stdin=b"".join(p.encode() + b"\0" for p in plan.delete))
        try:
            self.sent_bytes = self._rsync(site_dir, stage, plan.upload)
            checkpoint(len(plan.upload))
            self._check_release(site_dir, stage, manifest)
            self._ssh(_FINISH, self.root, stage, release, self.holder.token)
        except BaseException:
            self._ssh_quietly(_DROP_STAGING, self.root, self.holder.token)
            raise
        prune = releases_to_prune(releases + [release], release, keep)
        if prune:
            self._ssh(_REMOVE, self.root, *prune)

    def _rsync(self, site_dir: Path, stage: str, paths: list[str]) -> int:
        """Send `paths` into the staging release; the bytes that went over the wire."""
        files = b"".join(p.encode("utf-8") + b"\0" for p in paths)
        rsync = ["rsync", "-rt", "--ignore-times", "--chmod=D755,F644", "--protect-args", "--from0",
                 "--files-from=-", "--stats", "-e", shlex.join(["ssh", *self.ssh_opts]), f"{site_dir}/",
                 f"{self.dest}:{self.root}/{RELEASES_DIR}/{stage}/"]
        run = subprocess.run(rsync, input=files, capture_output=True, check=False, **self._guard.options())
        if run.returncode != 0:
            raise self._error(run.returncode, run.stderr.decode("utf-8", errors="replace"), " rsync ")
        sent = re.search(rb"Total bytes sent: ([\d,.]+)", run.stdout)
        return int(re.sub(rb"[,.]", b"", sent.group(1))) if sent else 0

    def _check_release(self, site_dir: Path, stage: str, manifest: Manifest) -> None:
        """Hash the new release on the server (one command) against the manifest before it is served.
        Files hard-linked from a served release damaged since are sent again; files it holds that the
        manifest does not list go."""
        wrong, extra = release_mismatches(manifest, _parse_hashes(self._ssh(_STAGE_HASHES, self.root, stage)))
        if extra:  # linked from a served release whose damaged manifest part did not list them
            self._ssh(_UNLINK, self.root, stage, stdin=b"".join(p.encode() + b"\0" for p in extra))
        if wrong:
            self.sent_bytes += self._rsync(site_dir, stage, wrong)
        if wrong or extra:
            wrong, extra = release_mismatches(manifest, _parse_hashes(self._ssh(_STAGE_HASHES, self.root, stage)))
        if wrong or extra:
            raise PublishError(f"服务器上的新版本与 {MANIFEST_NAME} 不符（{len(wrong)} 个文件缺少或内容不同，"
                               f"{len(extra)} 个多余，如 {(wrong + extra)[0]}），没有切换网站",
                               f"检查 {self.root} 所在磁盘是否已满或损坏，然后重新发布")

    def _ssh_quietly(self, script: str, *args: str) -> None:
        with contextlib.suppress(PublishError, OSError):
            self._ssh(script, *args)

    # -- the lock -----------------------------------------------------------------------------------
    def _try_lock(self, me: Holder) -> tuple[bool, Holder | None]:
        out = self._ssh(_TAKE_LOCK, self.root, me.token, stdin=me.to_bytes())
        head, _, record = out.partition("\n")
        return (True, None) if head == "taken" else (False, Holder.from_bytes(record.encode("utf-8")))

    def _break_lock(self, holder: Holder | None) -> bool:
        out = self._ssh(_BREAK_LOCK, self.root, holder.token if holder else "", uuid.uuid4().hex[:16])
        return out.strip() == "broken"

    def _drop_staging(self, tokens: list[str]) -> None:
        self._ssh(_DROP_STAGING, self.root, *tokens)

    def rollback(self) -> Report:
        current, releases, served = self._read_state()
        previous = previous_release(releases, current) if current else None
        if previous is None or served is None:
            raise PublishError(f"{self.spec} 上没有可以回退的上一个版本",
                               "只有发布过至少两次、且上一个版本仍保留时才能回退（--keep 决定保留几个）")
        try:
            before = _parse_manifest(self._ssh(_CAT, self.root, previous), f"{self.dest}:{previous}", strict=True)
        except ManifestError as exc:
            raise PublishError(f"上一个版本 {previous} 的 {MANIFEST_NAME} 无法读取：{exc}", "检查该目录是否被手工改动") from exc
        plan = make_plan(before, served, 0)
        self._ssh(_SWITCH, self.root, previous, current)
        self._state = None
        return Report.of_plan("rollback", self.spec, plan, release=previous, previous=current)

    def served_hashes(self) -> dict[str, str]:
        if not self.served()[0]:
            return {}
        return _parse_hashes(self._ssh(_HASHES, self.root))

    def close(self) -> None:
        """The connection master, the agent and the private directory go; the guard ends the rest."""
        self._guard.stop()
