"""Issue 21 §4 on the portal: the /verify page says whether the certificate's log view is
witnessed by the quorum of the registry's witness policy — met, not met (the signature is
authentic, the view is not witnessed: who did cosign), or not evaluated — in Chinese first,
with the witnesses named by their registries, never a raw code."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from dataip.bootstrap import Registry
from dataip.services import ledger
from dataip.services.context import Env, FixedClock
from dataip.services.federation import trust
from tests.e2e.api.test_i21_verify_quorum import _peers, cosigned_by
from tests.support.api import Api
from tests.support.federation import federation, signed, trust_list
from tests.support.peers import Foreign, foreign_registry, own_entry


@pytest.fixture
def beijing(clock: FixedClock) -> Iterator[Foreign]:
    with foreign_registry(clock) as peer_registry:
        yield peer_registry


def _page(api: Api, token: str, query: str = "") -> str:
    form = api.c.get(f"/verify{query}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    r = api.c.post(f"/verify{query}", data={"csrf_token": csrf.group(1), "token": token})
    assert r.status_code == 200, r.text[-2000:]
    return r.text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_r25_verify_page_reports_the_witness_quorum(
    api: Api, env: Env, registry: Registry, beijing: Foreign
) -> None:
    _, token = beijing.token()
    size, note = ledger.checkpoint_note(beijing.registry.env)
    cosigned_by(beijing.registry.env, note, size, "3300", "3200")
    with federation(env):
        trust.accept(env, signed(trust_list(own_entry(registry), beijing.entry(), *_peers())))
        page = _text(_page(api, token))
        assert "见证法定数" in page and "未核验" in page and "未配置见证策略" in page
    with federation(env, policy_quorum=2):
        page = _text(_page(api, token))
        assert "日志视图已获本机构见证策略要求的法定数见证人联署" in page
        assert "已联署的见证人： registry 3200, registry 3300" in page
        assert "中的 2 个" in page and "2 of (" not in page
    with federation(env, policy_quorum=3):
        page = _text(_page(api, token))
        assert "签名真实，但日志视图未获本机构见证策略要求的法定数见证人联署" in page
        assert "已联署的见证人： registry 3200, registry 3300" in page
        assert "quorum_not_met" not in page and "not_met" not in _text(page)
        # and in English (the choice is kept: last)
        english = _text(_page(api, token, "?lang=en"))
        assert "The signature is authentic, but the log view is NOT witnessed" in english
        assert "Required: 3 of (" in english
