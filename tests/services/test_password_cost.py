"""Password hashing cost (argon2id): the standard parameters unless the settings ask for the
test profile, which production refuses; a hash made at one cost is re-made at the other on
the next login, so changing the setting needs no migration."""

from __future__ import annotations

import dataclasses

import pytest
from argon2 import PasswordHasher, extract_parameters

from dataip.bootstrap import ConfigurationError, password_hasher
from dataip.config import Settings
from dataip.domain.errors import DomainError
from dataip.services import accounts
from dataip.services.context import Env


def test_standard_cost_is_the_default_and_rfc_9106_low_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATAIP_PASSWORD_COST", raising=False)
    settings = Settings()
    assert settings.password_cost == "standard"
    params = extract_parameters(password_hasher(settings).hash("pass-word-1"))
    assert (params.memory_cost, params.time_cost) == (65536, 3)


def test_test_cost_is_refused_in_production() -> None:
    with pytest.raises(ConfigurationError, match="DATAIP_PASSWORD_COST"):
        password_hasher(Settings(env="production", password_cost="test"))


def test_a_hash_at_the_old_cost_is_remade_at_login(env: Env) -> None:
    user = accounts.sign_up(
        accounts.ANONYMOUS,
        env=env,
        username="cost-change",
        password="pass-word-1",
        display_name="成本",
    )
    with env.read() as uow:
        before = uow.users.by_username("cost-change")
        assert before is not None
        old = before.password_hash
    assert extract_parameters(old).memory_cost == 8  # the suite's test cost
    standard = PasswordHasher()
    env_std = dataclasses.replace(env, password_hasher=standard)
    accounts.login(env=env_std, username="cost-change", password="pass-word-1", client="test")
    with env.read() as uow:
        after = uow.users.by_username("cost-change")
        assert after is not None and after.id == user.id
        assert extract_parameters(after.password_hash).memory_cost == 65536
    with pytest.raises(DomainError):
        accounts.login(env=env_std, username="cost-change", password="wrong-pass-1", client="test")
