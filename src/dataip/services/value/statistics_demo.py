"""Demo data for the statistics and the annual report (R30, JS25§10): a year of earlier
registrations driven through the real procedure on a moving clock — different industries,
regions and processing times, each with a licence, trade or pledge filed — then a typical
case and the aggregates built, so `/statistics` and `/reports/annual/<year>` have figures."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from dataip.services import after_registration, applications, blobs, procedure
from dataip.services.context import Env, FixedClock, Identity
from dataip.services.demo_data import SAMPLE_CSV, form_for, make_uscc
from dataip.services.recording import due_date
from dataip.services.value import statistics, typical_cases

# name, industry (GB/T 4754 class), scenario, source kinds, days to accept, days to decide,
# the filing made after registration (kind, amount in fen)
HISTORY: tuple[tuple[str, str, str, list[str], int, int, str, int], ...] = (
    ("航空客运需求预测数据集", "5611", "transport", ["enterprise"], 1, 6, "licence", 30_000_000),
    ("信息系统运维日志分析数据集", "6531", "sci_tech", ["enterprise"], 0, 9, "trade", 6_600_000),
    (
        "种子种苗品质检测数据集",
        "0511",
        "eco_environment",
        ["enterprise"],
        2,
        12,
        "pledge",
        200_000_000,
    ),
    ("化学原料药工艺参数数据集", "2710", "sci_tech", ["enterprise"], 1, 4, "licence", 4_500_000),
    (
        "火力发电机组能效数据集",
        "4411",
        "public_service",
        ["enterprise"],
        3,
        15,
        "pledge",
        350_000_000,
    ),
    ("小学教育质量监测数据集", "8321", "education_culture", ["public"], 1, 8, "trade", 1_200_000),
    (
        "自然科学试验观测数据集",
        "7310",
        "sci_tech",
        ["public", "enterprise"],
        2,
        5,
        "licence",
        9_000_000,
    ),
    ("城市道路货运流量数据集", "5442", "transport", ["enterprise"], 0, 11, "pledge", 80_000_000),
    (
        "公共交通刷卡出行数据集",
        "5411",
        "transport",
        ["personal", "enterprise"],
        1,
        7,
        "trade",
        15_000_000,
    ),
)

CASE_TITLE = "交通数据知识产权质押融资"
CASE_TEXT = (
    "持有人以登记的城市交通拥堵预测数据集取得数据知识产权登记证书后，向合作银行办理质押，"
    "凭登记证书与质押备案获得授信；同一数据集以普通许可方式授权交通规划研究机构使用。"
    "登记证书作为持有数据、开展许可和融资的初步证明，缩短了银行的尽职调查。"
)


def populate(env: Env, *, case_number: str | None) -> dict[str, int]:
    """A year of registrations before the main demo's month, a typical case on
    ``case_number`` (the main demo's first registration), and the aggregates."""
    real_now = env.now()
    clock = FixedClock(real_now - timedelta(days=330))
    e = dataclasses.replace(env, clock=clock)
    with e.read() as uow:
        ex_user = uow.users.by_username("examiner")
        ap_user = uow.users.by_username("applicant")
        admin = uow.users.by_username("admin")
        parties = [p.id for p in uow.parties.for_owner(ap_user.id)]
    ex = Identity(user_id=ex_user.id, role="examiner", username="examiner")
    ap = Identity(user_id=ap_user.id, role="applicant", username="applicant")
    sample = blobs.upload(
        ap, env=e, data=SAMPLE_CSV.encode(), filename="sample.csv", media_type="text/csv"
    ).sha256
    proof = blobs.upload(
        ap,
        env=e,
        data="数据授权协议（演示）".encode(),
        filename="agreement.txt",
        media_type="text/plain",
    ).sha256
    evidenced_on = (clock.now() - timedelta(days=20)).date().isoformat()

    def act(who: Identity, app_id: int, action: str, **payload: Any) -> None:
        procedure.perform(who, env=e, application_id=app_id, action=action, payload=payload)

    def step(days: float) -> None:
        clock.advance_to(clock.now() + timedelta(days=days))

    made = 0
    for i, (name, industry, scenario, kinds, accept_in, decide_in, kind, fen) in enumerate(HISTORY):
        methods = ["agreement"] if "personal" in kinds else ["self_generated"]
        spec = (name, industry, scenario, ["analysis_evaluation"], kinds, methods, "registered")
        form = form_for(spec, sample, proof, evidenced_on)
        lead = parties[(i + 1) % len(parties)]
        app = applications.create_draft(
            ap, env=e, form=form, applicants=[applications.ApplicantIn(party_id=lead)]
        )
        act(ap, app.id, "submit")
        step(accept_in + 0.1)
        act(ex, app.id, "accept")
        step(decide_in)
        act(ex, app.id, "publicise")
        publicity_due = due_date(e, "publicity", clock.now()).due_on
        step(max(1, (publicity_due - clock.now().date()).days + 1 + i % 3))
        act(ex, app.id, "approve")
        made += 1
        step(2)
        with e.read() as uow:
            number = uow.registrations.by_application(app.id).registration_number
        _file(ap, e, number, kind, fen, i)
        step(30 - accept_in - decide_in)
        if clock.now() >= real_now - timedelta(days=40):
            break
    if case_number is not None:
        typical_cases.add(
            Identity(user_id=admin.id, role="registrar_admin", username="admin"),
            env=env,
            number=case_number,
            year=env.today().year,
            title=CASE_TITLE,
            text=CASE_TEXT,
        )
    statistics.rebuild(env=env)
    return {"statistics_registrations": made}


def _file(who: Identity, env: Env, number: str, kind: str, fen: int, i: int) -> None:
    contract = (env.now() - timedelta(days=1)).date().isoformat()
    term_end = (env.now() + timedelta(days=365)).date().isoformat()
    org = {"name": f"贵州演示合作单位{i + 1}有限公司", "credit_code": _code(i)}
    payload: dict[str, Any]
    if kind == "licence":
        payload = {
            "contract_date": contract,
            "licence_type": "non_exclusive",
            "licensee": org,
            "scope": "研究与模型训练",
            "territory": "中国境内",
            "term_end": term_end,
            "fee_fen": fen,
        }
    elif kind == "trade":
        payload = {"contract_date": contract, "counterparty": org, "price_fen": fen}
    else:
        org = {"name": f"贵州演示商业银行{i + 1}（演示）", "credit_code": _code(40 + i)}
        payload = {
            "contract_date": contract,
            "pledgee": org,
            "secured_amount_fen": fen,
            "term_end": term_end,
        }
    after_registration.perform(who, env=env, number=number, action=f"file_{kind}", payload=payload)


def _code(i: int) -> str:
    return make_uscc("520100", 60 + i)
