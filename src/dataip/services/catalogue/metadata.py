"""Catalogue metadata (issue 24 §4): a registration as a schema.org and DCAT `Dataset` in
JSON-LD, and the paged DCAT catalogue a harvester walks.

One node per registration, typed both `dcat:Dataset` and `schema:Dataset`, whose IRI is its
public page. Only what the public record already shows, and nothing typed freely:

* `dct:identifier` / `schema:identifier` — the registration and certificate numbers, the CSTR
  and the DOI (`schema:sameAs` their resolver links);
* `dct:title` / `schema:name` — the registered name;
* `dct:description` / `schema:description` — a sentence made from codes (industry, scenarios,
  source kinds, number of records): the form's free text is not published here;
* `dct:creator` / `schema:creator` — each holder: a legal person or organisation by name and
  credit code (`dct:identifier`, `schema:taxID`); a natural person as a `foaf:Person` with no
  name or number at all (the public page masks the name; a catalogue has no use for a
  masked one);
* `dct:publisher` / `schema:publisher` — the registry, its IRI the public base URL, with its
  registry (agency) code as `dct:identifier`;
* `dct:issued` (the registration date), `dct:modified` (the last change of the public record:
  the last announcement), `schema:datePublished` / `schema:dateModified`;
* `dcat:keyword` / `schema:keywords` — the GB/T 4754 industry's name and the scenarios';
* `spdx:checksum` — the evidence root when it is a SHA-256 digest (a deposit made here, or a
  declared `sha256:` hash), as an `spdx:Checksum`;
* `adms:status` / `schema:creativeWorkStatus` — the registration's state (有效, 已注销 …);
* `schema:temporalCoverage` — the time span the data covers, when the form gives one (a
  G§14 item of scope and scale, shown at publicity);
* `schema:subjectOf` — the certificate (the VC, which embeds its tlog proof) and the
  transparency log's receipt for the certificate's issuance, once the log covers it.

The context is inline (no remote document: a registry on an intranet, and a harvester
offline, expand it as it is); every property is a prefixed IRI, so the JSON-LD reads the
same to a JSON-LD processor and to someone reading it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dataip.domain import model as m
from dataip.domain.after_registration import REG_STATE_LABELS, RegState
from dataip.domain.application import SCENARIOS, SOURCE_KINDS
from dataip.domain.resource_ids import check_cstr, check_doi
from dataip.services.after_registration import not_found
from dataip.services.catalogue.index import form_identifiers
from dataip.services.context import Env
from dataip.services.ports import UnitOfWork

__all__ = ["CONTEXT", "dataset", "registration_jsonld"]

CONTEXT: dict[str, Any] = {
    "schema": "https://schema.org/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "adms": "http://www.w3.org/ns/adms#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_SHA256 = re.compile(r"(?:sha-?256:)?([0-9a-f]{64})", re.I)


def _zh(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "zh"}


def _date(value: Any) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _datetime(value: datetime) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:dateTime"}


def base_url(env: Env) -> str:
    keys = env.certificate_keys
    return str(getattr(keys, "issuer_id", "") or "").rstrip("/")


def publisher(env: Env) -> dict[str, Any]:
    """The registry: its public address, name and registry (agency) code."""
    p = env.profile
    return {
        "@id": base_url(env) + "/",
        "@type": ["foaf:Organization", "schema:GovernmentOrganization"],
        "foaf:name": _zh(p.registry_name_zh),
        "schema:name": [_zh(p.registry_name_zh), {"@value": p.registry_name_en, "@language": "en"}],
        "dct:identifier": p.registry_code,
        "schema:identifier": p.registry_code,
    }


def _creator(h: dict[str, Any]) -> dict[str, Any]:
    if h.get("kind") == "natural_person":
        return {"@type": ["foaf:Person", "schema:Person"]}  # no name, no number
    out: dict[str, Any] = {
        "@type": ["foaf:Organization", "schema:Organization"],
        "foaf:name": _zh(str(h.get("name") or "")),
        "schema:name": _zh(str(h.get("name") or "")),
    }
    if h.get("credit_code"):
        out["dct:identifier"] = h["credit_code"]
        out["schema:taxID"] = h["credit_code"]
    return out


def _checksum(form: dict[str, Any]) -> dict[str, Any] | None:
    ev = form.get("evidence") or {}
    found = _SHA256.fullmatch(str(ev.get("hash_value") or "").strip())
    if found is None:
        return None
    return {
        "@type": "spdx:Checksum",
        "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
        "spdx:checksumValue": {"@value": found[1].lower(), "@type": "xsd:hexBinary"},
    }


def _labels(form: dict[str, Any], key: str, table: dict[str, tuple[str, str]]) -> list[str]:
    values = (form.get(key) or {}).get("values") or []
    return [table[v][0] for v in values if v in table]


def _description(
    reg: m.Registration, form: dict[str, Any], industry: str | None, scenarios: list[str]
) -> str:
    parts = [f"{reg.name}：数据知识产权登记（登记号 {reg.registration_number}）"]
    if industry:
        parts.append(f"所属行业：{industry}")
    if scenarios:
        parts.append(f"应用场景：{'、'.join(scenarios)}")
    sources = _labels(form, "source_kinds", SOURCE_KINDS)
    if sources:
        parts.append(f"数据来源：{'、'.join(sources)}")
    records = (form.get("scope") or {}).get("records")
    if isinstance(records, int) and not isinstance(records, bool):
        parts.append(f"数据规模：{records:,} 条")
    return "；".join(parts) + "。"


def dataset(
    uow: UnitOfWork, env: Env, reg: m.Registration, *, modified: datetime | None = None
) -> dict[str, Any]:
    """The registration as a `dcat:Dataset` / `schema:Dataset` node (no @context)."""
    base = base_url(env)
    page = f"{base}/registrations/{reg.registration_number}"
    version = uow.registration_versions.latest(reg.id)
    form: dict[str, Any] = dict(version.form) if version else {}
    industry = None
    if reg.industry_code:
        row = uow.industries.get(reg.industry_code)
        industry = row.name if row is not None else None
    scenarios = _labels(form, "scenarios", SCENARIOS)
    ids: list[str] = [reg.registration_number, reg.certificate_number]
    same: list[dict[str, str]] = []
    linked = form_identifiers(form)
    if "cstr" in linked:
        c = check_cstr(linked["cstr"])
        ids.append(c.text)
        same.append({"@id": c.url})
    if "doi" in linked:
        d = check_doi(linked["doi"])
        ids.append(d.text)
        same.append({"@id": d.url})
    state_zh, state_en = REG_STATE_LABELS[RegState(reg.state)]
    description = _description(reg, form, industry, scenarios)
    modified = modified or reg.created_at
    node: dict[str, Any] = {
        "@id": page,
        "@type": ["dcat:Dataset", "schema:Dataset"],
        "dct:identifier": ids,
        "schema:identifier": ids,
        "dct:title": _zh(reg.name),
        "schema:name": _zh(reg.name),
        "dct:description": _zh(description),
        "schema:description": _zh(description),
        "dct:creator": [_creator(h) for h in reg.holders],
        "schema:creator": [_creator(h) for h in reg.holders],
        "dct:publisher": publisher(env),
        "schema:publisher": {"@id": base + "/"},
        "dct:issued": _date(reg.registration_date),
        "schema:datePublished": _date(reg.registration_date),
        "dct:modified": _datetime(modified),
        "schema:dateModified": _datetime(modified),
        "dcat:landingPage": {"@id": page},
        "schema:url": {"@id": page},
        "adms:status": _zh(state_zh),
        "schema:creativeWorkStatus": {"@value": state_en, "@language": "en"},
    }
    span = form.get("scope") or {}
    if span.get("time_span_start") and span.get("time_span_end"):  # the data's own time span
        node["schema:temporalCoverage"] = f"{span['time_span_start']}/{span['time_span_end']}"
    keywords = [k for k in (industry, *scenarios) if k]
    if keywords:
        node["dcat:keyword"] = [_zh(k) for k in keywords]
        node["schema:keywords"] = [_zh(k) for k in keywords]
    if same:
        node["schema:sameAs"] = same
    checksum = _checksum(form)
    if checksum is not None:
        node["spdx:checksum"] = checksum
    subject = [
        {
            "@id": f"{base}/api/v1/registrations/{reg.registration_number}/certificate",
            "@type": "schema:DigitalDocument",
            "schema:name": _zh("数据知识产权登记证书（可验证凭证）"),
            "schema:encodingFormat": "application/vc+jwt",
        }
    ]
    issued = [e for e in uow.events.for_subject("certificate", reg.id)]
    index = uow.ledger.index_of_event(issued[-1].id) if issued else None
    if index is not None:
        subject.append(
            {
                "@id": f"{base}/api/v1/log/entries/{index}/receipt",
                "@type": "schema:DigitalDocument",
                "schema:name": _zh("透明日志收据（证书签发条目的包含证明）"),
                "schema:encodingFormat": "text/plain",
            }
        )
    node["schema:subjectOf"] = subject
    return node


def registration_jsonld(*, env: Env, number: str) -> dict[str, Any]:
    """The JSON-LD document a registration's public page embeds."""
    with env.read() as uow:
        reg = uow.registrations.by_number(number)
        if reg is None:
            raise not_found()
        modified = uow.catalogue.modified([reg.id]).get(reg.id)
        return {"@context": CONTEXT, **dataset(uow, env, reg, modified=modified)}
