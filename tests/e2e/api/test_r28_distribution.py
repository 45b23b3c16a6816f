"""Issue 23 §1–§2 (R28, Z§4.3): derivation and penetrating distribution through the API —
sources declared, confirmed and disputed; cycles refused; the public graph; an income split
over holders and confirmed links to any depth; each beneficiary's statement, which verifies
against the log with the log's key alone."""

from __future__ import annotations

from typing import Any

from dataip.bootstrap import Registry
from dataip.distribution.statement import verify_statement
from dataip.ledger.errors import VerificationError
from tests.support.api import Api, World, problem
from tests.support.db import count

PREFIX = "/api/v1"


def _declare(api: Api, who: str, on: str, **body: Any) -> Any:
    return api.c.post(f"{PREFIX}/registrations/{on}/sources", headers=api.h(who), json=body)


def _answer(api: Api, who: str, number: str, link: int, what: str, **body: Any) -> Any:
    url = f"{PREFIX}/registrations/{number}/sources/{link}/{what}"
    return api.c.post(url, headers=api.h(who), json=body or None)


def chain(api: Api) -> tuple[World, World, World, str, str, str]:
    """A ← B (50 %, processing) ← C (40 %, collection), each held by its own applicant,
    both links confirmed."""
    wa, wb, wc = api.world(), api.world(), api.world()
    a = wa.registered(name="城市交通拥堵预测数据集")
    b = wb.registered(name="城市道路卡口通行数据集")
    c = wc.registered(name="交通传感器原始采集数据集")
    r = _declare(
        api, wa.applicant, a, kind="registration", number=b, weight_bp=5000, stage="processing"
    )
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "pending"
    ab = r.json()["id"]
    inbox = api.c.get(f"{PREFIX}/inbox", headers=api.h(wb.applicant)).json()
    assert any(n["kind"] == "source_confirmation" for n in inbox), inbox
    assert _answer(api, wb.applicant, a, ab, "confirm").json()["state"] == "confirmed"
    r = _declare(
        api, wb.applicant, b, kind="registration", number=c, weight_bp=4000, stage="collection"
    )
    assert r.status_code == 201, r.text
    assert _answer(api, wc.applicant, b, r.json()["id"], "confirm").status_code == 200
    return wa, wb, wc, a, b, c


def test_r28_three_level_chain_distribution_and_statement(api: Api, registry: Registry) -> None:
    wa, wb, wc, a, b, c = chain(api)
    graph = api.c.get(f"{PREFIX}/registrations/{a}/graph").json()
    assert {
        (e["downstream"], e["upstream"], e["weight_bp"], e["state"]) for e in graph["edges"]
    } == {
        (a, b, 5000, "confirmed"),
        (b, c, 4000, "confirmed"),
    }
    # retention 30 % (guizhou-2024): A keeps 65 %, B 25.2 %, C 9.8 % of 1,000.00 yuan
    r = api.c.post(
        f"{PREFIX}/registrations/{a}/distributions",
        headers=api.h(wa.applicant),
        json={"income_fen": 100_000},
    )
    assert r.status_code == 201, r.text
    d = r.json()
    amounts = {p["beneficiary"]: p["amount_fen"] for p in d["parts"]}
    assert amounts == {f"{a}-1": 65_000, f"{b}-1": 25_200, f"{c}-1": 9_800}
    assert sum(amounts.values()) == d["income_fen"] == 100_000
    flows = {p["beneficiary"]: p["flows"] for p in d["parts"]}
    assert flows[f"{c}-1"] == [{"path": [a, b, c], "share": "49/500"}]
    # the public sees shares and paths, not amounts
    public = api.c.get(f"{PREFIX}/registrations/{a}/distributions/{d['id']}").json()
    assert public["income_fen"] is None and {p["amount_fen"] for p in public["parts"]} == {None}
    assert [p["share"] for p in public["parts"]] == [p["share"] for p in d["parts"]]
    # B's holder reads its statement and checks it against the log with the log's key alone
    url = f"{PREFIX}/registrations/{a}/distributions/{d['id']}/statements/{b}-1"
    st = api.c.get(url, headers=api.h(wb.applicant))
    assert st.status_code == 200, st.text
    doc = st.json()
    assert doc["amount_fen"] == 25_200 and doc["receipt"]
    verified = verify_statement(doc, [registry.log_keys.verifier])
    assert (verified.amount_fen, verified.beneficiary) == (25_200, f"{b}-1")
    # a statement whose amount was altered does not verify
    forged = doc | {
        "amount_fen": 30_000,
        "opening": {**doc["opening"], "value": {"beneficiary": f"{b}-1", "amount_fen": 30_000}},
    }
    try:
        verify_statement(forged, [registry.log_keys.verifier])
    except VerificationError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a forged statement verified")
    # C's holder cannot read B's statement (the same 404 as a missing one); its own it can
    problem(api.c.get(url, headers=api.h(wc.applicant)), 404, "statement_not_found")
    own = api.c.get(
        f"{PREFIX}/registrations/{a}/distributions/{d['id']}/statements/{c}-1",
        headers=api.h(wc.applicant),
    )
    assert own.status_code == 200 and own.json()["amount_fen"] == 9_800
    pdf = api.c.get(url, headers=api.h(wb.applicant), params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert count(registry, "events", type="DistributionRecorded") == 1


def test_r28_cycle_refused_and_nothing_changed(api: Api, registry: Registry) -> None:
    wa, _wb, wc, a, b, c = chain(api)
    before = count(registry, "derivation_links")
    r = _declare(
        api, wc.applicant, c, kind="registration", number=a, weight_bp=100, stage="application"
    )
    body = problem(r, 409, "source_cycle")
    assert body["details"]["cycle"] == [c, a, b, c]
    problem(
        _declare(
            api, wa.applicant, a, kind="registration", number=a, weight_bp=100, stage="processing"
        ),
        409,
        "source_cycle",
    )
    assert count(registry, "derivation_links") == before


def test_r28_bad_declarations(api: Api) -> None:
    wa, wb, _wc, a, b, _c = chain(api)
    problem(
        _declare(
            api,
            wa.applicant,
            a,
            kind="registration",
            number="2026125200000001",
            weight_bp=100,
            stage="processing",
        ),
        422,
        "source_not_found",
    )
    problem(
        _declare(
            api,
            wa.applicant,
            a,
            kind="external",
            name="某市交通局公开数据",
            weight_bp=5001,
            stage="collection",
        ),
        422,
        "source_weights_over_100",
    )
    problem(
        _declare(
            api, wa.applicant, a, kind="registration", number=b, weight_bp=100, stage="processing"
        ),
        409,
        "source_already_declared",
    )
    problem(
        _declare(
            api, wb.applicant, a, kind="external", name="x", weight_bp=100, stage="processing"
        ),
        403,
        "forbidden",
    )
    problem(
        _declare(
            api,
            wa.applicant,
            a,
            kind="foreign",
            agency_code="3300",
            number=b,
            weight_bp=100,
            stage="processing",
        ),
        422,
        "registry_not_listed",
    )
    r = api.c.post(
        f"{PREFIX}/registrations/{a}/distributions",
        headers=api.h(wa.applicant),
        json={"income_fen": 10.5},
    )
    problem(r, 422, "invalid_request")


def test_r28_unconfirmed_and_disputed_links_take_no_part(api: Api) -> None:
    """An external source confirmed by the registry takes its part; a pending declaration
    and a disputed one take none — their weight stays with the holders."""
    wa, wb = api.world(), api.world()
    a = wa.registered(name="城市交通拥堵预测数据集")
    b = wb.registered(name="城市道路卡口通行数据集")
    ext = _declare(
        api,
        wa.applicant,
        a,
        kind="external",
        name="某市交通局公开数据",
        weight_bp=2000,
        stage="collection",
    ).json()
    pend = _declare(
        api, wa.applicant, a, kind="registration", number=b, weight_bp=3000, stage="processing"
    ).json()
    problem(_answer(api, wa.applicant, a, ext["id"], "confirm"), 403, "not_upstream_holder")
    assert _answer(api, wa.examiner, a, ext["id"], "confirm").json()["state"] == "confirmed"
    d = api.c.post(
        f"{PREFIX}/registrations/{a}/distributions",
        headers=api.h(wa.applicant),
        json={"income_fen": 1001},
    ).json()
    # pool 70 % × 20 % = 14 % to the source: 140.14 fen → 140; the holder 860.86 → 861
    assert {p["beneficiary"]: p["amount_fen"] for p in d["parts"]} == {
        f"{a}-1": 861,
        f"E{ext['id']}": 140,
    }
    disputed = _answer(api, wb.applicant, a, pend["id"], "dispute", reason="未使用贵方数据")
    assert disputed.json()["state"] == "disputed"
    problem(_answer(api, wb.applicant, a, pend["id"], "confirm"), 409, "source_not_pending")
    graph = api.c.get(f"{PREFIX}/registrations/{a}/graph").json()
    assert {e["state"] for e in graph["edges"]} == {"confirmed"}


def test_r28_a_registration_at_a_listed_registry_is_paid_and_ends_the_flow(
    api: Api, registry: Registry
) -> None:
    """A source at another registry (agency 3300 in the trust list in force) is confirmed by
    the registry and takes its part as itself: the flow does not go further."""
    from dataip.services.federation import trust
    from tests.support.federation import federation, peer, signed, trust_list

    w = api.world()
    a = w.registered(name="城市交通拥堵预测数据集")
    foreign = "2026330000000123"
    with federation(registry.env):
        entry, _ = peer("3300", "zj.example")
        trust.accept(registry.env, signed(trust_list(entry)))
        r = _declare(
            api,
            w.applicant,
            a,
            kind="foreign",
            agency_code="3300",
            number=foreign,
            weight_bp=5000,
            stage="circulation",
        )
        assert r.status_code == 201, r.text
    assert _answer(api, w.examiner, a, r.json()["id"], "confirm").json()["state"] == "confirmed"
    d = api.c.post(
        f"{PREFIX}/registrations/{a}/distributions",
        headers=api.h(w.applicant),
        json={"income_fen": 10_000},
    ).json()
    # retention 30 %: the foreign registration 70 % × 50 % = 35 %
    assert {p["beneficiary"]: p["amount_fen"] for p in d["parts"]} == {
        f"{a}-1": 6_500,
        f"3300:{foreign}": 3_500,
    }
    graph = api.c.get(f"{PREFIX}/registrations/{a}/graph").json()
    assert {n["key"] for n in graph["nodes"]} == {a, f"3300:{foreign}"}
