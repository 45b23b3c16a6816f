"""The demo's one-window filing (issue 24 §2): one data set filed once for data IP and data
property registration, both examined and — when the data property register's longer
publicity has run by the time the demo reaches today — both registered, their certificates
naming each other."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from dataip.services import applications, procedure
from dataip.services.context import Env, FixedClock, Identity
from dataip.services.one_window import dossiers

NAME = "钱塘江货运物流时效数据集"
PROPERTY = {
    "rights": ["resource_holding", "processing_use"],
    "data_source": "企业自有物流调度系统运行中产生的运单与轨迹数据",
    "legality_basis": "企业自行生产经营产生；运单数据经托运人服务协议授权收集",
    "compliance_statement": "本单位承诺数据来源合法、处理合规，已完成数据安全风险自评估。",
    "compliance_accepted": True,
}


def file(
    e: Env,
    *,
    holder: Identity,
    examiner: Identity,
    party_id: int,
    form: dict[str, Any],
) -> dict[str, int]:
    """File and submit the one-window filing, accept and publicise both; returns the
    applications' ids by register (none when this deployment keeps no data property)."""
    if "data_property" not in e.registers:
        return {}
    digest = hashlib.sha256(NAME.encode()).hexdigest()
    evidence = {
        **form["evidence"],
        "hash_value": digest,
        "certificate_number": "ZJCZ" + digest[:10],
    }
    evidence.pop("deposit_number", None)
    d = dossiers.file(
        holder,
        env=e,
        registers=["data_ip", "data_property"],
        form={**form, "name": NAME, "evidence": evidence, "property": dict(PROPERTY)},
        applicants=[applications.ApplicantIn(party_id=party_id)],
    )
    dossiers.submit(holder, env=e, dossier_id=d.id)
    ids = {v.application.register: v.application.id for v in d.applications}
    for aid in ids.values():
        procedure.perform(examiner, env=e, application_id=aid, action="accept")
        procedure.perform(examiner, env=e, application_id=aid, action="publicise")
    return ids


def approve(
    e: Env, clock: FixedClock, ids: dict[str, int], *, examiner: Identity, until: datetime
) -> None:
    """Approve both once the longer publicity (data property's) is over, advancing the clock
    to then if need be — unless that is after `until` (then both stay publicised)."""
    if not ids:
        return
    with e.read() as uow:
        dues = [
            d.due_on
            for aid in ids.values()
            for d in uow.deadlines.for_application(aid, open_only=True)
            if d.kind == "publicity"
        ]
    if dues:  # (a profile that approves on its own may have approved one already)
        over = datetime.combine(max(dues) + timedelta(days=1), clock.now().timetz())
        if over >= until:
            return
        if over > clock.now():
            clock.advance_to(over)
    for register in ("data_ip", "data_property"):
        with e.read() as uow:
            app = uow.applications.get(ids[register])
            waiting = app is not None and app.state == "publicised"
        if waiting:
            procedure.perform(examiner, env=e, application_id=ids[register], action="approve")
