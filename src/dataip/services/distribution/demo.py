"""Demo data for derivation and benefit distribution (issue 23 §1–§2), called once from
`services.demo.populate`: the traffic data set derives from the Chishui river's monitoring
data (flood-season road closures) and from the province's open road data; the river data
from the hydrology bureau's open data. Every link is confirmed — the registration by its
holder, the external sources by the registry — and the licence fee filed on the traffic data
set is distributed through them."""

from __future__ import annotations

from dataip.services.context import Env, Identity
from dataip.services.distribution import incomes, sources


def populate(env: Env, *, holder: Identity, examiner: Identity, numbers: list[str]) -> None:
    if len(numbers) < 3:
        return
    traffic, water = numbers[0], numbers[2]
    links = [
        (traffic, sources.Upstream("registration", number=water), 1500, "application"),
        (
            traffic,
            sources.Upstream("external", name="贵州省交通运输厅公开路况数据（演示）"),
            2000,
            "collection",
        ),
        (
            water,
            sources.Upstream("external", name="贵州省水文水资源局公开水文数据（演示）"),
            3000,
            "collection",
        ),
    ]
    for number, up, weight, stage in links:
        link = sources.declare(
            holder, env=env, number=number, upstream=up, weight_bp=weight, stage=stage
        )
        answerer = holder if up.kind == "registration" else examiner
        sources.confirm(answerer, env=env, number=number, link_id=link.id)
    with env.read() as uow:
        reg = sources.registration(uow, traffic)
        licence = next(f for f in uow.filings.for_registration(reg.id) if f.kind == "licence")
    incomes.record(holder, env=env, number=traffic, filing_number=licence.number)
