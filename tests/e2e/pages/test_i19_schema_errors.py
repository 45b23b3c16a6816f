"""Issue 19 (no raw codes, Chinese first) for a schema's refusal of a portal form: when a
posted form fails the API's schema, the error box names each field by the label the form shows
(in Chinese on the Chinese page, in English on the English one) and says what is wrong in
plain words — never pydantic's English ("List should have at least 1 item") and never the
schema's field name (`categories`, `weight_bp`). One world, forms of several pages, both
languages, over real HTTP through the app."""

from __future__ import annotations

import re

from tests.e2e.pages.test_applicant_pages import sign_in
from tests.support.api import Api, make_uscc

# pydantic's own words, in any of its messages
PYDANTIC = re.compile(
    r"should|Input|Field required|Value error|valid integer|unable to parse|have at least \d+ item"
    r"|Extra inputs"
)
DOC = ("licence.pdf", b"%PDF-1.7 a scanned licence", "application/pdf")


def _box(html: str) -> str:
    """The error box's text (tags dropped)."""
    m = re.search(r"<div[^>]*data-error-summary>(.*?)</div>", html, re.S)
    assert m, html[:3000]
    return re.sub(r"<[^>]+>", " ", m.group(1))


def _refused(r: object, raw: tuple[str, ...], *, zh: bool) -> str:
    status = getattr(r, "status_code", None)
    text = _box(getattr(r, "text", ""))
    assert status == 422, text
    assert not PYDANTIC.search(text), text
    for name in raw:  # the schema's field name, as pydantic put it before the message
        assert not re.search(rf"\b{name}\b", text), (name, text)
    if zh:
        assert re.search("[\u4e00-\u9fff]", text) and not re.search(r"\b[a-z]{4,}\b", text), text
    return text


def test_i19_schema_refusals_name_the_form_label_in_the_page_language(api: Api) -> None:
    w = api.world()
    number = w.registered(name="已登记的交通数据集")
    token = sign_in(api, w.applicant)
    party = str(w.party)

    def post(path: str, en: bool, data: dict[str, object], **kw: object) -> object:
        url = f"{path}?lang=en" if en else path
        return api.c.post(url, data={"csrf_token": token, **data}, **kw)  # type: ignore[arg-type]

    for en in (False, True):
        # /agencies: no category ticked, a description over the limit
        r = post("/agencies", en, {"party_id": party, "description": "简" * 501})
        text = _refused(r, ("categories", "description"), zh=not en)
        if en:
            assert "Service category: choose or enter at least 1 item(s)" in text, text
            assert "Description: must be at most 500 characters" in text, text
        else:
            assert "服务类别：至少须选择或填写 1 项" in text, text
            assert "简介：最多 500 个字" in text, text
            assert 'href="#category-' in r.text  # type: ignore[attr-defined]

        # /needs: a title over the limit, dates that are no dates, an unknown budget band
        need = {
            "party_id": party,
            "title": "标" * 101,
            "scenario": "transport",
            "industry": "5411",
            "data_wanted": "公交刷卡数据",
            "period_from": "2027-13-40",
            "period_to": "2027-12-31",
            "budget_band": "no-such-band",
            "expires_on": "2027-06-30",
        }
        text = _refused(
            post("/needs", en, need), ("title", "period_from", "budget_band"), zh=not en
        )
        if en:
            assert "Title: must be at most 100 characters" in text, text
            assert "Period of use: from: must be a date such as 2026-12-07" in text, text
            assert "Budget: is not one of the choices offered" in text, text
        else:
            assert "标题：最多 100 个字" in text, text
            assert "使用期间：自：须为日期，如 2026-12-07" in text, text
            assert "预算：不是可选的选项" in text, text

        # /parties: a subject name over the limit (the checks before the schema pass)
        subject = {
            "party_kind": "legal_person",
            "party_name": "名" * 201,
            "party_id_number": make_uscc(8811 + en),
            "party_address": "贵阳市观山湖区",
            "verification_method": "business_licence",
        }
        r = post("/parties", en, subject, files={"verification_file": DOC})
        text = _refused(r, ("name",), zh=not en)
        if en:
            assert "Name (as on the licence or identity card): must be at most 200" in text, text
        else:
            assert "名称（与营业执照或身份证件一致）：最多 200 个字" in text, text

        # quality on the registration's page: availability out of range, too many standards
        quality = {"standards": "\n".join(f"GB/T {n}" for n in range(21)), "availability": "150"}
        r = post(f"/registrations/{number}/quality", en, quality)
        text = _refused(r, ("standards", "availability_bp"), zh=not en)
        if en:
            assert "Service availability (%): is out of the allowed range" in text, text
            assert "choose or enter at most 20 item(s)" in text, text
        else:
            assert "超出允许的范围" in text and "最多可选择或填写 20 项" in text, text
            assert "10000" not in text  # the schema's basis points are not what was typed

        # distribution: a source of an unknown kind and stage
        source = {"kind": "bogus", "weight": "30", "stage": "bogus", "name": "外部数据"}
        r = post(f"/registrations/{number}/sources", en, source)
        text = _refused(r, ("kind", "stage"), zh=not en)
        if en:
            assert "Kind of source: is not one of the choices offered" in text, text
            assert "Stage: is not one of the choices offered" in text, text
        else:
            assert "来源类型：不是可选的选项" in text and "环节：不是可选的选项" in text, text
