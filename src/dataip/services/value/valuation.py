"""Valuations of a registration (数据资产评估, R27, issue 22 §2): a holder's 价值参考 and an
appraisal agency's signed 评估报告.

* `create_reference` — the holder enters its inputs (cost items, income forecast, the market
  approach's price index, weights, a declared quality score where none was measured); the
  registry reads the rest from the register (`valuation_facts`), computes with the published
  method (`dataip.value.valuation`) and keeps the whole report. It is a 价值参考 (a value
  reference), never an appraisal, and says so wherever it is shown.
* `submit_appraisal` — an appraisal agency's client (kind `appraisal`, scope
  `valuations:write`) sends a compact JWS over its inputs (and, if it states one, its figure),
  signed with a key it registered (`dataip.value.valuation_signature`); the registry verifies
  it, computes the same report from the signed inputs, refuses a stated figure the method does
  not give, and keeps the JWS so anyone can verify it again. Only this is a 评估报告.

Amounts are commercial secrets: a valuation is seen by the registration's holders and the
registry, and by anyone once the holder publishes it. The log's event (`ValuationRecorded`)
carries codes, the approaches and commitments only.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, Final

from dataip.domain import model as m
from dataip.domain.after_registration import RegState
from dataip.domain.errors import DomainError
from dataip.services import after_registration as actions
from dataip.services.context import Env, Identity
from dataip.services.ports import UnitOfWork
from dataip.services.recording import commitment, record_event
from dataip.services.sharing import tokens
from dataip.services.value import valuation_facts as facts
from dataip.services.value.valuation_reads import (  # the reads, re-exported
    DISCLAIMER,
    KIND_LABELS,
    agency_keys,
    get,
    get_for_institution,
    list_for,
    registration,
    view,
)
from dataip.sharing.scopes import VALUATIONS_WRITE, Principal
from dataip.value.valuation import evaluate
from dataip.value.valuation_model import (
    CostInputs,
    IncomeInputs,
    MarketInputs,
    ValuationInputs,
    bad_input,
)
from dataip.value.valuation_signature import verify

__all__ = [
    "DISCLAIMER",
    "KIND_LABELS",
    "create_reference",
    "get",
    "get_for_institution",
    "list_for",
    "submit_appraisal",
]

VALUABLE_STATES: Final = frozenset(
    {RegState.VALID, RegState.REVOCATION_PENDING, RegState.RE_EXAMINATION}
)


def _err(code: str, zh: str, en: str, status: int, **details: Any) -> DomainError:
    return DomainError(code, zh, en, status=status, details=details or None)


def _check_state(reg: m.Registration) -> None:
    if reg.state not in VALUABLE_STATES:
        raise _err(
            "valuation_not_available_in_state",
            "登记已终止（注销、放弃或撤销），不再提供估值",
            "the registration has ended (cancelled, abandoned or revoked): no valuation",
            409,
            state=reg.state,
        )


# --- inputs ----------------------------------------------------------------------------------


def _int(body: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if type(value) is not int:
        raise bad_input(f"{where}.{key}", "须为整数", "an integer")
    return value


def _cost(body: Any, *, agency: bool) -> CostInputs | None:
    if body is None:
        return None
    if not isinstance(body, dict):
        raise bad_input("cost", "格式错误", "an object")
    items = body.get("items")
    if not isinstance(items, list):
        raise bad_input("cost.items", "须为成本项列表", "a list of cost items")
    parsed = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("item"), str):
            raise bad_input(f"cost.items[{i}]", "格式错误", "an object with item and amount_fen")
        parsed.append((item["item"], _int(item, "amount_fen", f"cost.items[{i}]")))
    coefficient = body.get("coefficient_bp")
    if coefficient is not None and not agency:
        raise bad_input(
            "cost.coefficient_bp",
            "价值调整系数由公开方法计算，只有评估机构可以自行确定",
            "the coefficient is computed; only an appraisal agency may set its own",
        )
    return CostInputs(
        items=tuple(parsed),
        profit_rate_bp=_int(body, "profit_rate_bp", "cost"),
        scenario_bp=_int(body, "scenario_bp", "cost", 8000),
        coefficient_bp=None if coefficient is None else _int(body, "coefficient_bp", "cost"),
    )


def _income(body: Any) -> IncomeInputs | None:
    if body is None:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("incomes_fen"), list):
        raise bad_input("income.incomes_fen", "须为逐年收益列表", "a list of yearly incomes")
    incomes = body["incomes_fen"]
    for i, v in enumerate(incomes):
        if type(v) is not int:
            raise bad_input(f"income.incomes[{i}]", "须为整数（分）", "an integer (fen)")
    return IncomeInputs(
        incomes=tuple(incomes),
        discount_rate_bp=_int(body, "discount_rate_bp", "income"),
        contribution_bp=_int(body, "contribution_bp", "income"),
    )


def _weights(body: Any) -> dict[str, int] | None:
    if body is None:
        return None
    if not isinstance(body, dict):
        raise bad_input("weights_bp", "格式错误", "an object of approach → bp")
    return dict(body)


def build_inputs(
    uow: UnitOfWork, env: Env, reg: m.Registration, body: dict[str, Any], *, agency: bool = False
) -> ValuationInputs:
    """The valuer's inputs with the register's facts, checked (422 naming the field)."""
    declared = body.get("quality_bp")
    if declared is not None and type(declared) is not int:
        raise bad_input("quality_bp", "须为整数", "an integer")
    collection = facts.collection_facts(uow, reg, declared)
    if collection is None:
        raise bad_input(
            "quality_bp",
            "尚无实测的数据质量得分，请填报质量综合得分（0–10000）",
            "no measured quality score yet: declare an overall quality score (0–10000)",
        )
    market = body.get("market")
    if market is not None and not isinstance(market, dict):
        raise bad_input("market", "格式错误", "an object")
    return ValuationInputs(
        valuation_date=env.today(),
        legal=facts.legal_facts(uow, env, reg),
        collection=collection,
        technical=facts.technical_facts(uow, reg),
        economic=facts.economic_facts(uow, reg),
        industry_code=reg.industry_code,
        section=facts.section_of(uow, reg.industry_code),
        cost=_cost(body.get("cost"), agency=agency),
        income=_income(body.get("income")),
        market=None
        if market is None
        else MarketInputs(
            comparables=facts.comparables(uow, env, reg),
            index_bp=_int(market, "index_bp", "market", 300),
        ),
        weights_bp=_weights(body.get("weights_bp")),
    )


def _report(inputs: ValuationInputs) -> tuple[dict[str, Any], int]:
    v = evaluate(inputs)
    if v.value_fen is None:
        market = v.approach("market")
        raise _err(
            "valuation_not_computable",
            "所选评估方法均无法计算"
            + (f"：{market.reason[0]}" if market and market.reason else ""),
            "none of the approaches chosen could be computed"
            + (f": {market.reason[1]}" if market and market.reason else ""),
            409,
        )
    lg = inputs.legal
    report = v.to_dict()
    report["facts"] = {
        "valuation_date": inputs.valuation_date.isoformat(),
        "state": lg.state,
        "valid_until": lg.valid_until.isoformat(),
        "agreement_end": lg.agreement_end.isoformat() if lg.agreement_end else None,
        "quality_bp": inputs.collection.quality_bp,
        "quality_source": inputs.collection.quality_source,
        "records": inputs.collection.records,
        "industry_code": inputs.industry_code,
        "section": inputs.section,
    }
    return report, v.value_fen


def _store(
    uow: UnitOfWork,
    env: Env,
    reg: m.Registration,
    *,
    kind: str,
    body: dict[str, Any],
    inputs: ValuationInputs,
    report: dict[str, Any],
    value_fen: int,
    user_id: int | None,
    institution_id: int | None = None,
    jws: str | None = None,
    actor: Any = None,
) -> dict[str, Any]:
    today = env.today()
    serial = uow.next_value(f"valuation:{env.profile.registry_code}:{today.year}")
    published = body.get("publish") is True
    row = uow.valuations.add(
        number=f"PG{today.year:04d}{env.profile.registry_code}{serial:07d}",
        registration_id=reg.id,
        kind=kind,
        approaches=list(inputs.approaches),
        inputs={k: v for k, v in body.items() if k not in ("publish",)},
        report=report,
        value_fen=value_fen,
        valuation_date=inputs.valuation_date,
        created_by=user_id,
        institution_id=institution_id,
        jws=jws,
        jws_sha256=None if jws is None else hashlib.sha256(jws.encode()).hexdigest(),
        published=published,
        created_at=env.now(),
    )
    private: dict[str, Any] = {
        "value_fen": commitment(value_fen),
        "inputs": commitment(row["inputs"]),
    }
    if actor is not None:
        private["agency"] = commitment(actor)
    record_event(
        uow,
        subject_type="registration",
        subject_id=reg.id,
        type="ValuationRecorded",
        at=env.now(),
        actor_user_id=user_id,
        public={
            "registration_number": reg.registration_number,
            "valuation_number": row["number"],
            "valuation_kind": kind,
            "approaches": list(inputs.approaches),
            "valuation_date": inputs.valuation_date.isoformat(),
            "published": published,
        },
        private=private,
    )
    return row


# --- use cases -------------------------------------------------------------------------------


def create_reference(
    identity: Identity, *, env: Env, number: str, body: dict[str, Any]
) -> dict[str, Any]:
    """The holder's 价值参考: computed from its inputs and the register, kept, logged."""
    uid = identity.require_login()
    with env.uow() as uow:
        reg = registration(uow, number)
        if not actions.is_holder(uow, identity, reg):
            raise _err(
                "forbidden",
                "只有登记主体（持有人）可以生成价值参考",
                "only the registration's holder may make a value reference",
                403,
            )
        _check_state(reg)
        inputs = build_inputs(uow, env, reg, body)
        report, value = _report(inputs)
        row = _store(
            uow,
            env,
            reg,
            kind="reference",
            body=body,
            inputs=inputs,
            report=report,
            value_fen=value,
            user_id=uid,
        )
        uow.commit()
        return view(uow, reg, row, None)


def submit_appraisal(principal: Principal, *, env: Env, number: str, token: str) -> dict[str, Any]:
    """An appraisal agency's signed 评估报告 (scope valuations:write)."""
    assert principal.allows(VALUATIONS_WRITE)
    with env.read() as uow:
        inst = uow.sharing.institution(principal.client_id)
    if inst is None:  # revoked and removed since the token was checked
        raise tokens.invalid_token("the institution is no longer registered")
    keys = agency_keys(inst, token)  # a jwks_uri is fetched outside any transaction
    with env.uow() as uow:
        reg = registration(uow, number)
        _check_state(reg)
        payload, _ = verify(token, keys)
        if uow.valuations.by_jws(token.strip()) is not None:
            raise _err(
                "valuation_already_recorded",
                "该评估报告已提交过",
                "this signed report is already recorded",
                409,
            )
        _check_payload(payload, number=number, uscc=inst.uscc, today=env.today())
        body = dict(payload["inputs"])
        body["publish"] = payload.get("publish") is True
        inputs = build_inputs(uow, env, reg, body, agency=True)
        report, value = _report(inputs)
        stated = payload.get("value_fen")
        if stated is not None and stated != value:
            raise _err(
                "valuation_figure_mismatch",
                f"签名的评估值 {stated} 分与按公开方法复算的 {value} 分不符",
                f"the signed figure {stated} fen is not the method's {value} fen",
                409,
                stated_fen=stated,
                computed_fen=value,
            )
        report["agency"] = {
            "name": inst.name,
            "uscc": inst.uscc,
            "reference": payload.get("report_reference"),
            "stated_value_fen": stated,
        }
        row = _store(
            uow,
            env,
            reg,
            kind="appraisal",
            body=body,
            inputs=inputs,
            report=report,
            value_fen=value,
            user_id=None,
            institution_id=inst.id,
            jws=token.strip(),
            actor=inst.client_id,
        )
        uow.commit()
        return view(uow, reg, row, inst)


def _check_payload(payload: dict[str, Any], *, number: str, uscc: str, today: date) -> None:
    def mismatch(field: str, zh: str, en: str) -> DomainError:
        return _err("valuation_payload_mismatch", zh, en, 422, field=field)

    if payload.get("registration_number") != number:
        raise mismatch(
            "registration_number", "签名内容中的登记号与请求不符", "signed for another registration"
        )
    if payload.get("agency_uscc") != uscc:
        raise mismatch(
            "agency_uscc",
            "签名内容中的统一社会信用代码不是该评估机构的",
            "the signed credit code is not the agency's",
        )
    try:
        signed_on = date.fromisoformat(str(payload.get("valuation_date")))
    except ValueError:
        raise mismatch(
            "valuation_date", "评估基准日格式错误", "valuation_date: YYYY-MM-DD"
        ) from None
    if signed_on > today:
        raise mismatch("valuation_date", "评估基准日晚于今天", "valuation_date is in the future")
    if not isinstance(payload.get("inputs"), dict):
        raise mismatch("inputs", "签名内容缺少评估参数", "the signed inputs are missing")
