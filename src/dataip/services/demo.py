"""Demo data (`dataip demo`): a realistic registry a newcomer can click through.

Organisations have valid Unified Social Credit Codes (check character computed; names are
invented), industries are real GB/T 4754 classes, and applications are driven through the
real procedure with a moving clock, so every state and deadline is genuine.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from stdnum.cn import uscc

from dataip.domain.application import PRACTICAL_VALUES
from dataip.evidence import sample as sample_proofs
from dataip.evidence.fingerprint import fingerprint
from dataip.services import (
    accounts,
    after_registration,
    applications,
    blobs,
    evidence,
    parties,
    procedure,
    scheduler,
)
from dataip.services.catalogue import demo as catalogue_demo
from dataip.services.context import Env, FixedClock, Identity
from dataip.services.directory import demo as directory_demo
from dataip.services.distribution import demo as distribution_demo
from dataip.services.matching import demo as matching_demo
from dataip.services.one_window import demo as one_window_demo
from dataip.services.recording import due_date
from dataip.services.sharing import demo as sharing_demo
from dataip.services.value import demo as value_demo
from dataip.services.value import hotness_demo, statistics_demo, valuation_demo

PASSWORD = "demo-password"

ORGS = [
    ("贵州黔通智联交通大数据有限公司", "520115", "贵阳市观山湖区长岭北路55号"),
    ("贵阳云岭医疗健康数据科技有限公司", "520102", "贵阳市南明区花果园大街8号"),
    ("遵义赤水河生态环境监测中心有限公司", "520302", "遵义市红花岗区海尔大道166号"),
    ("杭州西溪信用数据服务有限公司", "330106", "杭州市西湖区文三路398号"),
    ("苏州工业园区智造数据有限公司", "320505", "苏州市工业园区星湖街328号"),
    ("安顺山地农业物联网合作社", "520402", "安顺市西秀区黄果树大街18号"),
]
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(region: str, serial: int, *, kind: str = "legal_person") -> str:
    """A structurally valid USCC: authority+type, region, organisation code, check char."""
    head = "91" if kind == "legal_person" else "93"
    org = "".join(_ORG_CHARS[(serial * 7919 + i * 104729) % len(_ORG_CHARS)] for i in range(9))
    body = head + region + org
    return body + uscc.calc_check_digit(body + "0")


SCENARIOS = [
    # name, industry, scenario, values, kinds, methods, fate
    (
        "城市交通拥堵预测数据集",
        "5411",
        "transport",
        ["dispatch_decision"],
        ["enterprise"],
        ["self_generated"],
        "registered",
    ),
    (
        "医疗影像辅助诊断数据集",
        "8411",
        "healthcare",
        ["risk_identification"],
        ["personal", "enterprise"],
        ["agreement"],
        "registered",
    ),
    (
        "赤水河流域水质监测数据集",
        "7810",
        "eco_environment",
        ["analysis_evaluation"],
        ["public"],
        ["public_authorisation"],
        "registered",
    ),
    (
        "小微企业信用评估数据集",
        "6450",
        "credit_service",
        ["risk_identification"],
        ["enterprise"],
        ["public_collection"],
        "refused",
    ),
    (
        "工业设备故障预警数据集",
        "3670",
        "sci_tech",
        ["risk_identification"],
        ["enterprise"],
        ["self_generated"],
        "withdrawn",
    ),
    (
        "山地农业病虫害识别数据集",
        "0111",
        "eco_environment",
        ["disaster_prevention"],
        ["enterprise"],
        ["self_generated"],
        "deemed_withdrawn",
    ),
    (
        "网约车出行需求预测数据集",
        "5411",
        "transport",
        ["precision_marketing"],
        ["enterprise"],
        ["self_generated"],
        "revoked",
    ),
    (
        "新能源汽车电池健康评估数据集",
        "3612",
        "sci_tech",
        ["analysis_evaluation"],
        ["enterprise"],
        ["self_generated"],
        "awaiting_judgment",
    ),
    (
        "电力负荷预测数据集",
        "4420",
        "public_service",
        ["dispatch_decision"],
        ["enterprise"],
        ["self_generated"],
        "submitted",
    ),
    (
        "货运枢纽调度优化数据集",
        "5442",
        "transport",
        ["dispatch_decision"],
        ["enterprise"],
        ["self_generated"],
        "under_examination",
    ),
    (
        "互联网安全威胁情报数据集",
        "6440",
        "public_service",
        ["risk_identification"],
        ["enterprise"],
        ["self_generated"],
        "awaiting_correction",
    ),
    (
        "城市公交客流分析数据集",
        "5411",
        "transport",
        ["analysis_evaluation"],
        ["enterprise"],
        ["self_generated"],
        "publicised",
    ),
    (
        "中医诊疗知识图谱数据集",
        "8412",
        "healthcare",
        ["industry_service"],
        ["enterprise"],
        ["self_generated"],
        "objection_pending",
    ),
    (
        "客运汽车站客流监测数据集",
        "5441",
        "transport",
        ["analysis_evaluation"],
        ["enterprise"],
        ["self_generated"],
        "draft",
    ),
]

SAMPLE_CSV = (
    "时间,路段编号,平均车速(km/h),拥堵指数\n2026-05-01 08:00,GY-0012,18.5,7.2\n"
    "2026-05-01 08:05,GY-0012,16.1,7.9\n2026-05-01 08:10,GY-0013,31.0,3.4\n"
)


def _demo_deposit(who: Identity, env: Env) -> tuple[str, str]:
    """The first demo data set fingerprinted, deposited, and its sample rows proven — the
    way a holder does it with `dataip fingerprint` and `dataip evidence deposit`."""
    rows = "".join(
        f"2026-05-0{1 + i // 288} {i % 288 // 12:02d}:{i % 12 * 5:02d},GY-00{12 + i % 7},"
        f"{15 + i % 40}.{i % 10},{1 + i % 9}.{i % 7}\n"
        for i in range(2000)
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "城市交通拥堵数据"
        folder.mkdir()
        (folder / "traffic.csv").write_text(SAMPLE_CSV + rows, "utf-8")
        (folder / "README.txt").write_text(
            "贵阳市主要路段五分钟粒度车速与拥堵指数（演示）", "utf-8"
        )
        manifest = fingerprint(folder).manifest
        proof = sample_proofs.prove(manifest, folder / "traffic.csv", SAMPLE_CSV.encode())
    dep = evidence.deposit(
        who, env=env, root=manifest.root, manifest=manifest.to_dict(), title="城市交通拥堵数据"
    )
    blob = blobs.upload(
        who,
        env=env,
        data=json.dumps(proof, ensure_ascii=False).encode(),
        filename="sample.proof.json",
        media_type="application/json",
    )
    return dep.number, blob.sha256


def form_for(spec: tuple[Any, ...], sample: str, proof: str, evidenced_on: str) -> dict[str, Any]:
    name, industry, scenario, values, kinds, methods, _ = spec
    digest = hashlib.sha256(name.encode()).hexdigest()
    uses = "、".join(PRACTICAL_VALUES[v][0] for v in values)
    form: dict[str, Any] = {
        "name": name,
        "industry_code": industry,
        "scenarios": {"values": [scenario]},
        "practical_values": {
            "values": values,
            "description": f"基于{name[:-3]}，支撑{uses}等业务应用。",
        },
        "intellectual_achievement": (
            "采用自研的数据清洗与多源融合规则，对原始数据进行去噪、对齐与特征构建。"
        ),
        "source_kinds": {"values": kinds},
        "acquisition_methods": {"values": methods},
        "processing_rules": "数据经采集、清洗、标注、质量校验四个环节处理；异常值按3σ规则剔除。",
        "scope": {
            "coverage": "贵州省贵阳市及周边区县",
            "records": 12_500_000,
            "bytes": 48 * 1024**3,
            "time_span_start": "2023-01-01",
            "time_span_end": "2026-06-30",
        },
        "update": {"frequency": "daily", "term": "持续更新至2028年12月"},
        "evidence": {
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": f"GZCZ{digest[:10].upper()}",
            "hash_value": digest,
            "evidenced_on": evidenced_on,
        },
        "sample_blobs": [sample],
        "data_formats": {"values": ["csv", "json"]},
        "commitment_accepted": True,
    }
    if set(kinds) & {"personal", "public"}:
        form["anonymisation"] = (
            "个人信息经去标识化处理：姓名、证件号删除，位置泛化至区县级，不可复原。"
        )
    if set(methods) & {"agreement", "public_authorisation"}:
        form["source_proof_blobs"] = [proof]
    if "agreement" in methods:
        form["agreement_end_date"] = "2027-06-30"
    return form


def populate(env: Env) -> dict[str, int]:
    real_now = env.now()
    clock = FixedClock(real_now - timedelta(days=30))
    e = dataclasses.replace(env, clock=clock)
    s = Identity(user_id=0, role="registrar_admin", username="operator")
    admin = accounts.sign_up(
        s,
        env=e,
        username="admin",
        password=PASSWORD,
        display_name="登记机构管理员",
        role="registrar_admin",
    )
    examiner = accounts.sign_up(
        s,
        env=e,
        username="examiner",
        password=PASSWORD,
        display_name="审查员 王审",
        role="examiner",
    )
    appl = accounts.sign_up(
        s,
        env=e,
        username="applicant",
        password=PASSWORD,
        display_name="黔通智联 数据部",
        role="applicant",
    )
    objector_user = accounts.sign_up(
        s,
        env=e,
        username="objector",
        password=PASSWORD,
        display_name="社会公众 李异",
        role="applicant",
    )
    ex = Identity(user_id=examiner.id, role="examiner", username="examiner")
    ap = Identity(user_id=appl.id, role="applicant", username="applicant")
    ob = Identity(user_id=objector_user.id, role="applicant", username="objector")
    evidence = blobs.upload(
        ap,
        env=e,
        data="营业执照扫描件（演示）".encode(),
        filename="licence.txt",
        media_type="text/plain",
    ).sha256
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
    party_ids = []
    for i, (name, region, address) in enumerate(ORGS):
        p = parties.create_party(
            ap,
            env=e,
            kind="legal_person",
            name=name,
            id_number=make_uscc(region, i + 1),
            address=address,
        )
        parties.request_verification(
            ap, env=e, party_id=p.id, method="business_licence", evidence_blob=evidence
        )
        parties.decide_verification(ex, env=e, party_id=p.id, approve=True)
        party_ids.append(p.id)
    op = parties.create_party(
        ob,
        env=e,
        kind="natural_person",
        name="李异议",
        id_number="11010519491231002X",
        address="北京市朝阳区示例路1号",
    )
    ev_ob = blobs.upload(
        ob, env=e, data="身份证扫描件（演示）".encode(), filename="id.txt", media_type="text/plain"
    ).sha256
    parties.request_verification(
        ob, env=e, party_id=op.id, method="id_document", evidence_blob=ev_ob
    )
    parties.decide_verification(ex, env=e, party_id=op.id, approve=True)
    objection_evidence = blobs.upload(
        ob,
        env=e,
        data="异议证据（演示）".encode(),
        filename="evidence.txt",
        media_type="text/plain",
    ).sha256

    def act(who: Identity, app_id: int, action: str, **payload: Any) -> None:
        procedure.perform(who, env=e, application_id=app_id, action=action, payload=payload)

    def step(days: float) -> None:
        clock.advance_to(clock.now() + timedelta(days=days))

    evidenced_on = (real_now - timedelta(days=60)).date().isoformat()
    recent = {
        "submitted",
        "under_examination",
        "awaiting_correction",
        "publicised",
        "objection_pending",
        "draft",
    }

    deposit_number, sample_proof = _demo_deposit(ap, e)

    def new_app(i: int, spec: tuple[Any, ...]) -> int:
        lead = party_ids[i % len(party_ids)]
        form = form_for(spec, sample, proof, evidenced_on)
        if i == 0:  # evidenced here, with its sample rows proven (the examiner's checks show it)
            form["evidence"] = {"deposit_number": deposit_number, "sample_proof_blob": sample_proof}
        a = applications.create_draft(
            ap,
            env=e,
            form=form,
            applicants=[applications.ApplicantIn(party_id=lead)],
        )
        return a.id

    # Phase 1, a month ago: older filings that have run their course by now.
    step(1)
    old = [(i, s_) for i, s_ in enumerate(SCENARIOS) if s_[-1] not in recent]
    filed = [(s_[-1], new_app(i, s_)) for i, s_ in old]
    ids = dict(filed)  # one of each fate but "registered", which has several
    for _, aid in filed:
        act(ap, aid, "submit")
    step(0.1)
    for fate, aid in filed:
        if fate == "withdrawn":
            act(ap, aid, "withdraw", reason="数据范围需调整，拟重新整理后再申请")
            continue
        act(ex, aid, "accept")
        if fate == "refused":
            act(ex, aid, "refuse", grounds=[5], reason="样例数据与申报的数据来源不一致")
        elif fate == "deemed_withdrawn":
            act(
                ex,
                aid,
                "request_correction",
                defects=[
                    {
                        "field": "scope.coverage",
                        "zh": "请明确数据覆盖的县区范围",
                        "en": "state the counties",
                    },
                    {
                        "field": "sample_blobs",
                        "zh": "样例数据缺少字段说明",
                        "en": "describe the columns",
                    },
                ],
            )
        else:
            act(ex, aid, "publicise")
    # issue 24 §2: one data set filed once for data IP and data property (一窗受理)
    one_window = one_window_demo.file(
        e,
        holder=ap,
        examiner=ex,
        party_id=party_ids[0],
        form=form_for(SCENARIOS[0], sample, proof, evidenced_on),
    )
    publicity_due = due_date(e, "publicity", clock.now()).due_on
    step(1)
    for fate in ("revoked", "awaiting_judgment"):
        aid = ids[fate]
        act(
            ob,
            aid,
            "file_objection",
            objector_party_id=op.id,
            statement="该数据集部分内容来源于本人单位已公开发布的数据，权属存在争议。",
            evidence_blobs=[objection_evidence],
        )
        act(ex, aid, "notify_objection")
        act(ap, aid, "answer_objection", statement="数据系我公司自行采集生成，附采集日志为证。")
    # Phase 2, about ten days later: publicity (the profile's period; Beijing's is 15
    # calendar days) and correction periods have passed.
    step(max(12, (publicity_due - clock.now().date()).days + 1))
    registered = [aid for fate, aid in filed if fate == "registered"]
    for aid in registered[:-1]:
        act(ex, aid, "approve")
    # G§16: the last announced two days after its registration date (the profile says which
    # date validity counts from: guizhou-2024 the registration, beijing-3y the announcement)
    announce_on = (clock.now() + timedelta(days=2)).date().isoformat()
    act(ex, registered[-1], "approve", announcement_date=announce_on)
    act(
        ex,
        ids["revoked"],
        "decide_objection",
        outcome="revoke",
        reason="异议人提供的证据证明数据主要来源于其公开发布的数据。",
    )
    act(
        ex,
        ids["awaiting_judgment"],
        "decide_objection",
        outcome="unresolved",
        reason="双方对处理结果存在争议，告知异议人可提起诉讼或仲裁。",
    )
    report = scheduler.tick(env=e)
    # After registration (G§21, G§22): a licence and a bank pledge on the first registration,
    # a trade filing and a pending change on the second.
    step(2)
    scheduler.tick(env=e)  # the announcement due today is published
    with e.uow() as uow:
        numbers = [uow.registrations.by_application(aid).registration_number for aid in registered]
    contract = (clock.now() - timedelta(days=3)).date().isoformat()
    bank = {"name": "贵阳银行股份有限公司（演示）", "credit_code": make_uscc("520100", 90)}
    after_registration.perform(
        ap,
        env=e,
        number=numbers[0],
        action="file_licence",
        payload={
            "contract_date": contract,
            "licence_type": "non_exclusive",
            "licensee": {
                "name": "贵州交通规划研究院（演示）",
                "credit_code": make_uscc("520100", 91),
            },
            "scope": "交通规划研究与模型训练",
            "territory": "贵州省",
            "term_end": (clock.now() + timedelta(days=365)).date().isoformat(),
            "fee_fen": 12_000_000,
        },
    )
    after_registration.perform(
        ap,
        env=e,
        number=numbers[0],
        action="file_pledge",
        payload={
            "contract_date": contract,
            "pledgee": bank,
            "secured_amount_fen": 500_000_000,
            "term_end": (clock.now() + timedelta(days=365)).date().isoformat(),
        },
    )
    if len(numbers) > 1:
        after_registration.perform(
            ap,
            env=e,
            number=numbers[1],
            action="file_trade",
            payload={
                "contract_date": contract,
                "counterparty": {
                    "name": "贵阳大数据交易所（演示）",
                    "credit_code": make_uscc("520100", 92),
                },
                "price_fen": 8_800_000,
                "right": "usage",
            },
        )
        after_registration.perform(
            ap,
            env=e,
            number=numbers[1],
            action="request_change",
            payload={
                "changes": {"update": {"frequency": "weekly"}},
                "reason": "数据更新频率由每日调整为每周",
            },
        )
    if len(numbers) > 2:  # issue 24 §3: the water-quality data set gets its CSTR and DOI
        catalogue_demo.populate(ap, ex, env=e, number=numbers[2])
    # Issue 20: a court's and a bank's clients; the court reads the first registration
    sharing_demo.populate(
        Identity(user_id=admin.id, role="registrar_admin", username="admin"),
        env=e,
        number=numbers[0],
    )
    value_demo.populate(ap, env=e, numbers=numbers)  # issue 22 §1: data quality

    distribution_demo.populate(e, holder=ap, examiner=ex, numbers=numbers)  # issue 23 §1–§2

    valuation_demo.populate(
        ap, Identity(user_id=admin.id, role="registrar_admin"), env=e, number=numbers[0]
    )  # issue 22 §2
    matching_demo.populate(e, author=ob, party_id=op.id, holder=ap)  # issue 23 §3–§4: needs
    directory_demo.populate(e, owner=ob, examiner=ex, holder=ap, number=numbers[0])  # §5
    # issue 24 §2: both registered once data property's longer publicity is over
    one_window_demo.approve(e, clock, one_window, examiner=ex, until=real_now - timedelta(days=1))
    # Phase 3, yesterday: filings still under way today.
    clock.advance_to(real_now - timedelta(days=1))
    for i, s_ in enumerate(SCENARIOS):
        fate = s_[-1]
        if fate not in recent:
            continue
        aid = new_app(i, s_)
        if fate == "draft":
            continue
        act(ap, aid, "submit")
        if fate == "submitted":
            continue
        act(ex, aid, "accept")
        if fate == "under_examination":
            # R8 / Z§2.1: fast track asked for on a ground, awaiting the registry's decision
            act(
                ap,
                aid,
                "request_fast_track",
                ground="pledge_financing",
                statement="贵阳银行拟以本数据知识产权质押授信，放款前须取得登记证书。",
            )
        if fate == "awaiting_correction":
            act(
                ex,
                aid,
                "request_correction",
                defects=["请补充数据来源证明材料", "处理规则说明过于简略，请补充算法说明"],
            )
        elif fate in ("publicised", "objection_pending"):
            act(ex, aid, "publicise")
            if fate == "objection_pending":
                act(
                    ob,
                    aid,
                    "file_objection",
                    objector_party_id=op.id,
                    statement="该数据集名称与本人在先发布的数据产品名称相同。",
                    evidence_blobs=[objection_evidence],
                )
    history = statistics_demo.populate(env, case_number=numbers[0])  # issue 22 §5–6
    counts = {**applications_count(env), **history}
    return {
        "applications": sum(counts.values()),
        "deemed_withdrawn_by_tick": report.deemed_withdrawn,
        "parties": len(party_ids) + 1,
        **counts,
        "hotness_ranked": hotness_demo.populate(env),  # issue 22 §4: signals, the ranking
    }


def applications_count(env: Env) -> dict[str, int]:
    with env.uow() as uow:
        return dict(uow.applications.count_by_state())
