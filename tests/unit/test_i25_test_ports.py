"""The tests' loopback ports (tests/support/ports.py): a port handed to one test's server is
handed to no other while that server may start on it again — CI once saw a restarted server's
`/healthz` answered by another test's registry that had been given its port."""

from __future__ import annotations

import os
import subprocess
import sys

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
