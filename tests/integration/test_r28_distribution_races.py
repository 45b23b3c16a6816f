"""Issue 23 §1–§2: races on derivation and distribution. The race rows for every write route
(run by test_i18_create_races with eight identical requests) — one declaration of a source,
one answer to it, one distribution per filing — and the done-means' cycle across concurrent
declarations: A declaring B while B declares A, at once, gives one link and one
`source_cycle`, never a cycle, on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from tests.support.api import Api, World, make_uscc
from tests.support.db import count
from tests.support.race import race
from tests.support.routes import PREFIX

Request = tuple[str, str, dict[str, str], dict[str, Any]]
LICENCE = {
    "licence_type": "non_exclusive",
    "licensee": {"name": "被许可数据公司", "credit_code": make_uscc(9003)},
    "scope": "交通调度分析",
    "territory": "贵州省",
    "term_end": "2027-10-12",
    "fee_fen": 500_000,
}


def _pair(api: Api, w: World) -> tuple[str, str, str]:
    """The world's registration and another holder's; returns (a, b, b's holder)."""
    a = w.registered(name="城市交通拥堵预测数据集")
    wb = api.world()
    b = wb.registered(name="城市道路卡口通行数据集")
    return a, b, wb.applicant


def _declare(a: str, b: str, headers: dict[str, str]) -> Request:
    body = {"kind": "registration", "number": b, "weight_bp": 3000, "stage": "processing"}
    return "POST", f"{PREFIX}/registrations/{a}/sources", headers, {"json": body}


def _declare_row(api: Api, w: World) -> Request:
    a, b, _ = _pair(api, w)
    return _declare(a, b, api.h(w.applicant))


def _answer(what: str) -> Any:
    def build(api: Api, w: World) -> Request:
        a, b, holder = _pair(api, w)
        _method, url, headers, kw = _declare(a, b, api.h(w.applicant))
        r = api.c.post(url, headers=headers, **kw)
        assert r.status_code == 201, r.text
        body = {"reason": "未使用贵方数据"} if what == "dispute" else {}
        url = f"{PREFIX}/registrations/{a}/sources/{r.json()['id']}/{what}"
        return "POST", url, api.h(holder), {"json": body}

    return build


def _distribution(api: Api, w: World) -> Request:
    a = w.registered(name="城市交通拥堵预测数据集")
    signed = api.reg(w.applicant, a).json()["registration_date"]
    d = api.reg_ok(w.applicant, a, "file_licence", contract_date=signed, **LICENCE)
    filing = next(f["number"] for f in d["filings"] if f["kind"] == "licence")
    url = f"{PREFIX}/registrations/{a}/distributions"
    return "POST", url, api.h(w.applicant), {"json": {"filing_number": filing}}


def _one_distribution(registry: Registry) -> None:
    assert count(registry, "distributions") == 1
    assert count(registry, "events", type="DistributionRecorded") == 1


def _one_link(registry: Registry) -> None:
    assert count(registry, "derivation_links") == 1


def distribution_cases(case: Any) -> list[Any]:
    answered = {(409, "source_not_pending"), (409, "concurrent_update")}
    return [
        case(
            "POST /registrations/{number}/sources",
            _declare_row,
            "one",
            {(409, "source_already_declared"), (409, "concurrent_update")},
            _one_link,
        ),
        case(
            "POST /registrations/{number}/sources/{link_id}/confirm",
            _answer("confirm"),
            "one",
            answered,
        ),
        case(
            "POST /registrations/{number}/sources/{link_id}/dispute",
            _answer("dispute"),
            "one",
            answered,
        ),
        case(
            "POST /registrations/{number}/distributions",
            _distribution,
            "one",
            {(409, "income_already_distributed"), (409, "concurrent_update")},
            _one_distribution,
        ),
    ]


def test_r28_concurrent_declarations_never_close_a_cycle(api: Api, registry: Registry) -> None:
    """Three times: A declares B and B declares A at the same moment — exactly one succeeds,
    the other is told `source_cycle`, and the stored links have no cycle."""
    raw = TestClient(api.c.app, raise_server_exceptions=False)
    for _ in range(3):
        w = api.world()
        a, b, holder = _pair(api, w)
        calls = []
        for on, up, who in ((a, b, w.applicant), (b, a, holder)):
            method, url, headers, kw = _declare(on, up, api.h(who))
            calls.append(partial(raw.request, method, url, headers=headers, **kw))
        results = race(*calls)
        assert not [r for r in results if isinstance(r, BaseException)], results
        codes = sorted(r.status_code for r in results)
        assert codes == [201, 409], [r.text for r in results]
        loser = next(r for r in results if r.status_code == 409)
        assert loser.json()["code"] == "source_cycle"
    assert count(registry, "derivation_links") == 3
