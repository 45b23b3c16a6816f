"""tests/support/demo_world.py: the demo's world copied back is the world the population made —
every row of every table, the blob files, and where each id sequence stands (the next row
gets the id it would have got)."""

from __future__ import annotations

from datetime import datetime

from dataip.bootstrap import Registry
from dataip.services.context import SHANGHAI, Env
from tests.support import demo_world
from tests.support.db import empty, snapshot


def _sequences(registry: Registry) -> dict[str, int | None]:
    """Where each id sequence stands (PostgreSQL; on SQLite the next id is the largest id's
    successor, so the rows say it)."""
    if registry.engine.dialect.name != "postgresql":
        return {}
    with registry.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT c.relname, pg_sequence_last_value(c.oid) FROM pg_class c "
            "JOIN pg_sequence q ON q.seqrelid = c.oid"
        ).all()
    return {name: value for name, value in rows}


def test_demo_world_copied_back_is_the_populated_one(registry: Registry, env: Env) -> None:
    # a moment no other test populates at: this population is a real one, and kept
    env.clock.advance_to(datetime(2026, 9, 28, 10, 0, 1, tzinfo=SHANGHAI))
    made = demo_world.populate(env)
    populated, sequences = snapshot(registry), _sequences(registry)
    assert made["applications"] > 10 and len(populated["<blob files>"]) > 3
    empty(registry)  # as the `env` fixture leaves the registry for the next test
    env.forget_remembered()
    assert demo_world.populate(env) == made
    assert snapshot(registry) == populated
    assert _sequences(registry) == sequences
