"""Demo data (`dataip demo`): a realistic registry a newcomer can click through.

Organisations have valid Unified Social Credit Codes (check character computed; names are
invented), industries are real GB/T 4754 classes, and applications are driven through the
real procedure with a moving clock, so every state and deadline is genuine. What is filed —
the organisations, the data sets and their forms — is `services.demo_data`.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

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
from dataip.services.demo_data import ORGS, SAMPLE_CSV, SCENARIOS, form_for, make_uscc
from dataip.services.directory import demo as directory_demo
from dataip.services.distribution import demo as distribution_demo
from dataip.services.matching import demo as matching_demo
from dataip.services.one_window import demo as one_window_demo
from dataip.services.recording import due_date
from dataip.services.sharing import demo as sharing_demo
from dataip.services.value import demo as value_demo
from dataip.services.value import hotness_demo, statistics_demo, valuation_demo

PASSWORD = "demo-password"


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
