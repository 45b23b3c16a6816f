"""R28: the retention rule is the profile's (`[distribution] retention_bp`): a profile with
another rule changes the split without a code change; a rule outside 0–100 % is refused when
the profile is loaded."""

from __future__ import annotations

import pytest

from dataip.config import load_profile, profile_from_toml
from dataip.distribution import Holder, Link, Node, split
from dataip.profiles import __file__ as profiles_init


def _toml(retention: object) -> str:
    from pathlib import Path

    text = (Path(profiles_init).parent / "guizhou-2024.toml").read_text("utf-8")
    return text.replace("retention_bp = 3000", f"retention_bp = {retention}")


def test_r28_shipped_profiles_keep_30_percent() -> None:
    assert load_profile("guizhou-2024").distribution_retention_bp == 3000
    assert load_profile("beijing-3y").distribution_retention_bp == 3000


def test_r28_another_retention_rule_changes_the_split() -> None:
    profile = profile_from_toml(_toml(5000))
    nodes = {
        "A": Node("A", "registration", (Holder("a", 10_000),)),
        "B": Node("B", "registration", (Holder("b", 10_000),)),
    }
    d = split(
        nodes=nodes,
        links=[Link("A", "B", 10_000)],
        root="A",
        income_fen=1000,
        retention_bp=profile.distribution_retention_bp,
    )
    assert d.amounts() == {"a": 500, "b": 500}


@pytest.mark.parametrize("bad", [10_001, -1, '"30%"', 30.5])
def test_r28_a_retention_outside_the_rule_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="retention_bp"):
        profile_from_toml(_toml(bad))
