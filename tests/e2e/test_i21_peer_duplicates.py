"""Issue 21 §5 (R4, G§10, G§13(3)): a registry follows its peers' event feeds and warns the
examiner when an application's evidence or name matches a registration in force elsewhere.

A second real registry (Beijing's profile) is served on loopback; this registry authenticates
to it as an institutional client of kind `registry` (private_key_jwt, its own key), pages its
CloudEvents feed over real HTTP, reads each named registration's public record and verified
certificate, and keeps the facts; the examiner's API view and page show the warning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.certs import vc
from dataip.cli.main import app
from dataip.federation.peers import name_key, name_similarity
from dataip.federation.trust_list import RegistryEntry
from dataip.services import ledger
from dataip.services.after_registration import action
from dataip.services.context import Env, FixedClock, Identity
from dataip.services.federation import peers_feed, trust
from dataip.services.sharing import institutions
from tests.e2e.pages.test_applicant_pages import sign_in
from tests.support.api import Api, World, complete_form, make_uscc
from tests.support.federation import federation, list_server, operator, signed, trust_list
from tests.support.peers import Foreign, foreign_registry, own_entry

BEIJING = "北京市知识产权保护中心"


@pytest.fixture
def beijing(clock: FixedClock) -> Iterator[Foreign]:
    with foreign_registry(clock) as peer:
        yield peer


@pytest.fixture
def followed(env: Env, registry: Registry, beijing: Foreign, tmp_path: Path) -> Iterator[Foreign]:
    """This registry with a trust list naming Beijing, and a client of its own at Beijing."""
    with federation(env, peer_client_key_file=tmp_path / "peer-client.jwk"):
        _list(env, registry, beijing.entry())
        inst = institutions.register(
            Identity(user_id=0, role="registrar_admin", username="operator"),
            env=beijing.registry.env,
            kind="registry",
            name="贵州省数据知识产权登记中心",
            uscc=make_uscc(52_000_21),
            scopes=["events:read"],
            jwks=peers_feed.client_jwks(env),
        )
        peers_feed.set_client(env, beijing.url, inst.client_id)
        yield beijing


def _list(env: Env, registry: Registry, peer: RegistryEntry, sequence: int = 1) -> None:
    trust.accept(env, signed(trust_list(own_entry(registry), peer, sequence=sequence)))


def _peer_facts(peer: Foreign) -> tuple[str, str, str]:
    """(number, name, evidence hash) of the peer's first registration, from its certificate."""
    number, token = peer.token()
    _, credential = vc.peek(token)
    subject = credential["credentialSubject"]
    digest = str(subject["evidence"]["hash"]).lower().split(":", 1)[-1]
    return number, str(subject["name"]), digest


def _cursor(env: Env, issuer: str) -> int:
    with env.read() as uow:
        row = uow.peer_feeds.get(issuer)
    assert row is not None
    return int(row["cursor"])


def _rows(env: Env) -> list[dict[str, Any]]:
    with env.read() as uow:
        return [
            dict(r._mapping)
            for r in uow.session.execute(sa.text("SELECT * FROM peer_registrations"))
        ]


def _elsewhere(api: Api, examiner: str, aid: int) -> list[dict[str, Any]]:
    r = api.get(examiner, aid)
    assert r.status_code == 200, r.text
    got: list[dict[str, Any]] = r.json()["checks"]["registered_elsewhere"]
    return got


def test_r4_same_evidence_as_a_peer_registration_warns_the_examiner(
    api: Api, env: Env, followed: Foreign
) -> None:
    number, name, digest = _peer_facts(followed)
    report = peers_feed.follow(env)
    assert report.failed == {} and report.stored >= 1
    assert report.followed[followed.url] == _cursor(env, followed.url) >= 0
    w = api.world()
    evidence = {
        "platform": "北京数据知识产权存证平台",
        "certificate_number": "BJ-001",
        "hash_value": digest,
        "evidenced_on": "2026-09-01",
    }
    aid = w.submitted(name="城市公交客流预测数据集", evidence=evidence)
    found = _elsewhere(api, w.examiner, aid)
    assert [(d["registration_number"], d["matched"]) for d in found] == [(number, ["evidence"])]
    assert found[0]["registry"] == BEIJING and found[0]["name"] == name
    assert found[0]["url"] == f"{followed.url}/registrations/{number}"
    # the examiner's page, in Chinese first: which registry, the number linked, what matched
    sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    assert "已在其他登记机构登记" in page and BEIJING in page
    assert f'href="{followed.url}/registrations/{number}"' in page
    assert "存证相同" in page and "由审查员判断" in page
    assert "evidence" not in page.split("已在其他登记机构登记")[1].split("</dd>")[0]
    en = api.c.get(f"/workbench/applications/{aid}?lang=en").text
    assert "Registered at another registry" in en and "(same evidence)" in en
    # a warning, not a refusal: the examiner may still accept
    api.ok(w.examiner, aid, "accept")
    # the applicant does not see the warning (the examiner's)
    assert _elsewhere(api, w.applicant, aid) == []


def test_r4_a_name_that_matches_after_normalisation_warns(
    api: Api, env: Env, followed: Foreign
) -> None:
    number, name, _ = _peer_facts(followed)
    assert peers_feed.follow(env).failed == {}
    w = api.world()
    # an ideographic space and a middle dot: the same name once normalised (NFKC, no
    # whitespace or punctuation)
    variant = name[:2] + "\u3000" + name[2:3] + "·" + name[3:]
    assert name_key(variant) == name_key(name) and variant != name
    aid = w.submitted(name=variant)
    found = _elsewhere(api, w.examiner, aid)
    assert [(d["registration_number"], d["matched"]) for d in found] == [(number, ["name"])]
    sign_in(api, w.examiner)
    assert "名称相同" in api.c.get(f"/workbench/applications/{aid}").text
    # an application that matches nothing shows none
    other_evidence = {**complete_form(sample="x")["evidence"], "hash_value": "cd" * 32}
    other = w.submitted(name="城市停车泊位预测数据集", evidence=other_evidence)
    assert _elsewhere(api, w.examiner, other) == []


def test_r4_the_same_holder_with_a_similar_name_warns(
    api: Api, env: Env, followed: Foreign
) -> None:
    """The peer's certificate shows its legal-person holder's credit code (public, G§17): an
    application here by a party with that code, under a similar name (rapidfuzz's Indel
    similarity of the normalised names at least 80 %), is warned of — saying why, never the
    code; the same name by another holder, or another name by the same holder, is not."""
    number, name, _ = _peer_facts(followed)
    _, token = followed.token()
    holders = vc.peek(token)[1]["credentialSubject"]["holders"]
    code = next(h["creditCode"] for h in holders if h.get("creditCode"))
    assert peers_feed.follow(env).failed == {}
    with env.read() as uow:
        kept = uow.peer_feeds.with_holders([code])
    # the peer's demo holds other registrations of the same holder too: every one is kept
    assert number in [r["registration_number"] for r in kept]
    assert all(r["shared"] == [code] for r in kept)

    w = api.world()
    same_holder = api.party(
        w.applicant, name="北京同一持有人有限公司", id_number=code, verify_by=w.examiner
    )
    holder = World(api, w.examiner, w.applicant, same_holder)
    similar = "全省" + name
    assert 80 <= name_similarity(similar, name) < 100
    evidence = {**complete_form(sample="x")["evidence"], "hash_value": "ef" * 32}
    aid = holder.submitted(name=similar, evidence=evidence)
    found = _elsewhere(api, w.examiner, aid)
    assert [(d["registration_number"], d["matched"]) for d in found] == [
        (number, ["holder_similar_name"])
    ]
    assert found[0]["similarity"] == name_similarity(similar, name)
    assert found[0]["registry"] == BEIJING and code not in json.dumps(found)
    sign_in(api, w.examiner)
    page = api.c.get(f"/workbench/applications/{aid}").text
    row = page.split("已在其他登记机构登记")[1].split("</dd>")[0]
    assert BEIJING in row and number in row
    assert f"同一持有人、名称相近（相似度 {found[0]['similarity']}%）" in row
    assert code not in row and "holder_similar_name" not in row
    en = api.c.get(f"/workbench/applications/{aid}?lang=en").text
    assert f"same holder, similar name ({found[0]['similarity']}% alike)" in en
    # another name by the same holder: no warning
    other_evidence = {**evidence, "hash_value": "ab" * 32}
    other = holder.submitted(name="城市停车泊位预测数据集", evidence=other_evidence)
    assert name_similarity("城市停车泊位预测数据集", name) < 80
    assert _elsewhere(api, w.examiner, other) == []
    # the similar name by another holder (another code): no warning either
    stranger = w.submitted(name=similar, evidence={**evidence, "hash_value": "cd" * 32})
    assert _elsewhere(api, w.examiner, stranger) == []


def test_i21_the_cursor_resumes_without_duplicates_and_a_revocation_ends_the_match(
    api: Api, env: Env, followed: Foreign
) -> None:
    number, name, digest = _peer_facts(followed)
    first = peers_feed.follow(env)
    assert first.failed == {}
    cursor, rows = _cursor(env, followed.url), _rows(env)
    assert {r["registration_number"] for r in rows} >= {number}
    # a restart: a new run reads from the stored cursor, nothing new, nothing duplicated
    again = peers_feed.follow(env)
    assert again.stored == 0 and _cursor(env, followed.url) == cursor
    assert len(_rows(env)) == len(rows)

    # Beijing revokes the registration; its event reaches the feed once logged
    peer = followed.registry
    with peer.env.read() as uow:
        examiner = uow.users.by_username("examiner")
    assert examiner is not None
    action.perform(
        Identity(user_id=examiner.id, role="examiner", username="examiner"),
        env=peer.env,
        number=number,
        action="revoke",
        payload={"grounds": [1], "reason": "登记后发现存在不予登记情形"},
    )
    ledger.integrate(peer.env, peer.log_keys)
    later = peers_feed.follow(env)
    assert later.failed == {} and later.stored == 1
    assert _cursor(env, followed.url) > cursor
    row = next(r for r in _rows(env) if r["registration_number"] == number)
    assert row["state"] == "revoked" and not row["in_force"]
    assert len(_rows(env)) == len(rows)  # replaced, not added
    w = api.world()
    aid = w.submitted(name=name[:100])
    assert _elsewhere(api, w.examiner, aid) == []
    assert digest  # the certificate showed one


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b"boom"), (200, b"<html>not json</html>"), (200, b'[{"sequence": "x"}]')],
)
def test_i21_a_feed_answering_garbage_or_500_leaves_the_cursor(
    env: Env, registry: Registry, followed: Foreign, status: int, body: bytes
) -> None:
    with list_server() as feed:
        feed.status, feed.body = status, body
        doc = followed.entry().to_json() | {"feed": feed.url}
        _list(env, registry, RegistryEntry.from_json(doc), sequence=2)
        report = peers_feed.follow(env)
        assert feed.requests == 1
    assert list(report.failed) == [followed.url]
    assert _cursor(env, followed.url) == -1 and _rows(env) == []
    with env.read() as uow:
        row = uow.peer_feeds.get(followed.url)
    assert row is not None and row["last_error"]


def test_i21_a_peer_without_a_client_is_skipped(
    env: Env, registry: Registry, beijing: Foreign, tmp_path: Path
) -> None:
    with federation(env, peer_client_key_file=tmp_path / "k.jwk"):
        _list(env, registry, beijing.entry())
        report = peers_feed.follow(env)
    assert report.skipped == [beijing.url] and report.stored == 0 and _rows(env) == []


def test_i21_dataip_federation_follow_for_cron(
    env: Env,
    registry: Registry,
    beijing: Foreign,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with federation(env):
        _list(env, registry, beijing.entry())
    monkeypatch.setenv("DATAIP_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("DATAIP_DATABASE_URL", registry.settings.resolved_database_url())
    monkeypatch.setenv("DATAIP_NOW", clock.now().isoformat())
    monkeypatch.setenv("DATAIP_FEDERATION_OPERATOR_KEY", operator().verifier().to_text())
    monkeypatch.setenv("DATAIP_PEER_CLIENT_KEY_FILE", str(tmp_path / "cli-client.jwk"))
    for name in ("DATAIP_PUBLIC_BASE_URL", "DATAIP_HOST", "DATAIP_PORT", "DATAIP_LOG_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    r = runner.invoke(app, ["federation", "follow"])
    assert r.exit_code == 0 and "no client 1" in r.output, r.output
    # the peer's admin registers this registry's key; the client_id comes back
    r = runner.invoke(app, ["federation", "client-jwks"])
    assert r.exit_code == 0, r.output
    jwks = json.loads(r.output)
    assert "d" not in jwks["keys"][0]  # the public half only
    inst = institutions.register(
        Identity(user_id=0, role="registrar_admin", username="operator"),
        env=beijing.registry.env,
        kind="registry",
        name="贵州省数据知识产权登记中心",
        uscc=make_uscc(52_000_22),
        scopes=["events:read"],
        jwks=jwks,
    )
    r = runner.invoke(app, ["federation", "peer-client", beijing.url, inst.client_id])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["federation", "follow", "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert got["failed"] == {} and got["stored"] >= 1 and got["followed"][beijing.url] >= 0
    beijing.stop()
    r = runner.invoke(app, ["federation", "follow"])
    assert r.exit_code == 1 and beijing.url in r.output, r.output
