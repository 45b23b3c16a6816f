"""R6 / G§8: evidence deposits — a fingerprint root in, an evidence number and a receipt that
verifies offline out; one depositor cannot deposit the same root twice."""

from __future__ import annotations

import json
from pathlib import Path

from dataip.bootstrap import Registry
from dataip.evidence import sample
from dataip.evidence.fingerprint import fingerprint
from dataip.ledger.proof import parse_proof, verify_proof
from tests.support.api import Api, complete_form, problem


def _manifest(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    d = tmp_path / "ds"
    d.mkdir()
    (d / "a.csv").write_text("编号,值\n1,甲\n2,乙\n", "utf-8")
    return fingerprint(d).manifest.to_dict()


def test_r6_deposit_returns_a_number_and_an_offline_verifiable_receipt(
    api: Api, registry: Registry, tmp_path: Path
) -> None:
    who = api.user("applicant")
    manifest = _manifest(tmp_path)
    r = api.c.post(
        "/api/v1/evidence",
        headers=api.h(who),
        json={"root": manifest["root"], "manifest": manifest, "title": "交通数据 2026 版"},
    )
    assert r.status_code == 201, r.text
    dep = r.json()
    assert dep["number"].startswith("CZ2026" + registry.env.profile.registry_code)
    assert (dep["files"], dep["bytes"], dep["hash"]) == (1, 23, "sha256")
    receipt = dep["receipt"]
    leaf = parse_proof(receipt).extra
    verify_proof(receipt, [registry.log_keys.verifier], leaf_data=leaf)
    public = json.loads(leaf)["public"]
    assert public == {
        "number": dep["number"], "hash": "sha256", "root": manifest["root"], "files": 1, "bytes": 23
    }  # fmt: skip
    assert "交通" not in leaf.decode()  # the title is private: a commitment only
    # Anyone may look a deposit up; only the depositor sees title and manifest.
    anon = api.c.get(f"/api/v1/evidence/{dep['number']}").json()
    assert anon["root"] == manifest["root"] and anon["manifest"] is None and anon["title"] is None
    verify_proof(anon["receipt"], [registry.log_keys.verifier], leaf_data=leaf)
    own = api.c.get(f"/api/v1/evidence/{dep['number']}", headers=api.h(who)).json()
    assert own["manifest"] == manifest and own["title"] == "交通数据 2026 版"
    mine = api.c.get("/api/v1/evidence", headers=api.h(who)).json()
    assert [d["number"] for d in mine] == [dep["number"]]


def test_r6_the_same_root_twice_is_refused_with_the_earlier_number(
    api: Api, tmp_path: Path
) -> None:
    who = api.user("applicant")
    root = _manifest(tmp_path)["root"]
    first = api.c.post("/api/v1/evidence", headers=api.h(who), json={"root": f"sha256:{root}"})
    assert first.status_code == 201
    again = problem(
        api.c.post("/api/v1/evidence", headers=api.h(who), json={"root": root.upper()}),
        409,
        "already_deposited",
    )
    assert again["details"]["number"] == first.json()["number"]
    other = api.user("applicant")  # someone else holding the same data may deposit too
    assert (
        api.c.post("/api/v1/evidence", headers=api.h(other), json={"root": root}).status_code == 201
    )


def test_r6_a_manifest_must_match_its_root(api: Api, tmp_path: Path) -> None:
    who = api.user("applicant")
    manifest = _manifest(tmp_path)
    problem(
        api.c.post(
            "/api/v1/evidence", headers=api.h(who), json={"root": "ab" * 32, "manifest": manifest}
        ),
        422,
        "manifest_mismatch",
    )
    manifest["files"][0]["size"] += 1
    problem(
        api.c.post(
            "/api/v1/evidence",
            headers=api.h(who),
            json={"root": manifest["root"], "manifest": manifest},
        ),
        422,
        "invalid_manifest",
    )


def test_a_gb18030_body_is_refused_with_a_message_that_says_so(api: Api) -> None:
    who = api.user("applicant")
    r = api.c.post(
        "/api/v1/evidence",
        headers={**api.h(who), "Content-Type": "application/json"},
        content='{"root": "ab", "title": "交通"}'.encode("gb18030"),
    )
    body = problem(r, 400, "bad_request")
    assert "UTF-8" in body["message_zh"] and "GB18030" in body["message_en"]


def _deposited_dataset(api: Api, who: str, tmp_path: Path) -> tuple[str, str, str]:
    """A data set fingerprinted and deposited; returns (deposit number, sample blob, proof blob)."""
    d = tmp_path / "traffic"
    d.mkdir()
    rows = "".join(f"{i},路口{i % 13},{i * 3}\n" for i in range(2000))
    (d / "flows.csv").write_text("编号,路口,流量\n" + rows, "utf-8")
    manifest = fingerprint(d).manifest
    r = api.c.post("/api/v1/evidence", headers=api.h(who), json={"root": manifest.root})
    assert r.status_code == 201, r.text
    sample_rows = "编号,路口,流量\n12,路口12,36\n700,路口11,2100\n"
    proof = sample.prove(manifest, d / "flows.csv", sample_rows.encode())
    sample_blob = api.upload(who, sample_rows.encode(), "sample.csv")
    proof_blob = api.upload(who, json.dumps(proof).encode(), "sample.proof.json")
    return r.json()["number"], sample_blob, proof_blob


def test_r6_a_deposit_fills_the_evidence_and_the_examiner_sees_proven_samples(
    api: Api, tmp_path: Path
) -> None:
    w = api.world()
    api.at("2026-09-28 10:00")
    number, sample_blob, proof_blob = _deposited_dataset(api, w.applicant, tmp_path)
    api.at("2026-09-29 10:00")
    form = complete_form(
        sample=sample_blob,
        evidence={"deposit_number": number, "sample_proof_blob": proof_blob},
    )
    a = api.draft(w.applicant, w.party, form=form)
    ev = a["form"]["evidence"]
    assert ev["certificate_number"] == number and ev["evidenced_on"] == "2026-09-28"
    assert ev["hash_value"].startswith("sha256:")
    api.ok(w.applicant, a["id"], "submit")
    checks = api.get(w.examiner, a["id"]).json()["checks"]
    assert checks["evidence"]["kind"] == "deposit" and checks["evidence"]["before_filing"]
    assert checks["sample_proof"]["status"] == "proven", checks["sample_proof"]
    assert checks["sample_proof"]["rows_proven"] == 3
    assert checks["sample_proof"]["samples_not_covered"] == []


def test_r6_samples_beyond_the_proof_or_another_data_set_are_flagged(
    api: Api, tmp_path: Path
) -> None:
    w = api.world()
    number, _, proof_blob = _deposited_dataset(api, w.applicant, tmp_path)
    extra = api.upload(w.applicant, "编号,路口,流量\n99999,伪造,1\n".encode(), "more.csv")
    form = complete_form(
        sample=extra, evidence={"deposit_number": number, "sample_proof_blob": proof_blob}
    )
    a = api.draft(w.applicant, w.party, form=form)
    check = api.get(w.applicant, a["id"]).json()["checks"]["sample_proof"]
    assert check["status"] == "partly_proven" and check["samples_not_covered"] == ["more.csv"]
    # declared external evidence: the proof is checked against the declared hash, and fails
    declared = complete_form(sample=extra, evidence={
        **complete_form(sample=extra)["evidence"], "sample_proof_blob": proof_blob
    })  # fmt: skip
    b = api.draft(w.applicant, w.party, form=declared)
    checks = api.get(w.applicant, b["id"]).json()["checks"]
    assert checks["evidence"] == {"kind": "declared", "verified": False}
    assert checks["sample_proof"]["status"] == "not_proven"


def test_r6_someone_elses_deposit_cannot_be_claimed(api: Api, tmp_path: Path) -> None:
    w = api.world()
    number, _, _ = _deposited_dataset(api, w.applicant, tmp_path)
    other = api.user("applicant")
    party = api.party(other, verify_by=w.examiner)
    blob = api.upload(other)
    r = api.c.post(
        "/api/v1/applications",
        headers=api.h(other),
        json={
            "form": complete_form(sample=blob, evidence={"deposit_number": number}),
            "applicants": [{"party_id": party}],
        },
    )
    problem(r, 422, "deposit_not_found")
