"""Issue 21 §1 (R25): the operator-signed trust list — its codec (a C2SP signed note over
RFC 8785 JSON, decision 0012) and the refusals: expired, not yet valid, unsigned, tampered,
rolled back, signed by another key, malformed."""

from __future__ import annotations

import json

import pytest

from dataip.domain.errors import DomainError
from dataip.federation.trust_list import HEADER, RegistryEntry, TrustList, open_trust_list
from dataip.ledger.note import Signer, parse_note
from tests.support.federation import ISSUED, days, operator, peer, signed, trust_list

GZ, _ = peer("5200", "gz.example.cn")
ZJ, _ = peer("3300", "zj.example.cn")
NOW = ISSUED + days(10)
KEYS = [operator().verifier()]


def refused(code: str, note: str | bytes, **kw: object) -> DomainError:
    with pytest.raises(DomainError) as info:
        open_trust_list(note, KEYS, now=kw.pop("now", NOW), **kw)  # type: ignore[arg-type]
    assert info.value.code == code, info.value
    return info.value


def test_i21_trust_list_round_trips_through_its_signed_note() -> None:
    listed = trust_list(GZ, ZJ, sequence=7)
    note = signed(listed)
    opened, text = open_trust_list(note, KEYS, now=NOW, newest_sequence=7)
    assert opened == listed
    assert text.startswith(HEADER + "\n{") and text.count("\n") == 2
    assert opened.by_agency("3300") == ZJ
    assert opened.by_origin("gz.example.cn/log") == GZ
    assert opened.by_issuer("https://zj.example.cn/") == ZJ
    assert opened.by_origin("nowhere/log") is None
    # a certificate number names its registry: year(4) month(2) agency code(4) serial(7)
    assert opened.by_certificate_number("20260933000000042") == ZJ
    assert opened.by_certificate_number("20260944000000042") is None
    with pytest.raises(DomainError):
        opened.by_certificate_number("2026093300")
    # the entry's keys are the log's note key and the witness's cosignature key
    assert GZ.log_verifier().name == "gz.example.cn/log"
    assert GZ.witness_name == "gz.example.cn/witness"
    # the bytes signed are one canonical form: a byte-identical re-encoding
    assert TrustList.parse(text).to_text() == text


def test_i21_expired_list_is_refused() -> None:
    e = refused("trust_list_expired", signed(trust_list(GZ)), now=ISSUED + days(91))
    assert e.details["expires"] == "2026-12-01T00:00:00Z"


def test_i21_list_from_the_future_is_refused() -> None:
    refused("trust_list_not_yet_valid", signed(trust_list(GZ)), now=ISSUED - days(1))


def test_i21_unsigned_list_is_refused() -> None:
    text = trust_list(GZ).to_text()
    refused("trust_list_unsigned", text)
    refused("trust_list_unsigned", text + "\n")


def test_i21_tampered_list_is_refused() -> None:
    note = signed(trust_list(GZ, ZJ))
    # another registry's log key slipped in under Zhejiang's name
    _, other = peer("3300", "evil.example.cn")
    forged = note.replace(ZJ.log_key, ZJ.log_key[:-6] + "AAAAA=")
    refused("trust_list_signature_invalid", forged)
    refused("trust_list_signature_invalid", note.replace('"sequence":1', '"sequence":9'))
    assert other.origin == "evil.example.cn/log"


def test_i21_list_signed_by_another_key_is_refused() -> None:
    mallory = Signer("trust.example.cn", bytes(32))  # same name, another key
    e = refused("trust_list_wrong_operator", signed(trust_list(GZ), mallory))
    assert e.details["signed_by"] == ["trust.example.cn"]
    stranger = operator("someone.else")
    refused("trust_list_wrong_operator", signed(trust_list(GZ, op=stranger), stranger))


def test_i21_rolled_back_list_is_refused() -> None:
    note = signed(trust_list(GZ, sequence=4))
    e = refused("trust_list_rolled_back", note, newest_sequence=5)
    assert e.status == 409 and e.details == {"sequence": 4, "accepted": 5}
    open_trust_list(note, KEYS, now=NOW, newest_sequence=4)  # the same list again: fine


def _resign(doc: dict[str, object], *, raw: str | None = None) -> str:
    op = operator()
    body = raw if raw is not None else json.dumps(doc, ensure_ascii=False, sort_keys=True)
    from dataip.ledger.note import sign_note

    return sign_note(f"{HEADER}\n{body}\n", [op])


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(sequence="1"),
        lambda d: d.update(sequence=-1),
        lambda d: d.update(expires="2026-12-01"),
        lambda d: d.update(expires=d["issued"]),
        lambda d: d.update(extra=1),
        lambda d: d.update(operator="someone.else"),
        lambda d: d["registries"][0].update(agency_code="52000"),
        lambda d: d["registries"][0].update(issuer="ftp://gz.example.cn"),
        lambda d: d["registries"][0].update(jwks={"keys": []}),
        lambda d: d["registries"][0]["jwks"]["keys"][0].update(d="secret"),
        lambda d: d["registries"][0]["log"].update(origin="other/log"),
        lambda d: d["registries"][0]["log"].update(key=ZJ.witness_key),
        lambda d: d["registries"][0]["witness"].update(key=ZJ.log_key),
        lambda d: d["registries"].append(d["registries"][0]),
        lambda d: d["registries"][1].update(agency_code="5200"),
    ],
)
def test_i21_malformed_list_is_refused(change: object) -> None:
    doc = trust_list(GZ, ZJ).to_json()
    change(doc)  # type: ignore[operator]
    refused("trust_list_malformed", _resign(doc))


def test_i21_body_must_be_canonical() -> None:
    doc = trust_list(GZ).to_json()
    refused("trust_list_malformed", _resign(doc, raw=json.dumps(doc, indent=None)))
    refused("trust_list_malformed", _resign(doc, raw="not json"))
    note = signed(trust_list(GZ))
    text = parse_note(note).text
    op = operator()
    from dataip.ledger.note import sign_note

    refused("trust_list_malformed", sign_note(text.replace(HEADER, "other/v1"), [op]))


def test_i21_signing_needs_the_named_operator_key() -> None:
    with pytest.raises(ValueError):
        trust_list(GZ).sign(operator("someone.else"))


def test_i21_entry_needs_its_log_key_named_after_its_origin() -> None:
    doc = GZ.to_json()
    doc["log"]["origin"] = "gz.example.cn/other-log"
    with pytest.raises(DomainError, match="origin"):
        RegistryEntry.from_json(doc)
