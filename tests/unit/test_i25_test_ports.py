"""The tests' loopback ports (tests/support/ports.py): a port handed to one test's server is
handed to no other while that server may start on it again — CI once saw a restarted server's
`/healthz` answered by another test's registry that had been given its port."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ports


def test_i25_a_reserved_port_is_not_handed_out_again_until_released() -> None:
    port = ports.free_port()
    path = ports.RESERVED / str(port)
    try:
        assert path.read_text() == str(os.getpid())
        assert not ports._take(path)  # held by a live process (this one)
    finally:
        ports.release(port)
    assert not path.exists()
    assert ports._take(path)  # free again
    ports.release(port)


def test_i25_a_dead_holders_reservation_is_taken_over() -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    path = ports.RESERVED / "1"  # a port no test is handed (below 1024)
    ports.RESERVED.mkdir(exist_ok=True)
    path.write_text(dead.stdout.strip())
    try:
        assert ports._take(path)
        assert path.read_text() == str(os.getpid())
    finally:
        path.unlink(missing_ok=True)


def test_i25_a_lasting_port_is_outside_the_kernels_own_range_and_reserved() -> None:
    kernel = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    low, high = int(kernel[0]), int(kernel[1])
    taken = [ports.lasting_port() for _ in range(3)]
    try:
        assert len(set(taken)) == 3
        for port in taken:
            assert port in ports.LASTING and not low <= port <= high
            assert (ports.RESERVED / str(port)).read_text() == str(os.getpid())
    finally:
        for port in taken:
            ports.release(port)
    assert not any((ports.RESERVED / str(p)).exists() for p in taken)
