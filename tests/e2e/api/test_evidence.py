"""R6 / G§8: evidence deposits — a fingerprint root in, an evidence number and a receipt that
verifies offline out; one depositor cannot deposit the same root twice."""

from __future__ import annotations

import json
from pathlib import Path

from dataip.bootstrap import Registry
from dataip.evidence.fingerprint import fingerprint
from dataip.ledger.proof import parse_proof, verify_proof
from tests.support.api import Api, problem


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
