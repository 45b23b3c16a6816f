"""The demo's needs (issue 23 §3–§4): three needs published under the objector's verified
real name, each matching one of the demo's registrations (so the holder, `applicant`, finds
them in its inbox and on the registration's page), a contact both sides agreed to and one
awaiting the author's answer."""

from __future__ import annotations

from datetime import timedelta

from dataip.matching.needs import NeedFields
from dataip.services.context import Env, Identity
from dataip.services.matching import contacts, needs

NEEDS = [
    (
        "交通信号配时优化需要主干道拥堵数据",
        "transport",
        "5411",
        "交通管理部门优化信号灯配时，需要主干道分时段的平均车速、拥堵指数及其预测结果，"
        "覆盖贵阳市主城区",
        "52",
        "100k_1m",
    ),
    (
        "训练影像辅助诊断模型需要标注医学影像",
        "healthcare",
        "8411",
        "医疗人工智能企业训练辅助诊断模型，需要经脱敏并由医生标注病灶的医学影像，用于风险识别",
        None,
        "1m_10m",
    ),
    (
        "流域水环境评估需要断面水质监测数据",
        "eco_environment",
        "7810",
        "环保咨询机构评估赤水河流域水环境质量，需要各监测断面的水质监测数据和变化趋势",
        "52",
        "10k_100k",
    ),
]


def populate(env: Env, *, author: Identity, party_id: int, holder: Identity) -> int:
    """Publish the needs (pushed to the holders of their matches) and answer contacts on the
    first two; how many needs."""
    today = env.today()
    published = []
    for title, scenario, industry, wanted, region, band in NEEDS:
        published.append(
            needs.publish(
                author,
                env=env,
                party_id=party_id,
                fields=NeedFields(
                    title=title,
                    scenario=scenario,
                    industry_code=industry,
                    data_wanted=wanted,
                    region_code=region,
                    period_from=today + timedelta(days=10),
                    period_to=today + timedelta(days=375),
                    budget_band=band,
                    expires_on=today + timedelta(days=120),
                ),
            )
        )
    for i, need in enumerate(published[:2]):
        found = needs.matches(author, env=env, need_id=need.id)
        if not found:
            continue
        c = contacts.propose(
            holder, env=env, need_id=need.id, registration_number=found[0].registration_number
        )
        if i == 0:
            contacts.answer(author, env=env, contact_id=c.id, accept=True)
    return len(published)
