"""Issue 25 §6: how many PostgreSQL connections a server process may hold is the operator's
to size against the server's max_connections (PostgreSQL's default: 100). Each process held up
to 55 by a fixed default (writers 10 + 20 overflow, readers 5 + 20): `dataip serve --workers 2`
with `dataip tick` and the integrator could run a default PostgreSQL out of connections under
load. `DATAIP_DATABASE_POOL_SIZE` and `DATAIP_DATABASE_MAX_OVERFLOW` set them."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dataip.bootstrap import build
from dataip.config import Settings

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATAIP_DATABASE_URL", "").startswith("postgresql"),
    reason="connection pools are PostgreSQL's (SQLite is a file in the process)",
)


def test_i25_a_process_holds_at_most_its_pools_connections(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        database_url=database_url,
        password_cost="test",
        database_pool_size=2,
        database_max_overflow=1,
    )
    reg = build(settings)
    try:
        assert (reg.engine.pool.size(), reg.engine.pool._max_overflow) == (2, 1)
        assert (reg.reader_engine.pool.size(), reg.reader_engine.pool._max_overflow) == (5, 1)
        # six threads at once through the writers' pool: PostgreSQL sees at most 2 + 1 of them
        mine = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'pools-test'"
        )

        def hold() -> int:
            with reg.engine.connect() as c:
                c.exec_driver_sql("SET application_name = 'pools-test'")
                c.exec_driver_sql("SELECT pg_sleep(0.3)")
                n = int(c.exec_driver_sql(mine).scalar_one())
                c.exec_driver_sql("RESET application_name")
                return n

        with ThreadPoolExecutor(6) as pool:
            seen = list(pool.map(lambda _: hold(), range(6)))
        assert max(seen) <= 3, seen
    finally:
        reg.dispose()
