"""R29 (issue 23 §3): a verified user publishes a need; it is screened for personal data
before anything is stored; it can be withdrawn and it expires."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.bootstrap import Registry
from tests.support.api import Api, make_resident_id, problem
from tests.support.db import changed_tables, count, snapshot
from tests.support.matching import NEEDS, need_body


@pytest.fixture
def author(api: Api) -> tuple[str, int, str]:
    """A verified author (examiner, user, party), the clock at 2026-10-13 09:00."""
    w = api.world()
    api.at("2026-10-13 09:00")
    return w.examiner, w.party, w.applicant


def test_r29_verified_user_publishes_a_need(api: Api, author: tuple[str, int, str]) -> None:
    _, party, who = author
    r = api.c.post(NEEDS, headers=api.h(who), json=need_body(party))
    assert r.status_code == 201, r.text
    need = r.json()
    assert need["status"] == "open" and need["mine"] is True
    assert "party_id" not in need and "author_user_id" not in need
    listed = api.c.get(NEEDS).json()
    assert [n["id"] for n in listed] == [need["id"]]
    assert listed[0]["mine"] is False
    assert api.c.get(f"{NEEDS}/{need['id']}").json()["title"] == need["title"]


def test_r29_unverified_party_cannot_publish(api: Api, registry: Registry) -> None:
    who = api.user("applicant")
    party = api.party(who)  # not verified
    api.at("2026-10-13 09:00")
    before = snapshot(registry)
    problem(api.c.post(NEEDS, headers=api.h(who), json=need_body(party)), 422, "party_not_verified")
    assert changed_tables(before, snapshot(registry)) == {}
    other = api.user("applicant")
    problem(api.c.post(NEEDS, headers=api.h(other), json=need_body(party)), 422, "party_not_found")
    problem(api.c.post(NEEDS, json=need_body(party)), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("field", "text", "kind"),
    [
        (
            "data_wanted",
            f"请联系张先生，身份证号{make_resident_id(order=12)}，需要公交客流数据",
            "resident_id",
        ),
        ("title", "公交客流数据 联系13812345678", "mobile"),
        ("data_wanted", "需要公交客流数据，结果请发到 zhang.san@example.com 邮箱", "email"),
    ],
)
def test_r29_need_with_personal_data_is_refused_and_nothing_stored(
    api: Api, registry: Registry, author: tuple[str, int, str], field: str, text: str, kind: str
) -> None:
    _, party, who = author
    before = snapshot(registry)
    body = problem(
        api.c.post(NEEDS, headers=api.h(who), json=need_body(party, **{field: text})),
        422,
        "need_personal_data",
    )
    assert body["details"]["fields"] == [field]
    assert kind in body["details"]["kinds"], body["details"]
    assert text not in str(body)  # kinds and fields, never the values
    assert changed_tables(before, snapshot(registry)) == {}
    assert count(registry, "needs") == 0


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"period_from": "2027-02-01", "period_to": "2027-01-01"}, "invalid_period"),
        ({"expires_on": "2028-01-31"}, "invalid_expiry"),
        ({"expires_on": "2026-10-13"}, "invalid_expiry"),
        ({"industry_code": "9999"}, "invalid_industry"),
        ({"title": "公交"}, "invalid_need_title"),
        ({"data_wanted": "公交数据"}, "invalid_data_wanted"),
    ],
)
def test_r29_invalid_need_fields(
    api: Api, registry: Registry, author: tuple[str, int, str], over: dict[str, Any], code: str
) -> None:
    _, party, who = author
    before = snapshot(registry)
    problem(api.c.post(NEEDS, headers=api.h(who), json=need_body(party, **over)), 422, code)
    assert changed_tables(before, snapshot(registry)) == {}


def test_r29_need_is_withdrawn_by_its_author_only(api: Api, author: tuple[str, int, str]) -> None:
    _, party, who = author
    need = api.c.post(NEEDS, headers=api.h(who), json=need_body(party)).json()
    url = f"{NEEDS}/{need['id']}"
    other = api.user("applicant")
    problem(api.c.post(f"{url}/withdraw", headers=api.h(other)), 403, "not_need_author")
    r = api.c.post(f"{url}/withdraw", headers=api.h(who))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text
    problem(api.c.post(f"{url}/withdraw", headers=api.h(who)), 409, "need_not_open")
    assert api.c.get(NEEDS).json() == []
    problem(api.c.get(url), 404, "need_not_found")
    problem(api.c.get(f"{url}/matches"), 404, "need_not_found")
    assert api.c.get(url, headers=api.h(who)).json()["status"] == "withdrawn"


def test_r29_need_expires(api: Api, author: tuple[str, int, str]) -> None:
    _, party, who = author
    need = api.c.post(
        NEEDS, headers=api.h(who), json=need_body(party, expires_on="2026-10-20")
    ).json()
    url = f"{NEEDS}/{need['id']}"
    api.at("2026-10-20 23:00")
    assert [n["id"] for n in api.c.get(NEEDS).json()] == [need["id"]]
    api.at("2026-10-21 00:01")
    assert api.c.get(NEEDS).json() == []
    problem(api.c.get(url), 404, "need_not_found")
    assert api.c.get(url, headers=api.h(who)).json()["status"] == "expired"
    problem(api.c.post(f"{url}/withdraw", headers=api.h(who)), 409, "need_not_open")


def test_r29_list_filters(api: Api, author: tuple[str, int, str]) -> None:
    _, party, who = author
    bus = api.c.post(NEEDS, headers=api.h(who), json=need_body(party)).json()
    ct = api.c.post(
        NEEDS,
        headers=api.h(who),
        json=need_body(
            party,
            title="训练肺结节检测模型",
            scenario="healthcare",
            industry_code="8411",
            data_wanted="需要带医生标注的胸部CT影像，用于训练肺结节检测模型",
            region_code=None,
        ),
    ).json()
    ids = lambda **q: [n["id"] for n in api.c.get(NEEDS, params=q).json()]  # noqa: E731
    assert ids() == [ct["id"], bus["id"]]
    assert ids(scenario="healthcare") == [ct["id"]]
    assert ids(industry="54") == [bus["id"]]
    assert ids(region="5201") == [ct["id"], bus["id"]]  # a nationwide need is everywhere
    assert ids(region="11") == [ct["id"]]
