"""The demo's scientific data set with a CSTR and a DOI (issue 24 §3): the holder of the water
quality monitoring data set adds both by change registration (变更登记), and the examiner
approves it — the registration's page then links them, the search box finds it by either, and
its JSON-LD carries them."""

from __future__ import annotations

from dataip.services import after_registration
from dataip.services.context import Env, Identity

# A demonstration agency code and, for the DOI, 10.5072, the prefix DataCite keeps for tests.
DEMO_CSTR = "CSTR:52001.11.CSHWQ.2026.001"
DEMO_DOI = "10.5072/dataip-demo.chishui-wq.2026"


def populate(holder: Identity, registry: Identity, *, env: Env, number: str) -> None:
    """File and approve the change that gives registration `number` its CSTR and DOI."""
    _, request = after_registration.perform(
        holder,
        env=env,
        number=number,
        action="request_change",
        payload={
            "changes": {"identifiers": {"cstr": DEMO_CSTR, "doi": DEMO_DOI}},
            "reason": "数据集已在科学数据中心发布，补充登记其科技资源标识与 DOI",
        },
    )
    after_registration.perform(
        registry,
        env=env,
        number=number,
        action="decide_request",
        payload={"request_id": request.id, "outcome": "approve", "reason": "标识符格式核验无误"},
    )
