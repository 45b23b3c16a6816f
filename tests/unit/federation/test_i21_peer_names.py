"""Issue 21 §5: what is compared across registries — the normalised name, the evidence hash
as applications store it — and which feed pages the follower accepts."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.domain.application import evidence_hash as application_hash
from dataip.federation.peers import (
    FeedError,
    evidence_hash,
    holder_codes,
    name_key,
    name_similarity,
    registrations_named,
    similar_names,
)


def _event(seq: int, kind: str = "registered", **data: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"leaf-{seq}",
        "source": "https://bj.example.cn",
        "type": f"cn.dataip.registration.{kind}",
        "time": "2026-09-28T02:00:00.000Z",
        "sequence": f"{seq:016d}",
        "data": {"log_index": seq, **data},
    }


@pytest.mark.parametrize(
    "variant",
    [
        "城市交通拥堵预测数据集",
        " 城市 交通\u3000拥堵预测数据集 ",
        "城市·交通、拥堵——预测数据集。",
        "城市交通拥堵预测数据集\u200b",
    ],
)
def test_r4_names_match_after_nfkc_whitespace_and_punctuation(variant: str) -> None:
    assert name_key(variant) == name_key("城市交通拥堵预测数据集")


def test_r4_full_width_and_case_fold_but_other_words_do_not_match() -> None:
    assert name_key("ＡＢＣ（２０２４）交通数据集") == name_key("abc(2024)交通数据集")
    assert name_key("城市交通拥堵预测数据集") != name_key("城市交通拥堵分析数据集")
    assert name_key("！？。") == ""


def test_r4_the_certificates_evidence_hash_reads_as_an_applications() -> None:
    digest = "AB" * 32
    credential = {
        "credentialSubject": {
            "evidence": {"hash": f"sha256:{digest}"},
            "holders": [{"creditCode": "91520100MA6DJ0XK7T"}, {"name": "某人"}],
        }
    }
    assert evidence_hash(credential) == application_hash({"evidence": {"hash_value": digest}})
    assert holder_codes(credential) == ["91520100MA6DJ0XK7T"]
    assert evidence_hash({"credentialSubject": {"evidence": {"hash": "not a hash"}}}) is None
    assert evidence_hash({}) is None


def test_i21_a_page_names_registrations_by_their_last_event() -> None:
    page = [
        _event(3, registration_number="52000020260000011"[:16]),
        {**_event(4, application_number="A1"), "type": "cn.dataip.application.publicised"},
        _event(7, "revoked", registration_number="5200002026000001"),
        _event(9, "certificate.issued", registration_number="5200002026000002"),
    ]
    last, named = registrations_named(page, after=2)
    assert last == 9
    assert named == {"5200002026000001": 7, "5200002026000002": 9}
    assert registrations_named([], after=5) == (5, {})


@pytest.mark.parametrize(
    "page",
    [
        {"not": "a list"},
        "text",
        [1],
        [_event(2)],  # not after the cursor
        [_event(4), _event(4)],  # not growing
        [{**_event(4), "sequence": 4}],  # not the 16-digit string
        [{**_event(4), "type": None}],
    ],
)
def test_i21_a_page_that_is_not_a_batch_in_order_is_refused(page: Any) -> None:
    with pytest.raises(FeedError):
        registrations_named(page, after=2)


@pytest.mark.parametrize(
    ("a", "b", "percent", "similar"),
    [
        ("城市交通拥堵预测数据集", "城市 交通·拥堵（预测）数据集", 100, True),  # equal keys
        ("城市交通拥堵预测数据集", "城市交通拥堵预测数据集（2025版）", 81, True),
        ("城市交通拥堵预测数据集", "全省城市交通拥堵预测数据集", 91, True),
        ("城市交通拥堵预测数据集", "城市公交客流预测数据集", 72, False),
        ("城市交通拥堵预测数据集", "城市停车泊位预测数据集", 63, False),
        ("城市交通拥堵预测数据集", "（）", 0, False),  # a name of punctuation only: nothing
    ],
)
def test_r4_similar_names_by_indel_similarity(a: str, b: str, percent: int, similar: bool) -> None:
    """80 % of the normalised names' characters in common, in order (integer comparison)."""
    assert name_similarity(a, b) == percent == name_similarity(b, a)
    assert similar_names(a, b) is similar


def test_r4_a_natural_persons_holder_never_gives_a_code() -> None:
    credential = {
        "credentialSubject": {
            "holders": [
                {"kind": "legal_person", "name": "某公司", "creditCode": "91520100MA6DKXJ01R"},
                {"kind": "natural_person", "name": "张*", "creditCode": "52010219900101001X"},
                {"kind": "unincorporated", "name": "某合伙", "creditCode": "bad"},
            ]
        }
    }
    assert holder_codes(credential) == ["91520100MA6DKXJ01R"]
