"""G§13: the grounds on which the registry refuses registration (不予登记情形), and the check
that a refusal names at least one of them."""

from __future__ import annotations

from dataip.domain.errors import DomainError

# G§13 refusal grounds (不予登记情形).
REFUSAL_GROUNDS: dict[int, tuple[str, str]] = {
    1: ("不符合本办法适用范围及原则规定", "outside the scope or principles of the measures"),
    2: ("存在未解决的数据知识产权权属诉讼纠纷", "unresolved ownership litigation"),
    3: ("重复登记，或主动撤回后无正当理由再次申请", "duplicate, or re-filed after withdrawal"),
    4: ("登记前未进行数据存证或公证", "no evidence or notarisation before applying"),
    5: ("申请人隐瞒事实或者弄虚作假", "concealment or falsification"),
    6: ("数据危害国家安全、公共利益或个人隐私", "endangers security, public interest or privacy"),
    7: ("其他不符合法律、法规规定的情形", "other legal non-conformity"),
}


def validate_grounds(raw: object) -> list[int]:
    """G§13: a refusal names one or more of the seven grounds."""
    if not isinstance(raw, list) or not raw:
        raise DomainError(
            "grounds_required",
            "不予登记须说明理由（《办法》第十三条）",
            "a refusal must name at least one ground of Art. 13 of the Measures",
            status=422,
        )
    out: list[int] = []
    for g in raw:
        if isinstance(g, bool) or not isinstance(g, int) or g not in REFUSAL_GROUNDS:
            raise DomainError(
                "invalid_ground",
                f"无效的不予登记理由：{g}",
                f"invalid refusal ground: {g}",
                status=422,
                details={"valid": sorted(REFUSAL_GROUNDS)},
            )
        if g not in out:
            out.append(g)
    return sorted(out)
