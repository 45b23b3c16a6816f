"""Loopback ports for the tests' servers, reserved across processes.

The kernel's free port is only free *now*. A server stopped and started again on its port —
a restart, a rolling restart (tests/e2e/test_i25_key_rotation.py) — leaves it free in
between, and another test's server could be handed it: in this worker, the other xdist
worker, or CI's other pass. The restarted server then cannot bind, and its `/healthz` is
answered by the other registry (CI once saw certificates "not of this registry"). So every
port handed out here is reserved by a file, made with O_EXCL so that two processes cannot
both take it, and no other test is handed it until it is released or its holder process
has ended."""

from __future__ import annotations

import os
import random
import socket
import tempfile
from pathlib import Path

RESERVED = Path(tempfile.gettempdir()) / "dataip-test-ports"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _take(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        try:
            holder = int(path.read_text() or "0")
        except (OSError, ValueError):
            return False  # being written by its taker this instant
        if holder and _alive(holder):
            return False
        path.unlink(missing_ok=True)  # its holder ended without releasing it
        return _take(path)
    with os.fdopen(fd, "w") as f:
        f.write(str(os.getpid()))
    return True


def free_port() -> int:
    """A loopback port free now and held by no other test's server."""
    RESERVED.mkdir(exist_ok=True)
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if _take(RESERVED / str(port)):
            return port
    raise RuntimeError("no loopback port could be reserved")


# Below Linux's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range: 32768-60999 by
# default), so that no outgoing connection — a database pool's, an HTTP client's — is ever
# handed the port while its server is stopped between tests.
LASTING = range(20_000, 32_768)


def lasting_port() -> int:
    """A loopback port for a server that stops and starts again all session (the kept peer
    registry, tests/support/peers.py): free now, reserved like `free_port`'s, and outside
    the range the kernel hands out on its own."""
    RESERVED.mkdir(exist_ok=True)
    for port in random.sample(LASTING, 200):
        if not _take(RESERVED / str(port)):
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                release(port)  # a service of the machine's
                continue
        return port
    raise RuntimeError("no lasting loopback port could be reserved")


def release(port: int) -> None:
    """The server on `port` is gone for good: another test may have the port."""
    path = RESERVED / str(port)
    try:
        if int(path.read_text() or "0") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass
