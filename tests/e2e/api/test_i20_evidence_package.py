"""Issue 20 §7: the evidence package (证据包). A registration with several events (approval,
a change giving a second certificate version, a licence, a court's freeze) yields one JSON
document that `dataip verify-package` and an independent spec-only verifier
(tests/support/package_verifier.py, nothing from dataip) both accept — and both refuse once
a leaf, a certificate, the key, a proof or a recorded fact is tampered with."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from dataip.bootstrap import Registry
from dataip.cli.main import app as cli
from dataip.ledger.note import generate_key
from dataip.services import certificates, ledger
from dataip.sharing.evidence_package import MEDIA_TYPE
from tests.support import package_verifier
from tests.support.api import Api, make_uscc, problem
from tests.support.institutions import as_institution

runner = CliRunner()
CASE = "（2026）黔01民初123号"


def _registration(api: Api, registry: Registry) -> str:
    w = api.world()
    number = w.registered()
    api.at("2026-10-20 10:00")
    w.changed(number)  # certificate version 2
    api.reg_ok(
        w.applicant,
        number,
        "file_licence",
        contract_date="2026-10-19",
        licence_type="non_exclusive",
        licensee={"name": "贵阳数据应用有限公司", "credit_code": make_uscc(801)},
        scope="模型训练",
        territory="贵州省",
        term_end="2028-06-30",
        fee_fen=100,
    )
    registrar = api.user("registrar_admin")
    api.reg_ok(registrar, number, "freeze", case_number=CASE, court="贵阳中院", ruling="冻结")
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)  # certificates carry their own log proofs too
    return number


def _cli(path: Path, *args: str) -> Any:
    return runner.invoke(cli, ["verify-package", str(path), *args])


def _tamper(doc: dict[str, Any], how: str) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    if how == "leaf":  # one fact of one leaf changed (the event's facts changed with it)
        e = next(e for e in doc["events"] if e["type"] == "RegistrationFrozen")
        leaf = json.loads(base64.b64decode(e["leaf"]))
        leaf["public"]["case_number"] = "（2026）黔01民初124号"
        e["public"] = leaf["public"]
        e["leaf"] = base64.b64encode(
            json.dumps(leaf, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).decode()
    elif how == "certificate":  # the holder's name in version 2's payload
        c = doc["certificates"][-1]
        header, payload, signature = c["token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["credentialSubject"]["name"] = "另一个数据集"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        c["token"] = f"{header}.{forged}.{signature}"
    elif how == "proof":  # truncated
        e = max(doc["events"], key=lambda e: len(e["proof"]))
        e["proof"] = e["proof"][:-1]
    elif how == "record":  # the record says the registration is not frozen any more, or valid
        doc["registration"]["state"] = "abandoned"
    return doc


def test_i20_evidence_package_verifies_with_the_cli_and_a_spec_only_verifier(
    api: Api, registry: Registry, app: FastAPI, tmp_path: Path
) -> None:
    number = _registration(api, registry)
    registrar = api.user("registrar_admin")
    vkey = registry.log_keys.verifier_text
    r = api.c.get(
        f"/api/v1/registrations/{number}/evidence-package?full=true", headers=api.h(registrar)
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(MEDIA_TYPE)
    doc = r.json()
    assert doc["scope"] == "full" and doc["archive"]["registration"]["registration_number"]
    assert [c["version"] for c in doc["certificates"]] == [1, 2]
    types = {e["type"] for e in doc["events"]}
    assert {"ApplicationApproved", "RequestDecided", "LicenceFiled", "RegistrationFrozen"} <= types
    assert {"CertificateIssued"} <= types and not doc["unproven"]
    path = tmp_path / "package.json"
    path.write_bytes(r.content)
    # the CLI, with the log key given as obtained from the registry
    out = _cli(path, "--log-key", vkey)
    assert out.exit_code == 0, out.output
    assert "验证通过" in out.output and "VERIFIED" in out.output
    assert "2 certificate versions" in out.output
    # without a key: verified with the package's own key, and it says so
    out = _cli(path)
    assert out.exit_code == 0 and "--log-key" in out.output, out.output
    # the independent verifier
    assert package_verifier.verify(r.content, vkey) == []

    # the public package: no archive, no private fields, still verifiable
    r = api.c.get(f"/api/v1/registrations/{number}/evidence-package")
    assert r.status_code == 200 and r.json()["scope"] == "public" and r.json()["archive"] is None
    assert "ruling" not in r.json()["registration"]["freezes"][0]
    assert package_verifier.verify(r.content, vkey) == []
    # only holders and the registry get the full package
    stranger = api.user("applicant")
    problem(
        api.c.get(
            f"/api/v1/registrations/{number}/evidence-package?full=true", headers=api.h(stranger)
        ),
        403,
        "forbidden",
    )
    problem(
        api.c.get(f"/api/v1/registrations/{number}/evidence-package?full=true"),
        401,
        "unauthenticated",
    )


@pytest.mark.parametrize("how", ["leaf", "certificate", "proof", "record", "key"])
def test_i20_tampered_evidence_package_is_refused_by_both_verifiers(
    api: Api, registry: Registry, tmp_path: Path, how: str
) -> None:
    number = _registration(api, registry)
    r = api.c.get(f"/api/v1/registrations/{number}/evidence-package")
    vkey = registry.log_keys.verifier_text
    doc = r.json()
    if how == "key":  # a package re-signed by someone else, or checked with the wrong key
        wrong = generate_key(vkey.split("+", 1)[0])[1]
        tampered, key = doc, wrong
    else:
        tampered, key = _tamper(doc, how), vkey
    data = json.dumps(tampered, ensure_ascii=False).encode()
    path = tmp_path / "tampered.json"
    path.write_bytes(data)
    out = _cli(path, "--log-key", key, "--json")
    assert out.exit_code == 1, out.output
    report = json.loads(out.output)
    assert not report["verified"] and report["findings"], report
    expected: dict[str, Callable[[str], bool]] = {
        "leaf": lambda c: c == "bad_inclusion_proof",
        "certificate": lambda c: c == "bad_certificate_signature",
        "proof": lambda c: c == "bad_inclusion_proof",
        "record": lambda c: c == "record_mismatch",
        "key": lambda c: c in ("bad_checkpoint", "log_key_mismatch"),
    }
    assert any(expected[how](f["code"]) for f in report["findings"]), report
    assert package_verifier.verify(data, key), how  # the spec-only verifier refuses it too


def test_i20_court_reads_the_full_package_with_a_purpose(
    api: Api, registry: Registry, app: FastAPI
) -> None:
    number = _registration(api, registry)
    url = f"/api/v1/institutions/registrations/{number}/evidence-package"
    problem(api.c.get(url, params={"purpose": CASE}), 401, "invalid_token")
    with as_institution(api, "bank"):
        problem(api.c.get(url, params={"purpose": "贷款 L-1"}), 403, "insufficient_scope")
    with as_institution(api, "court"):
        problem(api.c.get(url, params={"purpose": " "}), 422, "purpose_required")
        assert api.c.get(url).status_code == 422  # the purpose is a required parameter
        r = api.c.get(url, params={"purpose": CASE})
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["scope"] == "full" and doc["purpose"] == {"text": CASE}
        assert doc["archive"]["freezes"][0]["ruling"] == "冻结"
    assert package_verifier.verify(r.content, registry.log_keys.verifier_text) == []


def _checkpoint_size(api: Api) -> int:
    return int(api.c.get("/log/checkpoint").text.split("\n")[1])


def test_i20_refused_package_requests_publish_no_checkpoint(
    api: Api, registry: Registry, app: FastAPI
) -> None:
    """In one-process mode the route covers the latest events with a checkpoint before the
    proofs; a request refused for its purpose, its scope or an unknown number must not."""
    number = _registration(api, registry)
    registrar = api.user("registrar_admin")
    api.reg_ok(
        registrar,
        number,
        "freeze",
        case_number="（2026）黔01民初7号",
        court="贵阳中院",
        ruling="冻结",
    )
    size = _checkpoint_size(api)  # the second freeze's leaf waits for the next checkpoint
    url = f"/api/v1/institutions/registrations/{number}/evidence-package"
    with as_institution(api, "court"):
        problem(api.c.get(url, params={"purpose": " "}), 422, "purpose_required")
        missing = "/api/v1/institutions/registrations/20261520000000X/evidence-package"
        assert api.c.get(missing, params={"purpose": CASE}).status_code in (404, 422)
    with as_institution(api, "bank"):
        problem(api.c.get(url, params={"purpose": "贷款 L-1"}), 403, "insufficient_scope")
    assert api.c.get("/api/v1/registrations/20261520000000X/evidence-package").status_code in (
        404,
        422,
    )
    assert _checkpoint_size(api) == size
    with as_institution(api, "court"):
        assert api.c.get(url, params={"purpose": CASE}).status_code == 200
    assert _checkpoint_size(api) > size  # a package that succeeds proves the latest events
