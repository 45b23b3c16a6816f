"""R29 (issue 23 §4): needs are matched to registrations and registrations to needs; a
published need is pushed to the holders of its strong matches only, a granted registration to
the authors of the needs it matches; contact goes through the platform and neither side sees
the other's details until both agreed."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.bootstrap import Registry
from dataip.services import scheduler
from tests.support.api import Api, problem
from tests.support.db import changed_tables, count, snapshot
from tests.support.matching import BUS, CT, METRO, NEEDS, holder, inbox, need_body, user_with_email

NO_SUCH = "2026105200009999"


@pytest.fixture
def market(api: Api) -> dict[str, Any]:
    """Three holders (bus ridership, metro ridership, chest CT) and an author with e-mail
    addresses; the clock at the approvals, 2026-10-13."""
    examiner = api.user("examiner")
    out: dict[str, Any] = {"examiner": examiner}
    for key, form in (("bus", BUS), ("metro", METRO), ("ct", CT)):
        who = user_with_email(api, f"holder_{key}", f"{key}@holder.example")
        w, number = holder(api, examiner, who, **form)
        out[key] = (who, number, w.party)
    author = user_with_email(api, "need_author", "author@need.example")
    out["author"] = author
    out["author_party"] = api.party(author, name="贵阳公交规划研究院", verify_by=examiner)
    scheduler.tick(env=api.c.app.state.registry.env)  # type: ignore[attr-defined]
    return out


def _publish(api: Api, m: dict[str, Any], **over: Any) -> dict[str, Any]:
    r = api.c.post(NEEDS, headers=api.h(m["author"]), json=need_body(m["author_party"], **over))
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_r29_need_is_pushed_to_the_right_holders_only(api: Api, market: dict[str, Any]) -> None:
    need = _publish(api, market)
    bus_holder, bus_number, _ = market["bus"]
    pushed = inbox(api, bus_holder, "need_match")
    assert [(n["body"]["need_id"], n["body"]["registration_number"]) for n in pushed] == [
        (need["id"], bus_number)
    ]
    for other in ("metro", "ct"):
        assert inbox(api, market[other][0], "need_match") == [], other
    assert inbox(api, market["author"], "need_match") == []
    matches = api.c.get(f"{NEEDS}/{need['id']}/matches").json()
    assert matches[0]["registration_number"] == bus_number and matches[0]["strong"] is True
    assert market["ct"][1] not in [x["registration_number"] for x in matches if x["strong"]]


def test_r29_push_is_served_once(api: Api, market: dict[str, Any], registry: Registry) -> None:
    _publish(api, market)
    scheduler.tick(env=registry.env)
    scheduler.tick(env=registry.env)
    assert count(registry, "need_pushes") == 1
    assert len(inbox(api, market["bus"][0], "need_match")) == 1


def test_r29_matches_filters(api: Api, market: dict[str, Any]) -> None:
    need = _publish(api, market, data_wanted="需要公交和地铁各站点分时段的客流数据，用于线网优化")
    url = f"{NEEDS}/{need['id']}/matches"
    numbers = lambda **q: [x["registration_number"] for x in api.c.get(url, params=q).json()]  # noqa: E731
    assert {market["bus"][1], market["metro"][1]} <= set(numbers())
    assert numbers(industry="5412") == [market["metro"][1]]
    assert numbers(region="11") == []  # the holders' credit codes are Guizhou's (52)
    assert set(numbers(region="52")) == set(numbers())


def test_r29_registration_page_lists_matching_needs(api: Api, market: dict[str, Any]) -> None:
    need = _publish(api, market)
    bus = api.c.get(f"/api/v1/registrations/{market['bus'][1]}/needs").json()
    assert [n["id"] for n in bus] == [need["id"]]
    assert api.c.get(f"/api/v1/registrations/{market['ct'][1]}/needs").json() == []
    problem(
        api.c.get("/api/v1/registrations/2026105200009999/needs"), 404, "registration_not_found"
    )


def test_r29_granted_registration_is_pushed_to_matching_needs_authors(
    api: Api, market: dict[str, Any], registry: Registry
) -> None:
    ct_need = _publish(
        api,
        market,
        title="训练肺部病灶辅助诊断模型",
        scenario="healthcare",
        industry_code="8411",
        data_wanted="医疗人工智能公司需要带医生标注的胸部CT片，用于训练肺结节检测模型",
    )
    assert inbox(api, market["ct"][0], "need_match")  # the CT holder was told at once
    newcomer = user_with_email(api, "new_holder", "new@holder.example")
    _, number = holder(
        api,
        market["examiner"],
        newcomer,
        name="肺部CT影像结节分割标注数据集",
        industry_code="8411",
        scenarios={"values": ["healthcare", "sci_tech"]},
        processing_rules="胸部CT影像经脱敏后由医师勾画肺结节轮廓",
    )
    api.at("2026-10-14 09:00")
    assert inbox(api, market["author"], "registration_match") == []
    report = scheduler.tick(env=registry.env)
    assert report.match_notices == 1
    got = inbox(api, market["author"], "registration_match")
    assert [(n["body"]["need_id"], n["body"]["registration_number"]) for n in got] == [
        (ct_need["id"], number)
    ]
    for key in ("bus", "metro", "ct"):
        assert inbox(api, market[key][0], "registration_match") == []
    assert scheduler.tick(env=registry.env).match_notices == 0


def _contacts(api: Api, who: str) -> list[dict[str, Any]]:
    r = api.c.get("/api/v1/contacts", headers=api.h(who))
    assert r.status_code == 200, r.text
    return list(r.json())


def test_r29_contact_details_hidden_until_both_agree(api: Api, market: dict[str, Any]) -> None:
    need = _publish(api, market)
    bus_holder, bus_number, _ = market["bus"]
    # the published need never names its author
    assert "贵阳公交规划研究院" not in api.c.get(f"{NEEDS}/{need['id']}").text
    r = api.c.post(
        f"{NEEDS}/{need['id']}/contacts",
        headers=api.h(bus_holder),
        json={"registration_number": bus_number},
    )
    assert r.status_code == 201, r.text
    proposed = r.json()
    assert proposed["state"] == "proposed" and proposed["other"] is None
    assert proposed["can_answer"] is False
    assert inbox(api, market["author"], "contact_proposed")
    mine = _contacts(api, market["author"])
    assert [c["other"] for c in mine] == [None] and mine[0]["can_answer"] is True
    assert "bus@holder.example" not in str(mine)
    # neither the proposer nor an outsider answers it
    url = f"/api/v1/contacts/{proposed['id']}"
    problem(api.c.post(f"{url}/accept", headers=api.h(bus_holder)), 403, "not_contact_recipient")
    problem(api.c.post(f"{url}/accept", headers=api.h(market["ct"][0])), 404, "contact_not_found")
    assert _contacts(api, market["ct"][0]) == []
    r = api.c.post(f"{url}/accept", headers=api.h(market["author"]))
    assert r.status_code == 200, r.text
    assert r.json()["other"]["email"] == "bus@holder.example"
    assert inbox(api, bus_holder, "contact_accepted")
    seen = _contacts(api, bus_holder)[0]["other"]
    assert seen == {
        "parties": ["贵阳公交规划研究院"],
        "display_name": "need_author",
        "email": "author@need.example",
    }
    problem(
        api.c.post(f"{url}/decline", headers=api.h(market["author"])), 409, "contact_not_proposed"
    )


def test_r29_contact_refusals_change_nothing(
    api: Api, market: dict[str, Any], registry: Registry
) -> None:
    need = _publish(api, market)
    bus_holder, bus_number, _ = market["bus"]
    url = f"{NEEDS}/{need['id']}/contacts"
    r = api.c.post(url, headers=api.h(market["author"]), json={"registration_number": bus_number})
    assert r.status_code == 201, r.text
    assert inbox(api, bus_holder, "contact_proposed")
    before = snapshot(registry)
    problem(
        api.c.post(url, headers=api.h(bus_holder), json={"registration_number": bus_number}),
        409,
        "contact_exists",
    )
    problem(
        api.c.post(
            url, headers=api.h(market["metro"][0]), json={"registration_number": bus_number}
        ),
        403,
        "not_party_to_match",
    )
    problem(
        api.c.post(
            url, headers=api.h(bus_holder), json={"registration_number": "2026105200009999"}
        ),
        404,
        "registration_not_found",
    )
    assert changed_tables(before, snapshot(registry)) == {}
    declined = api.c.post(
        f"/api/v1/contacts/{r.json()['id']}/decline", headers=api.h(bus_holder)
    ).json()
    assert declined["state"] == "declined" and declined["other"] is None
    assert inbox(api, market["author"], "contact_declined")
