"""Issue 19 §5: no raw codes in front of people. Every page of the demo — public, applicant,
objector, examiner, administrator; every GET page route of the app with every identifier the
demo has — is rendered in Chinese and in English, signed in as each demo account, and its
visible text (code elements aside) must carry no snake_case or CamelCase identifier, no
English enum word on a Chinese page, no G§ or R-number, and the registry's terms as the
registry says them (申请号 / 登记号; 存证 vs the 透明日志)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dataip.bootstrap import Registry
from dataip.services import after_registration, blobs, certificates, demo, ledger
from dataip.services.context import SHANGHAI, FixedClock, Identity
from dataip.web.pages.labels import chinese_number, law, particulars
from tests.support import demo_world
from tests.support.db import empty
from tests.support.routes import page_routes
from tests.support.visible_text import raw_codes, visible_text

USERS = (None, "applicant", "objector", "examiner", "admin")
NOT_PAGES = ("/healthz", "/metrics")
# Latin words a Chinese page may show: proper nouns, standards, formats, the language switch
# and the demo's user names (chosen by people, shown as typed).
PROPER = frozenset(
    {
        "English",
        "Excel",
        "Merkle",
        "Chromium",
        "JSON",
        "PDF",
        "CSV",
        "JWT",
        "JWKS",
        "VC",
        "QR",
        "SM2",
        "GB",
        "RFC",
        "C2SP",
        "ICP",
        "API",
        "OpenAPI",
        "Ed25519",
        "SHA",
        "URL",
        "Parquet",
        "XML",
        "TXT",
        # the demo's accounts and the product's name, which a person types
        "admin",
        "applicant",
        "examiner",
        "objector",
        "dataip",
    }
)
LATIN_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z][a-z]{2,}(?![\w.@/-])")
LEGAL_CODE = re.compile(r"[GZ]§\s*\d+|(?<![\w-])R\d{1,2}(?:\.\d+)?(?![\w-])")
WRONG_TERMS = ("存证日志", "登记编号", "申请编号")


@pytest.fixture(scope="module")
def demo_registry(registry: Registry, clock: FixedClock) -> Iterator[Registry]:
    empty(registry)
    clock.advance_to(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI))
    registry.env.invalidate_calendar()
    demo_world.populate(registry.env)
    _pending_revocation(registry)
    _frozen(registry)
    ledger.integrate(registry.env, registry.log_keys)
    certificates.attach_proofs(registry.env)
    yield registry
    empty(registry)


def _pending_revocation(registry: Registry) -> None:
    """Beyond the demo: a revocation request waiting for the registry, with evidence, so the
    examiner's queue, the registration's decision form and its facts are walked too."""
    env = registry.env
    with registry.engine.connect() as c:
        uid = c.exec_driver_sql("SELECT id FROM users WHERE username = 'objector'").scalar_one()
        pid = c.exec_driver_sql(f"SELECT id FROM parties WHERE owner_user_id = {uid}").scalar()
        number = c.exec_driver_sql(
            "SELECT registration_number FROM registrations WHERE id NOT IN "
            # an approved change (the demo's CSTR and DOI, issue 24) leaves nothing open
            "(SELECT registration_id FROM registration_requests WHERE state <> 'approved') "
            "AND id NOT IN (SELECT registration_id FROM filings) ORDER BY id"
        ).scalar()
    assert number is not None and pid is not None
    who = Identity(user_id=uid, role="applicant", username="objector")
    evidence = blobs.upload(
        who,
        env=env,
        data="在先发布记录（演示）".encode(),
        filename="在先发布记录.txt",
        media_type="text/plain",
    ).sha256
    after_registration.perform(
        who,
        env=env,
        number=number,
        action="request_revocation",
        payload={
            "party_id": pid,
            "statement": "该数据集的主要内容来源于本人已公开发布的数据。",
            "evidence_blobs": [evidence],
        },
    )


def _frozen(registry: Registry) -> None:
    """Issue 20 §7: a registration a court froze twice, one freeze lifted, so its page,
    its announcements and the registry's freeze forms are walked too."""
    env = registry.env
    with registry.engine.connect() as c:
        uid = c.exec_driver_sql("SELECT id FROM users WHERE username = 'admin'").scalar_one()
        number = c.exec_driver_sql(
            "SELECT registration_number FROM registrations WHERE state = 'valid' ORDER BY id DESC"
        ).scalar()
    assert number is not None
    admin = Identity(user_id=uid, role="registrar_admin", username="admin")
    for case in ("（2026）黔01民初123号", "（2026）黔0102财保7号"):
        _, f = after_registration.perform(
            admin,
            env=env,
            number=number,
            action="freeze",
            payload={
                "case_number": case,
                "court": "贵州省贵阳市中级人民法院",
                "ruling": "冻结被申请人名下数据知识产权",
                "term_end": "2029-11-19",
            },
        )
    after_registration.perform(
        admin,
        env=env,
        number=number,
        action="lift_freeze",
        payload={"freeze_number": f.number, "case_number": case, "reason": "撤回保全申请"},
    )


def _ids(registry: Registry) -> dict[str, list[Any]]:
    sql = {
        "application_id": "SELECT id FROM applications ORDER BY id",
        "registration": "SELECT registration_number FROM registrations ORDER BY id",
        "announcement": "SELECT number FROM announcements ORDER BY id",
        "need_id": "SELECT id FROM needs ORDER BY id",  # issue 23 §3
        "dossier_id": "SELECT id FROM dossiers ORDER BY id",  # issue 24 §2: one window
        # issue 22 §2: the demo's valuations, as "registration/valuation"
        "valuation": "SELECT r.registration_number || '/' || v.number FROM valuations v "
        "JOIN registrations r ON r.id = v.registration_id ORDER BY v.id",
    }
    # issue 23 §2: distributions (registration number, id) and their beneficiaries
    rows = {
        "distribution": "SELECT r.registration_number, d.id FROM distributions d "
        "JOIN registrations r ON r.id = d.registration_id ORDER BY d.id",
        "statement": "SELECT r.registration_number, d.id, p.beneficiary FROM distribution_parts p "
        "JOIN distributions d ON d.id = p.distribution_id "
        "JOIN registrations r ON r.id = d.registration_id ORDER BY d.id, p.position",
    }
    with registry.engine.connect() as c:
        out: dict[str, list[Any]] = {
            k: list(c.exec_driver_sql(q).scalars()) for k, q in sql.items()
        }
        out |= {k: [tuple(r) for r in c.exec_driver_sql(q)] for k, q in rows.items()}
        return out


def _urls(app: FastAPI, ids: dict[str, list[Any]]) -> list[str]:
    """Every GET page of the app, each parameter filled with every identifier the demo has
    (a new page route is covered without a row here; a new kind of parameter fails)."""
    urls: list[str] = []
    for method, path in sorted(page_routes(app)):
        if method != "GET" or path in NOT_PAGES or path.endswith(".pdf") or "{sha256}" in path:
            continue  # probes, metrics and downloads are not pages
        params = re.findall(r"\{(\w+)\}", path)
        if not params:
            urls.append(path)
        elif params == ["application_id"]:
            urls += [path.replace("{application_id}", str(i)) for i in ids["application_id"]]
        elif path.startswith("/registrations/") and params == ["number"]:
            urls += [path.replace("{number}", n) for n in ids["registration"]]
        elif params == ["number", "valuation"]:
            for pair in ids["valuation"]:
                reg, val = pair.split("/")
                urls.append(path.replace("{number}", reg).replace("{valuation}", val))
        elif path.startswith("/announcements/") and params == ["number"]:
            urls += [path.replace("{number}", n) for n in ids["announcement"]]
        elif params == ["number", "distribution_id"]:
            urls += [f"/registrations/{n}/distributions/{i}" for n, i in ids["distribution"]]
        elif params == ["number", "distribution_id", "beneficiary"]:
            urls += [
                f"/registrations/{n}/distributions/{i}/statements/{b}"
                for n, i, b in ids["statement"]
            ]
        elif params == ["dossier_id"]:
            urls += [path.replace("{dossier_id}", str(i)) for i in ids["dossier_id"]]
        elif params == ["need_id"]:
            urls += [path.replace("{need_id}", str(i)) for i in ids["need_id"]]
        elif path.startswith("/reports/annual/") and params == ["year"]:
            urls.append(path.replace("{year}", "2026"))  # issue 22 §6: the demo's year
        else:
            raise AssertionError(f"no demo identifiers for the page route {path}: add them")
    return urls


def _sign_in(client: TestClient, user: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    r = client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": user, "password": demo.PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def findings(html: str, lang: str) -> list[str]:
    # text between backticks is a literal (a command line), as in a code element
    text = re.sub(r"`[^`\n]+`", " ", visible_text(html))
    out = [f"identifier {t}" for t in raw_codes(text)]
    out += [f"legal reference {m.group(0)}" for m in LEGAL_CODE.finditer(text)]
    if lang == "en":
        out += [f"Chinese legal reference {m}" for m in re.findall(r"《办法》第\w+条", text)]
    if lang == "zh-CN":
        out += [
            f"English word {w}" for w in sorted(set(LATIN_WORD.findall(text))) if w not in PROPER
        ]
        out += [f"term {t}" for t in WRONG_TERMS if t in text]
    return out


def test_i19_every_demo_page_shows_labels_not_raw_codes(
    demo_registry: Registry, app: FastAPI
) -> None:
    urls = _urls(app, _ids(demo_registry))
    assert len(urls) > 60  # the demo's records were found
    found: dict[str, set[str]] = defaultdict(set)
    pages = 0
    for user in USERS:
        with TestClient(app) as client:
            if user:
                _sign_in(client, user)
            for lang in ("zh-CN", "en"):
                client.cookies.set("dataip_lang", lang)
                for url in urls:
                    r = client.get(url, follow_redirects=False)
                    assert r.status_code < 500, (user, url, r.text[:500])
                    if not r.headers.get("content-type", "").startswith("text/html"):
                        continue
                    pages += 1
                    for f in findings(r.text, lang):
                        found[f].add(f"{user or 'public'} {lang} {url}")
    assert pages > 300
    # the walk saw the after-registration work as the examiner sees it
    with TestClient(app) as client:
        _sign_in(client, "examiner")
        queue = visible_text(client.get("/workbench?lang=zh-CN").text)
        assert "审查撤销申请" in queue and "审查变更申请" in queue
        revoked = [u for u in urls if u.startswith("/registrations/")]
        texts = [visible_text(client.get(u).text) for u in revoked]
        assert any("在先发布记录.txt" in t and "李异议" in t for t in texts)
    report = {k: sorted(v)[:3] for k, v in sorted(found.items())}
    assert not found, f"raw codes in front of people: {report}"


def test_i20_the_demo_shows_institutions_and_a_court_read(
    demo_registry: Registry, app: FastAPI
) -> None:
    """Issue 20: a newcomer sees the admin's page of institutional clients and a holder's
    account of reads populated — a court and a bank, and the court's reads for a case."""
    with TestClient(app) as client:
        _sign_in(client, "admin")
        page = visible_text(client.get("/admin/institutions").text)
        assert "贵州省贵阳市中级人民法院（演示）" in page and "贵阳银行股份有限公司（演示）" in page
        assert "法院" in page and "银行" in page and "读取完整登记信息与档案（须说明用途）" in page
    with demo_registry.engine.connect() as c:
        number = c.exec_driver_sql("SELECT registration_number FROM institution_reads").scalar()
    assert number is not None
    with TestClient(app) as client:
        _sign_in(client, "applicant")
        text = visible_text(client.get(f"/registrations/{number}").text)
        reads = text[text.index("机构查阅记录") :]
        assert "贵州省贵阳市中级人民法院（演示）" in reads and "（2026）黔01民初88号" in reads
        assert "完整登记信息" in reads and "登记档案" in reads and "法院" in reads


def test_i19_the_scanner_finds_what_it_must() -> None:
    """The checks above can fail: each kind of raw code is found, code elements are not."""
    page = (
        "<html><body><p>状态 in_force</p><p>DraftCreated</p><p>分级提示: general</p>"
        "<p>（G§14）</p><code>registration_number</code><pre>CamelCase</pre>"
        '<p title="filing_kind">许可</p><p>存证日志</p><script>var snake_case = 1;</script>'
        "</body></html>"
    )
    got = findings(page, "zh-CN")
    assert "identifier in_force" in got and "identifier DraftCreated" in got
    assert "English word general" in got and "legal reference G§14" in got
    assert "identifier filing_kind" in got and "term 存证日志" in got
    assert not any("registration_number" in f or "CamelCase" in f for f in got)
    assert not any("snake_case" in f for f in got)
    assert findings("<p>Renewal (《办法》第十九条)</p>", "en") == [
        "Chinese legal reference 《办法》第十九条"
    ]


def test_i19_legal_references_read_as_articles_of_the_measures() -> None:
    assert law(14) == "《办法》第十四条"
    assert law(20) == "《办法》第二十条" and law(26) == "《办法》第二十六条"
    assert law(7, "en") == "Art. 7 of the Measures"
    assert [chinese_number(n) for n in (1, 10, 11, 19, 21)] == [
        "一",
        "十",
        "十一",
        "十九",
        "二十一",
    ]


def test_i19_announcement_particulars_are_a_labelled_table() -> None:
    body = {
        "registration_number": "DJ2026520000001",
        "filing_kind": "licence",
        "licence_type": "non_exclusive",
        "capped_by_agreement": False,
        "contract_date": "2026-11-03",
        "licensee": {"name": "贵州交通规划研究院", "credit_code": "91520100MA6DKX1234"},
        "grounds": [1, 3],
        "fields": ["update", "subject"],
    }
    zh = dict(particulars(body, "zh-CN"))
    assert "registration_number" not in str(zh)  # shown in the header, by its label
    assert zh["备案类型"] == "许可使用备案" and zh["许可类型"] == "普通许可"
    assert zh["有效期受数据来源协议截止日限制"] == "否"
    assert zh["合同签订日期"] == "2026年11月3日"
    assert "贵州交通规划研究院" in zh["被许可方"] and "91520100MA6DKX1234" in zh["被许可方"]
    assert zh["撤销事由"].startswith("登记后发现有不予登记情形")
    assert zh["变更事项"] == "更新周期、登记主体名称"
    en = dict(particulars(body, "en"))
    assert en["Filing kind"] == "licence filing" and en["Licence type"] == "non-exclusive"
    assert en["Validity capped by the data-source agreement"] == "no"
    assert not any("{" in str(v) or "\\u" in str(v) for v in zh.values())
