"""Demo valuations (`dataip demo`, issue 22 §2): the holder's value reference (价值参考) on the
first demo registration — licensed and pledged, so the pledge shows as a legal defect, with
the cost, income and market approaches (the market approach says why it is not available) —
and an appraisal agency's signed report (评估报告) on the same registration, through the real
paths: the admin registers the agency's client with a fresh key (its private half thrown
away after signing), the agency signs its inputs, the registry verifies and recomputes."""

from __future__ import annotations

from joserfc.jwk import ECKey
from stdnum.cn import uscc

from dataip.services.context import Env, Identity
from dataip.services.sharing import institutions
from dataip.services.value import valuation
from dataip.sharing.scopes import VALUATIONS_WRITE, Principal
from dataip.value.valuation_signature import sign

__all__ = ["HOLDER_INPUTS", "populate"]

COST = {
    "items": [
        {"item": "collection", "amount_fen": 48_000_000},
        {"item": "processing", "amount_fen": 26_000_000},
        {"item": "storage", "amount_fen": 9_500_000},
        {"item": "labour", "amount_fen": 36_000_000},
    ],
    "profit_rate_bp": 1200,
    "scenario_bp": 8500,
}
HOLDER_INPUTS = {
    "quality_bp": 8600,
    "cost": COST,
    "income": {
        "incomes_fen": [60_000_000, 72_000_000, 80_000_000, 85_000_000, 88_000_000],
        "discount_rate_bp": 1100,
        "contribution_bp": 2500,
    },
    "market": {"index_bp": 300},
    "weights_bp": {"cost": 4000, "income": 6000, "market": 0},
}


def _agency_uscc() -> str:
    body = "91520100" + "MA6DE7N01"
    return body + uscc.calc_check_digit(body)


def populate(holder: Identity, admin: Identity, *, env: Env, number: str) -> dict[str, str]:
    """Returns kind -> the valuation number made."""
    made = valuation.create_reference(holder, env=env, number=number, body=HOLDER_INPUTS)
    key = ECKey.generate_key("P-256")
    agency = institutions.register(
        admin,
        env=env,
        kind="appraisal",
        name="贵州黔元资产评估有限公司（演示）",
        uscc=_agency_uscc(),
        scopes=[VALUATIONS_WRITE],
        jwks={"keys": [{**key.as_dict(private=False), "kid": "appraisal-key-1"}]},
    )
    payload = {
        "registration_number": number,
        "agency_uscc": agency.uscc,
        "valuation_date": env.today().isoformat(),
        "report_reference": "黔元评报字〔2026〕第 018 号（演示）",
        "inputs": {
            "quality_bp": 8600,
            "cost": {**COST, "coefficient_bp": 8800},
            "income": HOLDER_INPUTS["income"],
            "weights_bp": {"cost": 3000, "income": 7000},
        },
    }
    token = sign(payload, key, kid="appraisal-key-1", alg="ES256")
    principal = Principal(
        client_id=agency.client_id,
        institution_id=agency.id,
        kind=agency.kind,
        name=agency.name,
        scopes=frozenset({VALUATIONS_WRITE}),
        token_id="demo",
    )
    signed = valuation.submit_appraisal(principal, env=env, number=number, token=token)
    return {"reference": made["number"], "appraisal": signed["number"]}
