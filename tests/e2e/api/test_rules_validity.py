"""R15/R16 (G§18–G§19): validity never outlives the data-source agreement — at registration,
at renewal, and after a change registration of the agreement's end date — and a renewed
certificate states its term's start as well as its end (issue 19)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from dataip.certs import vc
from dataip.domain.calendar import add_term
from dataip.services import ledger
from dataip.services.context import SHANGHAI, FixedClock
from dataip.services.scheduler import tick
from tests.support import demo_world
from tests.support.api import Api, World, problem

AGREEMENT = {"acquisition_methods": {"values": ["agreement"]}}


def _agreement_registration(api: Api, ends: str) -> tuple[World, str]:
    """Registered 2026-10-13 (full term to 2028-10-12), the data obtained by an agreement
    that ends on `ends`."""
    api.at("2026-09-28 10:00")
    w = api.world()
    proof = api.upload(w.applicant, b"data licence agreement", "agreement.pdf")
    number = w.registered(**AGREEMENT, agreement_end_date=ends, source_proof_blobs=[proof])
    return w, number


def _reg(api: Api, who: str | None, number: str) -> dict[str, Any]:
    r = api.reg(who, number)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _credential(api: Api, number: str) -> dict[str, Any]:
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    return dict(json.loads(vc.unb64(token.split(".")[1])))


def _events(registry: Registry, kind: str) -> list[dict[str, Any]]:
    ledger.integrate(registry.env, registry.log_keys)
    leaves = [json.loads(leaf) for _, _, leaf in ledger.iter_leaves(registry.env)]
    return [leaf for leaf in leaves if leaf["type"] == kind]


def _change_agreement_end(api: Api, w: World, number: str, ends: str) -> dict[str, Any]:
    d = api.reg_ok(
        w.applicant,
        number,
        "request_change",
        changes={"agreement_end_date": ends},
        reason="数据授权协议续签",
    )
    rid = d["requests"][-1]["id"]
    return api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="协议属实"
    )


def test_r15_validity_ends_at_agreement_end(api: Api, registry: Registry) -> None:
    _, number = _agreement_registration(api, "2027-06-30")
    d = _reg(api, None, number)
    assert (d["valid_from"], d["valid_until"]) == ("2026-10-13", "2027-06-30")
    credential = _credential(api, number)
    assert credential["validUntil"].startswith("2027-06-30T23:59:59")
    assert credential["credentialSubject"]["validityTerm"] == {
        "start": "2026-10-13",
        "end": "2027-06-30",
        "renewals": 0,
    }
    (approved,) = _events(registry, "ApplicationApproved")
    assert approved["public"]["capped_by_agreement"] is True
    assert approved["public"]["valid_until"] == "2027-06-30"
    # an agreement that ended before the registration date leaves nothing to register
    api.at("2026-09-28 10:00")
    w = api.world()
    proof = api.upload(w.applicant, b"expired agreement", "agreement.pdf")
    aid = w.publicised(
        **AGREEMENT,
        name="城市停车需求预测数据集",
        agreement_end_date="2026-10-31",
        source_proof_blobs=[proof],
    )
    api.at("2026-11-02 10:00")
    body = problem(api.act(w.examiner, aid, "approve"), 409, "agreement_expired")
    assert body["details"] == {"agreement_end_date": "2026-10-31"}
    assert api.get(w.examiner, aid).json()["state"] == "publicised"


def test_r16_renewal_capped_by_agreement_end(api: Api, registry: Registry) -> None:
    # the agreement outlives the first term but not the renewed one
    w, number = _agreement_registration(api, "2029-03-31")
    assert _reg(api, w.applicant, number)["valid_until"] == "2028-10-12"
    api.at("2028-09-20 10:00")
    d = api.reg_ok(w.applicant, number, "renew")
    assert d["valid_until"] == "2029-03-31"  # not 2030-10-12 (R16 + R15)
    (renewed,) = _events(registry, "RegistrationRenewed")
    assert renewed["public"]["term_start"] == "2028-10-13"
    assert renewed["public"]["valid_until"] == "2029-03-31"
    assert renewed["public"]["capped_by_agreement"] is True
    assert _credential(api, number)["credentialSubject"]["validityTerm"] == {
        "start": "2028-10-13",
        "end": "2029-03-31",
        "renewals": 1,
    }


def test_r16_no_renewal_past_the_agreement_until_a_change_registers_its_new_end(
    api: Api,
) -> None:
    # validity ended with the agreement: renewing would start a term after the agreement
    w, number = _agreement_registration(api, "2027-06-30")
    api.at("2027-06-10 10:00")  # inside the renewal window (2027-05-31 .. 2027-06-30)
    d = _reg(api, w.applicant, number)
    assert "renew" not in d["allowed_actions"]
    body = problem(api.reg_act(w.applicant, number, "renew"), 409, "agreement_expired")
    assert body["details"] == {"agreement_end_date": "2027-06-30"}
    assert _reg(api, w.applicant, number) == d  # a refused renewal changes nothing
    # the holder registers the renewed agreement by change registration (G§19, G§21) …
    d = _change_agreement_end(api, w, number, "2029-12-31")
    assert d["valid_until"] == "2028-10-12"  # the first term runs its full two years now
    # … and renews in the new window, to the agreement's end
    api.at("2028-09-20 10:00")
    assert "renew" in _reg(api, w.applicant, number)["allowed_actions"]
    assert api.reg_ok(w.applicant, number, "renew")["valid_until"] == "2029-12-31"


def test_r15_change_of_agreement_end_recomputes_validity(api: Api, registry: Registry) -> None:
    w, number = _agreement_registration(api, "2027-06-30")
    api.at("2026-11-02 10:00")
    # a later end: validity follows it, up to the term's two years
    d = _change_agreement_end(api, w, number, "2028-03-31")
    assert (d["valid_from"], d["valid_until"]) == ("2026-10-13", "2028-03-31")
    assert d["certificate_version"] == 2
    credential = _credential(api, number)
    assert credential["credentialSubject"]["certificateVersion"] == 2
    assert credential["validUntil"].startswith("2028-03-31T23:59:59")
    change = next(a for a in d["announcements"] if a["kind"] == "change")
    announced = api.c.get(f"/api/v1/announcements/{change['number']}").json()
    assert announced["body"]["valid_until"] == "2028-03-31"
    decided = [e for e in _events(registry, "RequestDecided") if "valid_until" in e["public"]]
    assert [(e["public"]["previous_valid_until"], e["public"]["valid_until"]) for e in decided] == [
        ("2027-06-30", "2028-03-31")
    ]
    assert decided[0]["public"]["capped_by_agreement"] is True
    # an end beyond the term: the full term, no longer capped
    api.at("2026-11-09 10:00")
    d = _change_agreement_end(api, w, number, "2031-01-01")
    assert d["valid_until"] == "2028-10-12"
    # an earlier end (the agreement was shortened): validity ends with it
    api.at("2026-11-16 10:00")
    d = _change_agreement_end(api, w, number, "2027-01-31")
    assert d["valid_until"] == "2027-01-31"
    assert [v["valid_until"] for v in d["versions"]] == [
        "2027-06-30",
        "2028-03-31",
        "2028-10-12",
        "2027-01-31",
    ]
    # an end already past is no change registration: the holder asks for cancellation
    body = problem(
        api.reg_act(
            w.applicant,
            number,
            "request_change",
            changes={"agreement_end_date": "2026-11-01"},
            reason="协议提前终止",
        ),
        409,
        "agreement_expired",
    )
    assert body["details"] == {"agreement_end_date": "2026-11-01"}
    # other changes leave validity alone
    d = api.reg_ok(
        w.applicant, number, "request_change", changes={"update": {"frequency": "weekly"}}
    )
    rid = d["requests"][-1]["id"]
    d = api.reg_ok(
        w.examiner, number, "decide_request", request_id=rid, outcome="approve", reason="属实"
    )
    assert d["valid_until"] == "2027-01-31"


def test_r15_change_after_renewal_recomputes_from_the_renewed_terms_start(api: Api) -> None:
    w, number = _agreement_registration(api, "2031-12-31")
    api.at("2028-09-20 10:00")
    assert api.reg_ok(w.applicant, number, "renew")["valid_until"] == "2030-10-12"
    api.at("2028-11-02 10:00")
    assert _change_agreement_end(api, w, number, "2029-08-31")["valid_until"] == "2029-08-31"
    assert _change_agreement_end(api, w, number, "2035-01-01")["valid_until"] == "2030-10-12"
    term = _credential(api, number)["credentialSubject"]["validityTerm"]
    assert term == {"start": "2028-10-13", "end": "2030-10-12", "renewals": 1}


JS = Path(__file__).resolve().parents[2] / "js"


@pytest.mark.needs("poppler", "jose")
def test_r16_renewed_certificate_states_the_renewed_terms_start_and_end(
    api: Api, tmp_path: Path
) -> None:
    import zxingcpp
    from PIL import Image

    w = api.world()
    number = w.registered()
    api.at("2028-09-20 10:00")
    assert api.reg_ok(w.applicant, number, "renew")["valid_until"] == "2030-10-12"
    # the vc+jwt, verified by npm jose against the published JWKS
    token = api.c.get(f"/api/v1/registrations/{number}/certificate").text
    (tmp_path / "jwks.json").write_text(json.dumps(api.c.get("/.well-known/jwks.json").json()))
    (tmp_path / "token").write_text(token, "ascii")
    out = subprocess.run(
        ["node", str(JS / "verify-vc-jwt.mjs"), str(tmp_path / "jwks.json"), "token"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)["payload"]
    assert payload["credentialSubject"]["validityTerm"] == {
        "start": "2028-10-13",
        "end": "2030-10-12",
        "renewals": 1,
    }
    assert payload["credentialSubject"]["certificateVersion"] == 2
    # the PDF says it in words …
    r = api.c.get(
        f"/api/v1/registrations/{number}/certificate", headers={"Accept": "application/pdf"}
    )
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\n", "")
    assert "续展有效期" in text
    assert "2028年10月13日 至 2030年10月12日（第 1 次续展）" in text
    # … and its QR credential carries the term's start (its end is the credential's exp)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "page")], check=True)
    (code,) = zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("page*.png"))))
    got = api.c.post("/api/v1/certificates/verify", json={"token": code.text}).json()
    assert got["authentic"] is True and got["format"] == "qr"
    assert got["certificate"]["term_start"] == "2028-10-13"
    assert got["certificate"]["valid_until"].startswith("2030-10-12T23:59:59")
    # the page a phone's camera opens says it too
    page = api.c.get("/verify", params={"c": code.text.split("c=", 1)[1]}).text
    assert "续展有效期" in page and "2028-10-13 – 2030-10-12" in page
    # before any renewal the QR carries no term start: the first term is the validity
    first = w.registered(
        name="城市停车需求预测数据集",
        evidence={
            "platform": "X",
            "certificate_number": "GZ-9",
            "hash_value": "cd" * 32,
            "evidenced_on": "2026-09-01",
        },
    )
    r = api.c.get(
        f"/api/v1/registrations/{first}/certificate", headers={"Accept": "application/pdf"}
    )
    pdf.write_bytes(r.content)
    assert (
        "续展"
        not in subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )


# --- the announcement date (G§16; beijing-3y counts validity from it) ---------------------------


@pytest.fixture
def beijing(tmp_path: Path) -> Iterator[tuple[Api, Registry]]:
    """A second registry on the beijing-3y profile, in its own SQLite file."""
    from dataip.bootstrap import build, init_database
    from dataip.config import Settings
    from dataip.web.app import create_app

    clock = FixedClock(datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI))
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        profile="beijing-3y",
        database_url=f"sqlite:///{(tmp_path / 'beijing.sqlite3').as_posix()}",
        token_ttl_hours=24 * 3650,
    )
    reg = build(settings, clock=clock)
    init_database(reg)
    try:
        with TestClient(create_app(registry=reg)) as c:
            yield Api(c, clock), reg
    finally:
        reg.dispose()


def _approve_announcing_later(api: Api) -> tuple[World, int, dict[str, Any]]:
    w = api.world()
    api.at("2026-10-12 10:00")
    aid = w.publicised()
    api.at("2026-10-30 10:00")  # publicity over on either profile
    for bad in ("2026-10-29", "2026-12-01", "30/11/2026"):
        problem(
            api.act(w.examiner, aid, "approve", announcement_date=bad),
            422,
            "invalid_announcement_date" if "-" in bad else "invalid_request",
        )
    assert api.get(w.examiner, aid).json()["state"] == "publicised"  # nothing changed
    reg = api.ok(w.examiner, aid, "approve", announcement_date="2026-11-06")["registration"]
    return w, aid, dict(reg)


def test_r15_beijing_3y_validity_counts_from_an_announcement_date_later_than_registration(
    beijing: tuple[Api, Registry],
) -> None:
    api, registry = beijing
    _, _, reg = _approve_announcing_later(api)
    number = reg["registration_number"]
    assert (reg["registration_date"], reg["announcement_date"]) == ("2026-10-30", "2026-11-06")
    # three years from the announcement date, not from the registration date
    assert (reg["valid_from"], reg["valid_until"]) == ("2026-11-06", "2029-11-05")
    assert _credential(api, number)["validFrom"].startswith("2026-11-06T00:00:00")
    # the announcement is published on its date, by tick
    assert _reg(api, None, number)["announcements"] == []
    api.at("2026-11-05 23:00")
    assert tick(env=registry.env).registrations_announced == 0
    api.at("2026-11-06 00:10")
    assert tick(env=registry.env).registrations_announced == 1
    assert tick(env=registry.env).registrations_announced == 0  # once
    (a,) = _reg(api, None, number)["announcements"]
    assert a["kind"] == "registration" and a["published_at"].startswith("2026-11-06")
    body = api.c.get(f"/api/v1/announcements/{a['number']}").json()["body"]
    assert (body["announcement_date"], body["valid_from"]) == ("2026-11-06", "2026-11-06")
    (event,) = _events(registry, "RegistrationAnnounced")
    assert event["public"] == {
        "registration_number": number,
        "announcement_number": a["number"],
        "announcement_date": "2026-11-06",
    }


def test_r15_guizhou_validity_counts_from_the_registration_date_whatever_the_announcement(
    api: Api, registry: Registry
) -> None:
    _, _, reg = _approve_announcing_later(api)
    assert (reg["registration_date"], reg["announcement_date"]) == ("2026-10-30", "2026-11-06")
    assert (reg["valid_from"], reg["valid_until"]) == ("2026-10-30", "2028-10-29")
    (approved,) = _events(registry, "ApplicationApproved")
    assert approved["public"]["announcement_date"] == "2026-11-06"
    assert "announcement_number" not in approved["public"]  # published on its date


def _demo_announced_later(env: Any) -> tuple[Any, list[Any]]:
    demo_world.populate(env)
    with env.read() as uow:
        regs = uow.registrations.page(limit=50)
        later = [r for r in regs if r.announcement_date != r.registration_date]
        assert len(later) == 1, [(r.registration_date, r.announcement_date) for r in regs]
        (reg,) = later
        return reg, uow.announcements.for_registration(reg.id)


def test_r15_the_demo_shows_an_announcement_date_after_the_registration_date(
    env: Any, beijing: tuple[Api, Registry]
) -> None:
    # guizhou-2024 (the default): validity from the registration date
    reg, notices = _demo_announced_later(env)
    assert (reg.announcement_date - reg.registration_date).days == 2
    assert reg.valid_from == reg.registration_date
    assert notices[0].kind == "registration" and notices[0].published_on == reg.announcement_date
    # beijing-3y: validity from the announcement date
    _, registry = beijing
    reg, notices = _demo_announced_later(registry.env)
    assert reg.valid_from == reg.announcement_date != reg.registration_date
    assert reg.valid_until == add_term(reg.announcement_date, years=3)
    assert notices[0].kind == "registration" and notices[0].published_on == reg.announcement_date
