"""Run calls at once in threads, released together, for tests of concurrent requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def race(*calls: Callable[[], Any], timeout: float = 120) -> list[Any]:
    """Run the calls in threads released together by a barrier; each result is the call's
    return value or the exception it raised (so a test sees a failure, not a hang)."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=30)
            results[i] = call()
        except BaseException as e:  # reported to the test, which asserts on it
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a request hung: lock wait or deadlock"
    return results
