"""Issue 22 §4: `dataip rankings refresh` closes the days up to yesterday and rebuilds the
hotness ranking; the demo's ranking is populated; `dataip tick` reports the days it closed."""

from __future__ import annotations

import json

from tests.e2e.cli.test_cli import cli_env, run  # noqa: F401  (the fixture)


def test_r27_rankings_refresh_and_the_demo_ranking(cli_env: None) -> None:  # noqa: F811
    out = run("demo")
    assert "hotness_ranked" in out
    report = json.loads(run("rankings", "refresh", "--json"))
    assert report["as_of"] == "2026-11-22" and report["ranked"] >= 3
    assert report["days_closed"] == 0  # the demo closed its days already
    later = json.loads(run("rankings", "refresh", "--json", "--as-of", "2026-11-26T09:00:00+08:00"))
    assert later == {"as_of": "2026-11-25", "days_closed": 3, "ranked": report["ranked"]}
    tick = json.loads(run("tick", "--as-of", "2026-11-27T09:00:00+08:00", "--json"))
    assert tick["signal_days_closed"] == 1
    # a closed day stays closed, even for a clock set earlier
    assert "ranking as of 2026-11-26" in run("rankings", "refresh")
