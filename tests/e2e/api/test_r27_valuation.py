"""R27 / issue 22 §2 over HTTP: the holder's 价值参考 shows every factor; changing one input
changes the figure exactly as the formula says; a legal defect lowers the legal dimension and
the figure visibly; the market approach uses anonymous comparables from this registry (or says
it is not available); an appraisal agency's signed 评估报告 is verified, a tampered one refused;
amounts stay private until the holder publishes."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from dataip.value.valuation_signature import sign
from tests.support.api import Api, make_uscc, problem
from tests.support.db import count
from tests.support.institutions import Institution

COST = {
    "items": [
        {"item": "collection", "amount_fen": 1_000_000},
        {"item": "processing", "amount_fen": 500_000},
    ],
    "profit_rate_bp": 1000,
    "scenario_bp": 8000,
}
INCOME = {"incomes_fen": [1_000_000, 1_000_000], "discount_rate_bp": 1000, "contribution_bp": 5000}
BODY: dict[str, Any] = {"quality_bp": 8000, "cost": COST, "income": INCOME}


def _url(number: str, tail: str = "") -> str:
    return f"/api/v1/registrations/{number}/valuations{tail}"


def _value(api: Api, who: str, number: str, body: dict[str, Any]) -> dict[str, Any]:
    r = api.c.post(_url(number), json=body, headers=api.h(who))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _half_even(x: Fraction) -> int:
    return round(x)


def _cost(cost_fen: int, profit_bp: int, quality: int, legal: int, scenario: int) -> int:
    k = Fraction(4000 * quality + 3000 * legal + 3000 * scenario, 10**8)
    return _half_even(cost_fen * (1 + Fraction(profit_bp, 10_000)) * k)


def _income(incomes: list[int], rate_bp: int, share_bp: int, legal: int) -> int:
    rate = Fraction(rate_bp, 10_000) + Fraction(10_000 - legal, 10 * 10_000)
    share = Fraction(share_bp, 10_000)
    return _half_even(sum(a * share / (1 + rate) ** t for t, a in enumerate(incomes, start=1)))


def test_r27_holder_value_reference_shows_every_factor(api: Api) -> None:
    w = api.world()
    number = w.registered()
    v = _value(api, w.applicant, number, BODY)
    assert v["kind"] == "reference" and v["label"]["zh"] == "价值参考"
    assert "不是资产评估报告" in v["disclaimer"]["zh"]
    assert v["number"].startswith("PG2026")
    # the registration as registered: 1,000 records, daily, rules and achievement described,
    # evidence declared elsewhere, one scenario and one practical value; no defect
    r = v["report"]
    dims = {d["code"]: d for d in r["dimensions"]}
    assert [d["code"] for d in r["dimensions"]] == ["legal", "collection", "technical", "economic"]
    assert dims["legal"]["score_bp"] == 10_000 and r["legal_defects"] == []
    assert dims["collection"]["score_bp"] == 6000 * 8000 // 10_000 + 4000 * 4000 // 10_000
    assert dims["technical"]["score_bp"] == 2000 + 2500 + 2000 + 2000
    assert dims["economic"]["score_bp"] == 0 + 1000 + 1000
    for d in r["dimensions"]:
        assert d["factors"] and d["formula"]["zh"] and d["formula"]["en"]
    approaches = {a["approach"]: a for a in r["approaches"]}
    cost = _cost(1_500_000, 1000, 8000, 10_000, 8000)
    income = _income([1_000_000, 1_000_000], 1000, 5000, 10_000)
    assert (cost, income) == (1_419_000, 867_769)  # by hand, as in the unit tests
    assert approaches["cost"]["value_fen"] == cost
    assert approaches["income"]["value_fen"] == income
    assert [row["year"] for row in approaches["income"]["rows"]] == [1, 2]
    codes = {f["code"] for f in approaches["cost"]["factors"]}
    assert codes == {"replacement_cost", "profit_rate", "scenario", "coefficient"}
    assert v["value_fen"] == _half_even(Fraction(cost + income, 2)) == 1_143_384
    assert {row["parameter"] for row in r["sensitivity"]} == {
        "discount_rate",
        "contribution_share",
        "profit_rate",
        "coefficient",
    }
    # read back as it was made, and listed
    again = api.c.get(_url(number, f"/{v['number']}"), headers=api.h(w.applicant)).json()
    assert again["report"] == r and again["value_fen"] == v["value_fen"]
    listed = api.c.get(_url(number), headers=api.h(w.applicant)).json()
    assert [x["number"] for x in listed] == [v["number"]]


def test_r27_changing_one_input_changes_the_figure_as_the_formula_says(api: Api) -> None:
    w = api.world()
    number = w.registered()
    base = _value(api, w.applicant, number, BODY)
    # the profit rate 10 % → 20 %: the cost approach × 1.2 / 1.1, the income approach unchanged
    body = {**BODY, "cost": {**COST, "profit_rate_bp": 2000}}
    after = _value(api, w.applicant, number, body)
    cost = _cost(1_500_000, 2000, 8000, 10_000, 8000)
    assert cost == 1_548_000
    a = {x["approach"]: x["value_fen"] for x in after["report"]["approaches"]}
    b = {x["approach"]: x["value_fen"] for x in base["report"]["approaches"]}
    assert a == {"cost": cost, "income": b["income"]}
    assert after["value_fen"] == _half_even(Fraction(cost + b["income"], 2)) == 1_207_884
    # the sensitivity table said so: +10 % on the profit rate is 11 %, recomputed here
    row = next(x for x in base["report"]["sensitivity"] if x["parameter"] == "profit_rate")
    cell = next(c for c in row["cells"] if c["step_percent"] == 10)
    cost11 = _cost(1_500_000, 1100, 8000, 10_000, 8000)
    assert cell["value_fen"] == _half_even(Fraction(cost11 + b["income"], 2))
    # the contribution share halved halves each year's present value
    body = {**BODY, "income": {**INCOME, "contribution_bp": 2500}}
    half = _value(api, w.applicant, number, body)
    h = {x["approach"]: x["value_fen"] for x in half["report"]["approaches"]}
    assert h["income"] == _income([1_000_000, 1_000_000], 1000, 2500, 10_000) == 433_884
    # stated weights: 70 % cost, 30 % income
    weighted = _value(
        api, w.applicant, number, {**BODY, "weights_bp": {"cost": 7000, "income": 3000}}
    )
    assert weighted["value_fen"] == _half_even(
        Fraction(7, 10) * b["cost"] + Fraction(3, 10) * b["income"]
    )


def test_r27_a_pledge_lowers_the_legal_dimension_and_the_figure_visibly(api: Api) -> None:
    w = api.world()
    number = w.registered()
    before = _value(api, w.applicant, number, BODY)
    api.reg_ok(
        w.applicant,
        number,
        "file_pledge",
        contract_date="2026-10-13",
        pledgee={"name": "贵阳银行股份有限公司", "credit_code": make_uscc(502)},
        secured_amount_fen=500_000_000,
    )
    after = _value(api, w.applicant, number, BODY)
    legal = {d["code"]: d for d in after["report"]["dimensions"]}["legal"]
    assert legal["score_bp"] == 8000
    assert [(d["code"], d["deduction_bp"]) for d in after["report"]["legal_defects"]] == [
        ("pledged", 2000)
    ]
    assert any(f["code"] == "pledged" and f["points_bp"] == -2000 for f in legal["factors"])
    cost = _cost(1_500_000, 1000, 8000, 8000, 8000)
    income = _income([1_000_000, 1_000_000], 1000, 5000, 8000)
    assert (cost, income) == (1_320_000, 845_026)
    assert after["value_fen"] == _half_even(Fraction(cost + income, 2)) < before["value_fen"]


def test_r27_market_approach_uses_anonymous_comparables_or_says_it_is_not_available(
    api: Api,
) -> None:
    w = api.world()
    number = w.registered()
    body = {"quality_bp": 8000, "market": {"index_bp": 300}, "cost": COST}
    v = _value(api, w.applicant, number, body)
    market = next(a for a in v["report"]["approaches"] if a["approach"] == "market")
    assert market["available"] is False and "不足 3 个" in market["reason"]["zh"]
    assert v["value_fen"] == 1_419_000  # the cost approach alone
    only = api.c.post(
        _url(number), json={"quality_bp": 8000, "market": {}}, headers=api.h(w.applicant)
    )
    problem(only, 409, "valuation_not_computable")
    # another holder's registration, licensed three times (fees of 12,000 yuan)
    w2 = api.world()
    other = w2.registered(name="城市公交客流预测数据集")
    for n in range(3):
        api.reg_ok(
            w2.applicant,
            other,
            "file_licence",
            contract_date="2026-10-13",
            licence_type="non_exclusive",
            licensee={"name": f"贵阳数据应用{n}有限公司", "credit_code": make_uscc(600 + n)},
            scope="交通调度模型训练",
            territory="贵州省",
            term_end="2028-06-30",
            fee_fen=1_200_000,
        )
    v = _value(api, w.applicant, number, {"quality_bp": 8000, "market": {"index_bp": 300}})
    market = v["report"]["approaches"][0]
    assert market["available"] is True and len(market["rows"]) == 3
    # quality 8000 against the reference 7000 (8/7), same scale, month and class
    assert v["value_fen"] == _half_even(Fraction(1_200_000 * 8, 7)) == 1_371_429
    text = str(market["rows"])
    assert other not in text and "贵阳数据应用" not in text  # anonymous rows
    assert set(market["rows"][0]) >= {"section", "month", "adjusted_fen"}


def test_r27_valuations_are_private_until_published(api: Api) -> None:
    w = api.world()
    number = w.registered()
    private = _value(api, w.applicant, number, BODY)
    stranger = api.user("applicant")
    problem(api.c.post(_url(number), json=BODY, headers=api.h(stranger)), 403, "forbidden")
    problem(api.c.post(_url(number), json=BODY), 401, "unauthenticated")
    problem(
        api.c.get(_url(number, f"/{private['number']}"), headers=api.h(stranger)),
        404,
        "valuation_not_found",
    )
    problem(api.c.get(_url(number, f"/{private['number']}.pdf")), 404, "valuation_not_found")
    assert api.c.get(_url(number)).json() == []
    assert (
        api.c.get(_url(number, f"/{private['number']}"), headers=api.h(w.examiner)).status_code
        == 200
    )
    public = _value(api, w.applicant, number, {**BODY, "publish": True})
    assert [x["number"] for x in api.c.get(_url(number)).json()] == [public["number"]]
    assert (
        api.c.get(_url(number, f"/{public['number']}")).json()["value_fen"] == public["value_fen"]
    )
    # the log's leaf names codes, never the amount
    leaves = api.c.get("/api/v1/log/entries/0")  # exists once integrated; the event row suffices
    assert leaves.status_code in (200, 404)


def test_r27_the_holder_publishes_and_withdraws_a_valuation_afterwards(
    api: Api, registry: Any
) -> None:
    """Publishing is no longer chosen only when the valuation is made: the holder publishes
    it later and withdraws it (If-Match: its version); nobody else may; the log's events
    carry the numbers and a commitment to the figure, never the figure or the inputs."""
    w = api.world()
    number = w.registered()
    v = _value(api, w.applicant, number, BODY)
    one = _url(number, f"/{v['number']}")
    got = api.c.get(one, headers=api.h(w.applicant))
    assert got.headers["etag"] == '"1"' and got.json()["version"] == 1
    stranger = api.user("applicant")
    for who in (stranger, w.examiner):  # the examiner reads it, but only the holder publishes
        r = api.c.post(one + "/publish", headers=api.h(who))
        problem(
            r,
            404 if who == stranger else 403,
            "valuation_not_found" if who == stranger else "not_the_holder",
        )
    problem(
        api.c.post(one + "/unpublish", headers=api.h(w.applicant)), 409, "valuation_not_published"
    )
    stale = {**api.h(w.applicant), "If-Match": '"2"'}
    problem(api.c.post(one + "/publish", headers=stale), 412, "stale_version")
    assert count(registry, "valuations", published=True) == 0

    r = api.c.post(one + "/publish", headers={**api.h(w.applicant), "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["published"] is True and r.headers["etag"] == '"2"'
    assert api.c.get(one).json()["value_fen"] == v["value_fen"]  # anyone now
    assert [x["number"] for x in api.c.get(_url(number)).json()] == [v["number"]]
    problem(
        api.c.post(one + "/publish", headers=api.h(w.applicant)), 409, "valuation_already_published"
    )
    # a stranger reads it now, and is told it is not theirs to change
    problem(api.c.post(one + "/unpublish", headers=api.h(stranger)), 403, "not_the_holder")

    r = api.c.post(one + "/unpublish", headers={**api.h(w.applicant), "If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["published"] is False and r.json()["version"] == 3
    problem(api.c.get(one), 404, "valuation_not_found")
    assert api.c.get(_url(number)).json() == []

    with registry.env.read() as uow:
        reg = uow.registrations.by_number(number)
        events = [
            e
            for e in uow.events.for_subject("registration", reg.id)
            if e.type in ("ValuationPublished", "ValuationWithdrawn")
        ]
    assert [e.type for e in events] == ["ValuationPublished", "ValuationWithdrawn"]
    for e in events:
        assert e.public == {"registration_number": number, "valuation_number": v["number"]}
        assert str(v["value_fen"]) not in json.dumps(e.public)
        assert set(e.private) == {"actor", "value_fen"}  # commitments (recording.py)


def test_r27_bad_inputs_are_refused_and_change_nothing(api: Api, registry: Any) -> None:
    w = api.world()
    number = w.registered()
    problem(
        api.c.post(_url(number), json={"cost": COST}, headers=api.h(w.applicant)),
        422,
        "invalid_valuation_input",
    )
    problem(
        api.c.post(_url(number), json={"quality_bp": 8000}, headers=api.h(w.applicant)),
        422,
        "invalid_valuation_input",
    )
    own_k = {**BODY, "cost": {**COST, "coefficient_bp": 9000}}
    problem(
        api.c.post(_url(number), json=own_k, headers=api.h(w.applicant)), 422, "invalid_request"
    )
    problem(
        api.c.post(_url("2026110000000001X"), json=BODY, headers=api.h(w.applicant)),
        404,
        "registration_not_found",
    )
    assert count(registry, "valuations") == 0
    assert count(registry, "events", type="ValuationRecorded") == 0


def _agency(api: Api) -> Institution:
    return Institution(api, api.user("registrar_admin"), "appraisal", ["valuations:write"])


def _signed(inst: Institution, number: str, **over: Any) -> str:
    uscc = api_uscc(inst)
    payload = {
        "registration_number": number,
        "agency_uscc": uscc,
        "valuation_date": "2026-10-13",
        "report_reference": "黔评报字〔2026〕第018号",
        "inputs": {"quality_bp": 8000, "cost": {**COST, "coefficient_bp": 9000}},
        "value_fen": 1_485_000,  # 1,500,000 × 1.1 × 0.9
        **over,
    }
    return sign(payload, inst.key, kid=inst.kid, alg=inst.alg)


def api_uscc(inst: Institution) -> str:
    r = inst.api.c.get(
        f"/api/v1/admin/institutions/{inst.client_id}",
        headers=inst.api.h(inst.api.user("registrar_admin")),
    )
    return str(r.json()["uscc"])


def test_r27_agency_signed_report_is_verified_and_a_tampered_one_refused(
    api: Api, registry: Any
) -> None:
    w = api.world()
    number = w.registered()
    inst = _agency(api)
    auth = {"Authorization": f"Bearer {inst.token()}"}
    url = f"/api/v1/institutions/registrations/{number}/valuations"
    token = _signed(inst, number)
    # tampered: one character of the signature changed
    head, body, sig = token.split(".")
    bad = ".".join((head, body, ("A" if sig[0] != "A" else "B") + sig[1:]))
    problem(api.c.post(url, json={"jws": bad}, headers=auth), 422, "invalid_valuation_signature")
    # a payload altered after signing (the figure raised) no longer verifies either
    import base64
    import json

    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["value_fen"] = 9_999_999
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    problem(
        api.c.post(url, json={"jws": f"{head}.{forged}.{sig}"}, headers=auth),
        422,
        "invalid_valuation_signature",
    )
    # a signed figure the method does not give
    problem(
        api.c.post(url, json={"jws": _signed(inst, number, value_fen=1)}, headers=auth),
        409,
        "valuation_figure_mismatch",
    )
    problem(
        api.c.post(
            url,
            json={"jws": _signed(inst, number, registration_number="2026110000000001X")},
            headers=auth,
        ),
        422,
        "valuation_payload_mismatch",
    )
    assert count(registry, "valuations") == 0
    r = api.c.post(url, json={"jws": token}, headers=auth)
    assert r.status_code == 201, r.text
    v = r.json()
    assert v["kind"] == "appraisal" and v["label"]["zh"] == "评估报告"
    assert v["value_fen"] == 1_485_000
    sig_read = v["signature"]
    assert sig_read["verified"] is True and sig_read["jws"] == token
    assert sig_read["agency"]["name"] == "贵州某资产评估有限公司"
    assert sig_read["agency"]["uscc"] == api_uscc(inst)
    # the holder sees it as an appraisal report with the agency's name
    seen = api.c.get(_url(number, f"/{v['number']}"), headers=api.h(w.applicant)).json()
    assert seen["signature"]["verified"] is True and seen["label"]["en"] == "appraisal report"
    # a holder's token is no agency's: the route needs valuations:write
    problem(api.c.post(url, json={"jws": token}, headers=api.h(w.applicant)), 401, "invalid_token")


def test_r27_valuation_pdf_is_a4_chinese_with_every_section(api: Api) -> None:
    import shutil
    import subprocess

    w = api.world()
    number = w.registered()
    v = _value(api, w.applicant, number, {**BODY, "market": {}})
    r = api.c.get(_url(number, f"/{v['number']}.pdf"), headers=api.h(w.applicant))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        return
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    for words in (
        "价值参考",
        "法律价值",
        "数据集合价值",
        "技术价值",
        "经济价值",
        "成本法",
        "收益法",
        "市场法",
        "敏感性分析",
        "结果调和",
        "价值调整系数",
        "不是资产评估报告",
    ):
        assert words in text.replace(" ", ""), words
    assert "¥1,143,384" in text or "¥11,433.84" in text


def test_r27_the_pledgee_bank_reads_a_private_valuation_accounted(api: Api) -> None:
    from tests.e2e.api.test_i20_bank_pledges import Bank

    w = api.world()
    number = w.registered()
    v = _value(api, w.applicant, number, BODY)
    bank, other = Bank(api), Bank(api)
    url = f"/api/v1/institutions/registrations/{number}/valuations/{v['number']}"
    params = {"purpose": "贷2026-0042"}
    # not (yet) the pledgee: as if it did not exist
    problem(api.c.get(url, params=params, headers=bank.h()), 404, "valuation_not_found")
    r = bank.propose(number, contract_date="2026-10-13")
    assert r.status_code == 201, r.text
    api.reg_ok(w.applicant, number, "confirm_pledge", proposal_number=r.json()["number"])
    problem(api.c.get(url, headers=bank.h()), 422, "purpose_required")
    seen = api.c.get(url, params=params, headers=bank.h())
    assert seen.status_code == 200, seen.text
    assert seen.json()["value_fen"] == v["value_fen"] and seen.json()["label"]["zh"] == "价值参考"
    problem(api.c.get(url, params=params, headers=other.h()), 404, "valuation_not_found")
    reads = api.c.get(f"/api/v1/registrations/{number}/reads", headers=api.h(w.applicant)).json()
    rows = reads["items"] if isinstance(reads, dict) else reads
    assert any(x["resource"] == "valuation" and x["purpose"] == "贷2026-0042" for x in rows), rows


def test_r27_an_agency_publishing_its_keys_at_a_jwks_uri_signs_too(
    api: Api, monkeypatch: Any
) -> None:
    from joserfc.jwk import ECKey

    from dataip.services.sharing import tokens
    from dataip.services.value import valuation_reads as reads

    key = ECKey.generate_key("P-256")
    published = {"keys": [{**key.as_dict(private=False), "kid": "agency-1"}]}
    remote = tokens.RemoteJwks(fetch=lambda uri: published)
    monkeypatch.setattr(tokens, "_REMOTE", remote)
    monkeypatch.setattr(reads, "_REMOTE", remote)
    admin = api.user("registrar_admin")
    uscc = make_uscc(4242)
    r = api.c.post(
        "/api/v1/admin/institutions",
        json={
            "kind": "appraisal",
            "name": "贵州远端资产评估有限公司",
            "uscc": uscc,
            "scopes": ["valuations:write"],
            "jwks_uri": "https://agency.example/.well-known/jwks.json",
        },
        headers=api.h(admin),
    )
    assert r.status_code == 201, r.text
    agency = Institution.__new__(Institution)
    agency.api, agency.alg, agency.key, agency.kid = api, "ES256", key, "agency-1"
    agency.client_id = r.json()["client_id"]
    agency.token_endpoint = api.c.get("/.well-known/oauth-authorization-server").json()[
        "token_endpoint"
    ]
    w = api.world()
    number = w.registered()
    payload = {
        "registration_number": number,
        "agency_uscc": r.json()["uscc"],
        "valuation_date": "2026-10-13",
        "inputs": {"quality_bp": 8000, "cost": COST},
    }
    token = sign(payload, key, kid="agency-1", alg="ES256")
    made = api.c.post(
        f"/api/v1/institutions/registrations/{number}/valuations",
        json={"jws": token},
        headers={"Authorization": f"Bearer {agency.token()}"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["signature"]["verified"] is True
    assert made.json()["value_fen"] == 1_419_000


def test_r27_the_quality_assessment_wins_over_the_declared_score(api: Api) -> None:
    """Wiring to issue 22 §1: the registration's latest quality assessment
    (`services.value.quality.latest_quality`) is the quality input once there is one."""
    w = api.world()
    number = w.registered()
    made = api.c.post(
        f"/api/v1/registrations/{number}/quality",
        headers=api.h(w.applicant),
        json={"standards": ["GB/T 36344-2018"], "access": "download"},
    )
    assert made.status_code == 201, made.text
    assessed = made.json()["overall_bp"]
    assert assessed != 1000
    v = _value(api, w.applicant, number, {"quality_bp": 1000, "cost": COST})
    assert v["report"]["facts"]["quality_bp"] == assessed
    assert v["report"]["facts"]["quality_source"] == "assessed"
    assert v["value_fen"] == _cost(1_500_000, 1000, assessed, 10_000, 8000)
    # no quality declared at all is fine once an assessment exists
    v = _value(api, w.applicant, number, {"cost": COST})
    assert v["report"]["facts"]["quality_bp"] == assessed
