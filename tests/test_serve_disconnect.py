"""`qingdan serve` as a browser uses it: tabs closed in the middle of a response leave no traceback."""

from __future__ import annotations

import socket
import struct
import time
import urllib.request
from pathlib import Path

from mini_project import make_project
from test_serve import start_serve


def biggest_files(site: Path, count: int) -> list[str]:
    files = sorted((p for p in site.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size, reverse=True)
    return ["/" + p.relative_to(site).as_posix() for p in files[:count]]


def close_mid_response(base: str, path: str) -> None:
    """Ask for a file, read a little of it, then close with a reset, as a closed tab does."""
    host, port = base.split("//", 1)[1].rstrip("/").split(":")
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the server's writes cannot all fit
    client.connect((host, int(port)))
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    client.recv(100)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


def test_tabs_closed_mid_response_leave_no_traceback(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    process, lines, base = start_serve(root)
    try:
        paths = biggest_files(root / "site", 5) + ["/", "/power/000131127004/"]
        assert (root / "site" / paths[0].lstrip("/")).stat().st_size > 100_000, paths[0]
        for _ in range(4):
            for path in paths:
                close_mid_response(base, path)
        time.sleep(2)  # the server threads meet the closed sockets
        with urllib.request.urlopen(base, timeout=10) as response:  # and it still serves
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    time.sleep(1)  # the reader thread takes the last lines
    output = "".join(lines.seen) + "".join(drain(lines))
    assert "Traceback" not in output and "Error" not in output and "Exception" not in output, output


def drain(lines) -> list[str]:
    out = []
    while not lines.queue.empty():
        out.append(lines.queue.get())
    return out
