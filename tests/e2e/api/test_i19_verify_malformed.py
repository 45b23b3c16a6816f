"""Issue 19 §3 (R24): whatever is presented as a certificate gets a verdict. A certificate
altered, truncated or re-encoded until it no longer parses is not authentic — 200 with
`authentic: false` and a reason code, as a forged one is — never a 422; 422 is only for a
request without a token (docs/api.md, Certificates)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.api import Api


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _variants(token: str) -> dict[str, tuple[str, str, str]]:
    """Each malformed-input class: (token, expected code, expected format)."""
    header, payload, signature = token.split(".")
    head = json.loads(base64.urlsafe_b64decode(header + "=="))
    bad_json, no_object = _b64(b"{not json"), _b64(b"[1,2]")
    hs256 = _b64(json.dumps({**head, "alg": "HS256"}).encode())
    none = _b64(json.dumps({**head, "alg": "none"}).encode())
    jwt, jose, malformed = "vc+jwt", "jose+json", "malformed_token"
    return {
        "payload not JSON": (f"{header}.{bad_json}.{signature}", malformed, jwt),
        "payload JSON but no object": (f"{header}.{no_object}.{signature}", malformed, jwt),
        "header not JSON": (f"{_b64(b'alg=EdDSA')}.{payload}.{signature}", malformed, jwt),
        "payload not base64url": (
            f"{header}.{payload[:40]}!!*{payload[43:]}.{signature}",
            malformed,
            jwt,
        ),
        "header not base64url": (f"%%{header[2:]}.{payload}.{signature}", malformed, jwt),
        "truncated to two parts": (token[: len(header) + 1 + len(payload) // 2], malformed, jwt),
        "truncated inside the signature": (token[:-20], "bad_signature", jwt),
        "signature dropped": (f"{header}.{payload}.", malformed, jwt),
        "wrong alg": (f"{hs256}.{payload}.{signature}", "unsupported_algorithm", jwt),
        "alg none": (f"{none}.{payload}.{signature}", "unsupported_algorithm", jwt),
        "co-signed JSON cut short": ('{"payload": "' + payload[:30], malformed, jose),
        "co-signed JSON without signatures": (json.dumps({"payload": payload}), malformed, jose),
        "not a certificate at all": ("不是证书", malformed, jwt),
        "QR link not base32": ("https://registry.example/verify?c=0189!", malformed, "qr"),
    }


@pytest.fixture
def token(api: Api) -> str:
    w = api.world()
    number = w.registered()
    r = api.c.get(f"/api/v1/registrations/{number}/certificate")
    assert r.status_code == 200
    return r.text


def test_r24_unreadable_certificate_is_not_authentic_with_a_reason_code(
    api: Api, token: str
) -> None:
    good = api.c.post("/api/v1/certificates/verify", json={"token": token}).json()
    assert good["authentic"] is True
    for case, (bad, code, fmt) in _variants(token).items():
        for online in (True, False):
            r = api.c.post("/api/v1/certificates/verify", json={"token": bad, "online": online})
            assert r.status_code == 200, (case, r.status_code, r.text)
            got = r.json()
            assert got["authentic"] is False, case
            assert (got["code"], got["format"]) == (code, fmt), (case, got)
            assert got["message_zh"] and got["message_en"], case
            assert got["status"] is None, case  # no status is looked up for what is not ours


def test_r24_verify_page_answers_an_unreadable_certificate_as_not_authentic(
    api: Api, token: str
) -> None:
    bad, _, _ = _variants(token)["payload not JSON"]
    form = api.c.get("/verify").text
    csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
    r = api.c.post(
        "/verify", data={"csrf_token": csrf, "token": bad}, headers={"Accept-Language": "en"}
    )
    assert r.status_code == 200, r.text
    assert 'class="result bad"' in r.text and "<code>malformed_token</code>" in r.text


@pytest.mark.parametrize(
    "body", [{}, {"token": ""}, {"token": 7}, {"token": "a" * 70_000}], ids=str
)
def test_r24_verify_without_a_token_is_a_bad_request(api: Api, body: dict[str, object]) -> None:
    r = api.c.post("/api/v1/certificates/verify", json=body)
    assert r.status_code == 422 and r.json()["code"] == "invalid_request", r.text
