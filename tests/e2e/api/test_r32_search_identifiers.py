"""R32 (issue 24 §3, §5): a registration is found from the one search box — the API's
`GET /api/v1/announcements?q=` and the portal's /announcements — by what people know: the
holder's full name (a legal person's), its credit code, the registration, certificate, filing
and announcement numbers, the CSTR and the DOI. A natural person's name finds nothing. The
CSTR and DOI are added by change registration (G§21); a malformed one is refused with its own
problem and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.script import ScriptDirectory

from dataip.bootstrap import Registry
from dataip.db.migrate import alembic_config, downgrade, upgrade
from tests.support.api import Api, World, make_uscc, problem

CSTR = "CSTR:31253.11.sciencedb.r32demo"
DOI = "10.57760/sciencedb.R32demo"


def _found(api: Api, q: str) -> set[str]:
    r = api.c.get("/api/v1/announcements", params={"q": q})
    assert r.status_code == 200, r.text
    return {a["registration_number"] for a in r.json()["items"]}


def _page_finds(api: Api, q: str, number: str) -> bool:
    r = api.c.get("/announcements", params={"q": q})
    assert r.status_code == 200, r.text
    return number in r.text


@pytest.fixture
def scene(api: Api) -> dict[str, Any]:
    w = api.world()
    name = api.c.get(f"/api/v1/parties/{w.party}", headers=api.h(w.applicant)).json()["name"]
    number = w.registered(name="高原湖泊水文观测科学数据集")
    api.at("2026-10-20 10:00")
    out = api.reg_ok(
        w.applicant,
        number,
        "file_licence",
        contract_date="2026-10-16",
        licence_type="non_exclusive",
        licensee={"kind": "legal_person", "name": "被许可研究院", "credit_code": make_uscc(931)},
        scope="科研",
        territory="中国境内",
        term_start="2026-10-20",
        term_end="2027-10-19",
        fee_fen=100,
    )
    filing = out["filings"][0]["number"]
    api.at("2026-10-21 10:00")
    changed = w.changed(number, {"identifiers": {"cstr": CSTR, "doi": DOI}})
    # a natural person's registration, to be found by nothing personal
    person = api.party(w.applicant, kind="natural_person", name="欧阳静怡", verify_by=w.examiner)
    np_number = World(api, w.examiner, w.applicant, person).registered(name="个人徒步轨迹数据集")
    return {
        "w": w,
        "number": number,
        "holder": name,
        "credit_code": api.numbers[w.party],
        "certificate": changed["certificate_number"],
        "filing": filing,
        "announcement": changed["announcements"][-1]["number"],
        "np_number": np_number,
        "changed": changed,
    }


def test_r32_each_identifier_kind_finds_the_registration(api: Api, scene: dict[str, Any]) -> None:
    number = scene["number"]
    assert scene["changed"]["identifiers"] == {
        "cstr": {"id": CSTR, "url": "https://cstr.cn/31253.11.sciencedb.r32demo"},
        "doi": {"id": DOI, "url": "https://doi.org/10.57760/sciencedb.R32demo"},
    }
    queries = {
        "holder name (legal person, in full)": scene["holder"],
        "credit code": scene["credit_code"],
        "credit code, lower case": scene["credit_code"].lower(),
        "registration number": number,
        "certificate number": scene["certificate"],
        "filing number": scene["filing"],
        "announcement number": scene["announcement"],
        "CSTR": CSTR,
        "CSTR as a link": "https://cstr.cn/31253.11.SCIENCEDB.R32DEMO",
        "CSTR without its prefix": "31253.11.sciencedb.r32demo",
        "DOI": DOI,
        "DOI in another case": "doi:10.57760/SCIENCEDB.r32demo",
        "DOI as a link": "https://doi.org/10.57760/sciencedb.R32demo",
    }
    for what, q in queries.items():
        assert number in _found(api, q), what
        assert _page_finds(api, q, number), what
    # an identifier is looked up exactly: the natural person's registration is not among them
    assert _found(api, CSTR) == {number}
    assert _found(api, scene["credit_code"]) == {number}
    # a name's part is text, not the holder: it does not list the holder's registrations
    assert number not in _found(api, scene["holder"][:4] + "不存在")


def test_r32_a_natural_persons_name_finds_nothing(api: Api, scene: dict[str, Any]) -> None:
    np_number = scene["np_number"]
    assert np_number in _found(api, np_number)  # the registration is there to be found
    for q in ("欧阳静怡", "欧阳 静怡", "欧阳静"):
        assert _found(api, q) == set(), q
        assert not _page_finds(api, q, np_number), q
    record = api.reg(None, np_number).json()
    assert "欧阳静怡" not in str(record)  # the public record masks it (欧***)


def test_r32_an_identifier_nobody_has_finds_nothing(api: Api, scene: dict[str, Any]) -> None:
    assert _found(api, "CSTR:31253.11.nobody") == set()
    assert _found(api, "10.1000/nobody") == set()
    assert _found(api, make_uscc(999)) == set()


def test_r32_a_bad_cstr_or_doi_in_a_change_is_refused_and_changes_nothing(api: Api) -> None:
    w = api.world()
    number = w.registered()
    api.at("2026-10-21 10:00")
    before = api.reg(w.applicant, number).json()
    for changes, code in (
        ({"identifiers": {"cstr": "CSTR:3125.11.x"}}, "invalid_cstr"),
        ({"identifiers": {"cstr": "31253.11."}}, "invalid_cstr"),
        ({"identifiers": {"doi": "11.1000/x"}}, "invalid_doi"),
        ({"identifiers": {"doi": "10.1000/ok", "cstr": "bad"}}, "invalid_cstr"),
    ):
        r = api.reg_act(w.applicant, number, "request_change", changes=changes, reason="补充")
        body = problem(r, 422, code)
        assert body["details"]["reason"] == "format"
    after = api.reg(w.applicant, number).json()
    assert after["version"] == before["version"] and after["requests"] == before["requests"]
    assert after["identifiers"] == {}
    assert _found(api, "CSTR:3125.11.x") == set()


def test_r32_a_cstr_changed_again_is_found_by_the_new_one_only(
    api: Api, scene: dict[str, Any]
) -> None:
    number, w = scene["number"], scene["w"]
    api.at("2026-10-22 10:00")
    w.changed(number, {"identifiers": {"cstr": "CSTR:31253.11.sciencedb.r32new", "doi": None}})
    assert number in _found(api, "CSTR:31253.11.sciencedb.r32new")
    assert number not in _found(api, CSTR)
    assert number not in _found(api, DOI)
    assert api.reg(None, number).json()["identifiers"] == {
        "cstr": {
            "id": "CSTR:31253.11.sciencedb.r32new",
            "url": "https://cstr.cn/31253.11.sciencedb.r32new",
        }
    }


def test_r32_migration_0031_backfills_the_registrations_already_there(
    api: Api, scene: dict[str, Any], database_url: str, registry: Registry
) -> None:
    """Back to the revision before 0031 (its tables dropped) and up again: the identifier
    index and the catalogue's change log are rebuilt from the registrations."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    before = script.get_revision("0031").down_revision
    assert isinstance(before, str)
    registry.engine.dispose()
    downgrade(database_url, before)
    upgrade(database_url)
    registry.engine.dispose()
    number = scene["number"]
    for q in (CSTR, DOI, scene["credit_code"], scene["holder"], scene["filing"]):
        assert _found(api, q) == {number}, q
    assert _found(api, "欧阳静怡") == set()
    page = api.c.get("/api/v1/catalogue").json()
    served = sorted(d["@id"].rsplit("/", 1)[1] for d in page["dcat:dataset"])
    assert served == sorted([number, scene["np_number"]])
    # and the log goes on from the backfilled sequence
    api.at("2026-10-23 10:00")
    scene["w"].changed(number, {"update": {"frequency": "weekly"}})
    resume = api.c.get(page["dataip:resume"]["@id"]).json()
    assert [d["@id"].rsplit("/", 1)[1] for d in resume["dcat:dataset"]] == [number]
