"""The demo's service directory (issue 23 §5): a valuation agency, a law firm and a data
exchange, listed under legal persons the objector's account owns (so `objector` is the
agencies' user), and a service request from the holder (`applicant`) that the law firm
accepted — contact details exchanged."""

from __future__ import annotations

from dataip.services import blobs, parties
from dataip.services.context import Env, Identity
from dataip.services.demo_data import make_uscc
from dataip.services.directory import agencies, requests

AGENCIES = [
    (
        "贵州黔元资产评估有限公司（演示）",
        "520100",
        ["appraisal"],
        "数据资产价值评估，出具评估报告，服务数据资产入表与质押融资",
    ),
    (
        "贵州数智律师事务所（演示）",
        "520100",
        ["law_firm"],
        "数据知识产权确权、数据授权协议审查与数据合规法律服务",
    ),
    (
        "北京国际数据交易所（演示）",
        "110100",
        ["exchange", "broker"],
        "数据产品挂牌交易、交易撮合与交易凭证出具",
    ),
]


def populate(
    env: Env, *, owner: Identity, examiner: Identity, holder: Identity, number: str
) -> int:
    """List the agencies and have the holder ask the law firm, which accepts; how many."""
    evidence = blobs.upload(
        owner,
        env=env,
        data="营业执照扫描件（演示）".encode(),
        filename="licence.txt",
        media_type="text/plain",
    ).sha256
    listed = []
    for i, (name, region, categories, description) in enumerate(AGENCIES):
        p = parties.create_party(
            owner,
            env=env,
            kind="legal_person",
            name=name,
            id_number=make_uscc(region, 80 + i),
            address="演示地址",
        )
        parties.request_verification(
            owner, env=env, party_id=p.id, method="business_licence", evidence_blob=evidence
        )
        parties.decide_verification(examiner, env=env, party_id=p.id, approve=True)
        listed.append(
            agencies.list_agency(
                owner, env=env, party_id=p.id, categories=categories, description=description
            )
        )
    r = requests.ask(
        holder,
        env=env,
        registration_number=number,
        agency_id=listed[1].id,
        category="law_firm",
        message="请协助审查该数据集的数据来源授权协议，并就许可使用条款提出意见",
    )
    requests.answer(owner, env=env, request_id=r.id, accept=True)
    return len(listed)
