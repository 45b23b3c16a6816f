"""R24: the W3C Bitstring Status List encoding (3-bit "message" entries)."""

from __future__ import annotations

import base64
import gzip

import pytest

from dataip.certs import status_list as sl
from dataip.domain.errors import DomainError


def test_r24_status_list_round_trip_at_the_edges() -> None:
    statuses = {0: "revoked", 1: "superseded", 7: "cancelled", sl.LIST_SIZE - 1: "abandoned"}
    bits = sl.decode(sl.encode(statuses))
    assert len(bits) == sl.LIST_SIZE * sl.STATUS_SIZE // 8  # 48 KiB: the minimum list length
    for pos in (0, 1, 2, 6, 7, 8, 1000, sl.LIST_SIZE - 2, sl.LIST_SIZE - 1):
        assert sl.status_at(bits, pos) == statuses.get(pos, "valid"), pos


def test_r24_bit_order_is_left_most_first_and_multibase_base64url() -> None:
    encoded = sl.encode({0: "revoked"})  # revoked = 5 = 0b101
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-(len(encoded) - 1) % 4)))
    assert raw[0] == 0b10100000 and not any(raw[1:])
    assert len(encoded) < 200  # an all-valid list compresses to almost nothing


def test_r24_entries_locate_their_list() -> None:
    assert sl.locate(5) == (0, 5)
    assert sl.locate(sl.LIST_SIZE + 3) == (1, 3)
    e = sl.entry("https://r.example/api/v1/certificates/status-lists/1", sl.LIST_SIZE + 3)
    assert e["statusListIndex"] == "3" and e["statusSize"] == 3
    assert [m["message"] for m in e["statusMessage"]] == list(sl.MESSAGES)


@pytest.mark.parametrize(
    "junk", ["", "xabc", "u!!!", "u" + base64.urlsafe_b64encode(b"x").decode()]
)
def test_r24_a_broken_list_is_refused(junk: str) -> None:
    with pytest.raises(DomainError) as e:
        sl.decode(junk)
    assert e.value.code == "invalid_status_list"
    with pytest.raises(ValueError):
        sl.encode({sl.LIST_SIZE: "revoked"})
