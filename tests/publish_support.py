"""Real servers on 127.0.0.1 for the publish tests, and the git repositories they publish from.

`SshServer` runs OpenSSH's sshd from the Debian package (openssh-server) on a free port with a
throwaway host key and client key in a temp directory; `S3Server` runs moto's standalone S3
server. Both are stopped when the `with` block ends. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from demo_project import copy_demo_project

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "编办",
    "GIT_AUTHOR_EMAIL": "bianban@example.gov.cn", "GIT_COMMITTER_NAME": "编办",
    "GIT_COMMITTER_EMAIL": "bianban@example.gov.cn",
}


def git(root: Path, *args: str, date: str = "2024-03-01T10:00:00+08:00") -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def demo_repo(root: Path) -> Path:
    """The demo county as a git repository with one commit; site/ and .cache/ ignored, as in a real project."""
    copy_demo_project(root)
    config = root / "site_config.yml"  # editions are another test's business: a one-item change here
    config.write_text(re.sub(r"  declared:\n(    - .*\n)+", "", config.read_text(encoding="utf-8")), encoding="utf-8")
    (root / ".gitignore").write_text("site/\n.cache/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "初始清单", date="2024-01-02T10:00:00+08:00")
    return root


def change_one_item(root: Path) -> None:
    """Edit the 办理条件 of one item (食品经营许可) and commit it, as a department would."""
    path = root / "lists" / "power" / "scjgj.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("保持规定的距离。", "保持规定的距离（2024年修订）。", 1)
    path.write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "县市场监管局：调整食品经营许可的办理条件\n\n调整依据: 示府字〔2024〕1号\n生效日期: 2024-03-01")


def qingdan(project: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`python -m generator --project … <args>` as an operator would run it."""
    return subprocess.run([sys.executable, "-m", "generator", "--project", str(project), *args],
                          env={**os.environ, **GIT_ENV, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)


def tree(root: Path) -> dict[str, str]:
    """Every file under root → SHA-256 of its bytes (symbolic links followed)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {log.read_text(errors='replace')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


def _stop(proc: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class SshServer:
    def __init__(self, home: Path, port: int, env: dict[str, str]) -> None:
        self.home, self.port, self.env = home, port, env
        self.user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()

    def spec(self, path: Path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{path}"


@contextmanager
def ssh_server(home: Path):
    """sshd on 127.0.0.1 as the current user; yields the server and the env a client needs."""
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / "host_key")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / "client_key")], check=True)
    shutil.copy(home / "client_key.pub", home / "authorized_keys")
    port = free_port()
    host_pub = (home / "host_key.pub").read_text().split()
    (home / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n")
    config = home / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {home / 'host_key'}", f"PidFile {home / 'sshd.pid'}",
        f"AuthorizedKeysFile {home / 'authorized_keys'}", "StrictModes no", "UsePAM no",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
        "LogLevel ERROR", "",
    ]))
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation directory (made by the service normally)
    log = home / "sshd.log"  # a file, not a pipe: a full pipe would stop the server
    with log.open("wb") as sink:
        proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stdout=sink, stderr=sink,
                                start_new_session=True)
    try:
        wait_for_port(port, proc, "sshd", log)
        env = {"QINGDAN_SSH_KEY": str(home / "client_key"), "QINGDAN_SSH_KNOWN_HOSTS": str(home / "known_hosts")}
        yield SshServer(home, port, env)
    finally:
        _stop(proc)


@contextmanager
def s3_server(bucket: str, home: Path):
    """moto's standalone S3 server on 127.0.0.1 with one bucket; yields the env a client needs."""
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    log = home / "moto.log"  # it logs every request: a pipe nobody reads would fill and stop it
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=sink, stderr=sink, start_new_session=True)
    env = {"QINGDAN_S3_ENDPOINT": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "cn-north-1", "QINGDAN_S3_ADDRESSING_STYLE": "path"}
    try:
        wait_for_port(port, proc, "moto S3 server", log)
        client = s3_client(env)
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
        yield env
    finally:
        _stop(proc)


def s3_client(env: dict[str, str]):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=env["QINGDAN_S3_ENDPOINT"], region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        config=Config(s3={"addressing_style": "path"}))


def s3_tree(env: dict[str, str], bucket: str, prefix: str) -> dict[str, str]:
    """Everything the bucket serves under prefix → SHA-256 (qingdan's bookkeeping must not be there)."""
    client = s3_client(env)
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            out[obj["Key"][len(prefix):]] = hashlib.sha256(body).hexdigest()
    return out
