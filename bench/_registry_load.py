"""A registry at national volume for bench/load.py: the demo (real accounts, parties,
applications in every state, certificates with log proofs) plus N bulk registrations, each
with everything the public pages read and the five logged events a registration leaves, so
that the log has 5·N leaves and `dataip log audit` finds it clean. A module, not a benchmark
(bench/ files starting with `_` are modules the scripts import).

Per bulk registration i (application year 2023–2025, so no number can meet the ones the
services hand out during the run, which are this year's):

* `applications` (state `registered`), `registrations` (`valid`), `registration_versions`;
* `certificates`: a real VC 2.0 signed with the registry's active Ed25519 key (the same
  `certs.vc` calls as `services.certificates.issue`; no SM2 co-signature, no log proof
  attached), its status index from the registry's counter, moved on at the end;
* `announcements` and `announcement_search`: a registration announcement whose name comes from
  bench/search.py's corpus (about 200,000 distinct Chinese names) and whose terms are
  `domain.search.announcement_terms`'s — memoised per name, checked equal on a sample;
* `events` and their staged leaves (`ledger.event_leaf`, actor commitments as
  `record_event` adds them): ApplicationSubmitted, ApplicationAccepted, ApplicationPublicised,
  CertificateIssued (its `credential_sha256` the certificate's content digest) and
  ApplicationApproved (state `registered`, as the audit's state check wants).

On PostgreSQL rows go in by COPY (psycopg), foreign-key triggers off
(`session_replication_role = replica`), then `ledger.integrate` sequences every staged leaf
(the real integrator: tiles and checkpoints are what the registry serves), then VACUUM
ANALYZE, then every certificate is signed again with its issuance leaf's log proof
(`prove_certificates`, what the running registry's integrator does within a second of each
issuance: left to the servers, they measured a registry catching up). On SQLite (the smoke
run) by executemany.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import multiprocessing
import random
import secrets
import shutil
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from dataip.bootstrap import Registry, build, init_database
from dataip.certs import status_list, tlog, vc
from dataip.config import Settings
from dataip.db import tables as t
from dataip.db.search import tsvector_literal
from dataip.domain import model as m
from dataip.domain import search as search_domain
from dataip.domain.numbering import registration_number
from dataip.domain.search import announcement_terms, tokens
from dataip.services import accounts, blobs, certificates, ledger, parties
from dataip.services.context import SHANGHAI, Identity
from dataip.services.demo import PASSWORD as DEMO_PASSWORD
from dataip.services.demo import populate
from dataip.services.demo_data import make_uscc
from dataip.services.ledger.leaves import LEAF_VERSION
from dataip.services.matching import push as matching_push

CHUNK = 5_000  # registrations per transaction
FIRST_DAY = date(2023, 6, 1)
DAYS = 900  # the bulk history: 2023-06-01 .. 2025-11-17 (application years before this one)
EVENTS_PER_REGISTRATION = 5

REGIONS = "贵州 贵阳 遵义 六盘水 安顺 毕节 铜仁 黔东南 黔南 黔西南 上海 北京 深圳 杭州 成都"
REGIONS += " 重庆 武汉 西安 南京 苏州 广州 天津 青岛 厦门 长沙 郑州 合肥 昆明 全国 长三角"
MODIFIERS = ["城市", "智慧", "公共", "区域", "实时", "历史", "多源", "全域"]
OBJECTS = {
    "交通": "拥堵预测 客流统计 出行轨迹 信号配时 停车泊位 路况监测",
    "医疗": "诊疗记录 医学影像 药品流通 病历质控 医保结算 慢病管理",
    "气象": "降水观测 温度预报 风速监测 灾害预警 空气质量 卫星云图",
    "电力": "负荷预测 用电行为 电网巡检 光伏发电 充电运营 电能质量",
    "物流": "运单轨迹 仓储周转 冷链温控 配送时效 货运车辆 快递分拣",
    "金融": "信贷风控 交易流水 反欺诈识别 保险理赔 征信评分 票据贴现",
    "农业": "水稻种植 土壤墒情 虫害监测 茶叶溯源 畜禽养殖 农产品价格",
    "教育": "学情分析 课程资源 考试测评 学习行为 校园安全 招生就业",
    "水务": "水质监测 管网漏损 供水调度 河道水位 污水处理 节水考核",
    "环保": "排污许可 噪声监测 固废处置 碳排放核算 生态修复 环境执法",
    "能源": "煤炭产量 天然气管网 储能调度 风电功率 油气勘探 能耗统计",
    "旅游": "游客画像 景区客流 酒店预订 文旅消费 线路推荐 舆情监测",
    "零售": "商品销量 会员消费 门店选址 库存预警 价格监测 促销效果",
    "制造": "设备运维 工艺参数 质量检测 供应链协同 产能规划 能耗优化",
    "通信": "基站覆盖 信令分析 网络质量 用户迁徙 流量预测 故障工单",
    "政务": "企业登记 行政审批 不动产登记 社保缴纳 公积金缴存 政策服务",
}
SUFFIXES = ("数据集", "数据集", "数据集", "数据库", "数据产品", "数据资源")
INDUSTRIES = ("5411", "6450", "0111", "8411", "4411", "5990", "6513", "7710", "8321", "6310")
REGION_CODES = ("520102", "520115", "520302", "310104", "110105", "440305", "330106", "510107")
_ORG = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def vocabulary() -> list[str]:
    """Words and characters the names are made of (the load's search queries come from it)."""
    words = {*REGIONS.split(), *MODIFIERS, *OBJECTS, "数据", "数据集", "数据库"}
    words |= {o for v in OBJECTS.values() for o in v.split()}
    return sorted(words)


def _utc_naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None)


def _commit(value: Any) -> dict[str, str]:
    # recording.commitment, with a cheaper salt source (the values are the bench's own)
    salt = secrets.token_hex(16)
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()
    return {"salt": salt, "sha256": hashlib.sha256(salt.encode() + blob).hexdigest()}


@functools.lru_cache(maxsize=400_000)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(tokens(text))


@functools.lru_cache(maxsize=400_000)
def _parts(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`domain.search.tokens` in its two halves: the search-mode words, the CJK characters."""
    norm = search_domain._normalise(text)
    words = tuple(search_domain._terms(search_domain._jieba().cut_for_search(norm, HMM=False)))
    return words, tuple(search_domain._CJK.findall(norm))


def _canon(value: Any) -> bytes:
    # `ledger.canonical.canonicalize` for the plain subset these rows are in (checked on a
    # sample against it through `ledger.event_leaf`, `tlog.content_digest` and `vc.sign`)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _leaf(ev: Any) -> bytes:
    """`ledger.event_leaf` (version 2) without its screening: the rows are the bench's own."""
    return _canon(
        {
            "v": LEAF_VERSION,
            "event": ev.id,
            "type": ev.type,
            "subject": {"type": ev.subject_type, "id": ev.subject_id},
            "at": ev.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "public": ev.public,
            "commitments": {k: v["sha256"] for k, v in sorted(ev.private.items())},
        }
    )


def terms_of(name: str, title: str, number: str, reg_number: str) -> tuple[list[str], list[str]]:
    """`announcement_terms`, memoised per name and title (the numbers are tokenised alone):
    `tokens` of the joined text is every part's words, then every part's characters, each
    once in first-seen order (checked equal on a sample in `Maker.rows`)."""
    named = list(_tokens(name))
    parts = [_parts(title), ((number.lower(),), ()), ((reg_number.lower(),), ())]
    seen: dict[str, None] = {}
    for words, _ in parts:
        for x in words:
            seen.setdefault(x)
    for _, chars in parts:
        for x in chars:
            seen.setdefault(x)
    named_set = set(named)
    return named, [x for x in seen if x not in named_set]


class Maker:
    """The rows of bulk registrations, from the registry's keys and the ids after the demo."""

    def __init__(self, reg: Registry, n: int, seed: int) -> None:
        self.reg = reg
        self.n = n
        self.seed = seed
        env = reg.env
        self.keys = env.certificate_keys
        self.registry_code = env.profile.registry_code
        with reg.engine.connect() as c:

            def top(col: Any) -> int:
                return int(c.scalar(sa.select(sa.func.coalesce(sa.func.max(col), 0))) or 0)

            self.app0 = top(t.applications.c.id)
            self.reg0 = top(t.registrations.c.id)
            self.ver0 = top(t.registration_versions.c.id)
            self.cert0 = top(t.certificates.c.id)
            self.ann0 = top(t.announcements.c.id)
            self.ev0 = top(t.events.c.id)
            self.status0 = top(t.certificates.c.status_index) + 1
            self.examiner = int(
                c.scalar(sa.select(t.users.c.id).where(t.users.c.username == "examiner")) or 1
            )
            self.applicant = int(
                c.scalar(sa.select(t.users.c.id).where(t.users.c.username == "applicant")) or 1
            )
            self.industry_names = {
                str(r[0]): str(r[1])
                for r in c.execute(
                    sa.select(t.industries.c.code, t.industries.c.name).where(
                        t.industries.c.code.in_(INDUSTRIES)
                    )
                )
            }
        self.regions = REGIONS.split()
        self.objects = {d: o.split() for d, o in OBJECTS.items()}
        private = self.keys.active.private
        assert private is not None
        self._private = private
        header = {"alg": vc.ALG, "typ": vc.TYP, "kid": self.keys.active.kid}
        self._header = _b64(json.dumps(header, separators=(",", ":")).encode())

    def sign(self, credential: dict[str, Any]) -> str:
        """`vc.sign` (compact JWS, EdDSA) without joserfc's per-call overhead."""
        payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()
        signing_input = f"{self._header}.{_b64(payload)}"
        return f"{signing_input}.{_b64(self._private.sign(signing_input.encode('ascii')))}"

    def holder(self, i: int) -> dict[str, Any]:
        h = (i * 7919) % max(1, self.n // 5)
        x, org = (h * 104_729 + 7919) % len(_ORG) ** 9, ""
        for _ in range(9):
            x, digit = divmod(x, len(_ORG))
            org += _ORG[digit]
        return {
            "kind": "legal_person",
            "name": f"贵州第{h}数据科技有限公司",
            "credit_code": "91520115" + org + "X",
            "share_bp": 10_000,
        }

    def day(self, i: int) -> date:
        return FIRST_DAY + timedelta(days=i * DAYS // self.n)

    def numbers(self, i: int) -> tuple[str, str, str]:
        """Registration, certificate and announcement numbers of bulk registration i (0-based)."""
        d = self.day(i)
        seq = i + 1  # unique across the four years too
        number = registration_number(
            year=d.year, source_code="2", applicant_type_code="2", sequence=seq
        )
        cert = f"{d.year:04d}{d.month:02d}{self.registry_code}{seq:07d}"
        ann = f"GG{d.year:04d}{self.registry_code}{seq:07d}"
        return number, cert, ann

    def rows(self, start: int, end: int) -> dict[sa.Table, list[dict[str, Any]]]:
        rng = random.Random(self.seed * 1_000_003 + start)  # the same rows in any worker
        out: dict[sa.Table, list[dict[str, Any]]] = {
            t.applications: [],
            t.registrations: [],
            t.registration_versions: [],
            t.certificates: [],
            t.announcements: [],
            t.announcement_search: [],
            t.events: [],
            t.log_entries: [],
        }
        pg = self.reg.engine.dialect.name == "postgresql"
        keys = self.keys
        for i in range(start, end):
            app_id, reg_id = self.app0 + 1 + i, self.reg0 + 1 + i
            number, cert_no, ann_no = self.numbers(i)
            registered = self.day(i)
            decided = registered - timedelta(days=rng.randint(6, 20))
            accepted = decided - timedelta(days=rng.randint(2, 30))
            filed = accepted - timedelta(days=rng.randint(0, 3))
            at = {
                k: datetime(d.year, d.month, d.day, 10, tzinfo=SHANGHAI)
                + timedelta(seconds=i % 3600)
                for k, d in (
                    ("filed", filed),
                    ("accepted", accepted),
                    ("decided", decided),
                    ("registered", registered),
                )
            }
            domain = rng.choice(list(self.objects))
            modifier = rng.choice(MODIFIERS) if rng.random() < 0.4 else ""
            name = (
                f"{rng.choice(self.regions)}{modifier}{domain}"
                f"{rng.choice(self.objects[domain])}{rng.choice(SUFFIXES)}"
            )
            industry = rng.choice(INDUSTRIES)
            holders = [self.holder(i)]
            valid_until = registered + timedelta(days=4 * 365)  # in force on the run's day
            out[t.applications].append(
                {
                    "id": app_id,
                    "filer_user_id": self.applicant,
                    "state": "registered",
                    "form": {"name": name, "industry_code": industry},
                    "name": name,
                    "industry_code": industry,
                    "application_number": number,
                    "filed_at": at["filed"],
                    "filing_date": filed,
                    "version_no": 1,
                    "fast_track": False,
                    "created_at": at["filed"],
                    "updated_at": at["registered"],
                    "version": 1,
                }
            )
            out[t.registrations].append(
                {
                    "id": reg_id,
                    "application_id": app_id,
                    "registration_number": number,
                    "certificate_number": cert_no,
                    "name": name,
                    "industry_code": industry,
                    "registration_date": registered,
                    "announcement_date": registered,
                    "valid_from": registered,
                    "valid_until": valid_until,
                    "holders": holders,
                    "state": "valid",
                    "created_at": at["registered"],
                    "certificate_version": 1,
                    "version": 1,
                }
            )
            out[t.registration_versions].append(
                {
                    "id": self.ver0 + 1 + i,
                    "registration_id": reg_id,
                    "number": 1,
                    "reason": "registration",
                    "name": name,
                    "industry_code": industry,
                    "holders": holders,
                    "form": {"name": name, "industry_code": industry},
                    "valid_from": registered,
                    "valid_until": valid_until,
                    "effective_at": at["registered"],
                }
            )
            status_index = self.status0 + i
            list_no, _ = status_list.locate(status_index)
            credential = vc.credential(
                issuer_id=keys.issuer_id,
                issuer_name=keys.issuer_name,
                registry_code=self.registry_code,
                record_url=f"{keys.issuer_id}/api/v1/registrations/{number}",
                registration_number=number,
                certificate_number=cert_no,
                certificate_version=1,
                name=name,
                industry={
                    "code": industry,
                    "name": self.industry_names.get(industry),
                    "standard": "GB/T 4754-2017",
                },
                holders=[
                    {
                        "name": h["name"],
                        "kind": h["kind"],
                        "creditCode": h["credit_code"],
                        "shareBasisPoints": 10_000,
                    }
                    for h in holders
                ],
                evidence={},
                registration_date=registered,
                valid_from=registered,
                valid_until=valid_until,
                issued_at=at["registered"],
                term_start=registered,
                renewals=0,
                status=None,
                extra={
                    "credentialStatus": [
                        status_list.entry(
                            certificates.status_list_url(keys.issuer_id, list_no), status_index
                        ),
                        {
                            "id": f"{keys.issuer_id}/api/v1/certificates/{cert_no}/status"
                            "?version=1",
                            "type": "DataIPCertificateStatus",
                        },
                    ]
                },
            )
            check = i < start + 3  # each chunk's first rows: the fast paths are the real ones
            token = self.sign(credential)
            digest = hashlib.sha256(_canon(credential)).hexdigest()
            if check and (
                token != vc.sign(credential, keys.active)
                or digest != tlog.content_digest(credential)
            ):
                raise SystemExit("the fast certificate signature or digest is not the real one")
            out[t.certificates].append(
                {
                    "id": self.cert0 + 1 + i,
                    "registration_id": reg_id,
                    "version": 1,
                    "kid": keys.active.kid,
                    "token": token,
                    "cosigned": None,
                    "sha256": hashlib.sha256(token.encode("ascii")).hexdigest(),
                    "status_index": status_index,
                    "issued_at": at["registered"],
                    "log_index": None,
                }
            )
            title_zh = f"登记公告：{name}"
            out[t.announcements].append(
                {
                    "id": self.ann0 + 1 + i,
                    "number": ann_no,
                    "kind": "registration",
                    "registration_id": reg_id,
                    "registration_number": number,
                    "name": name,
                    "published_at": at["registered"],
                    "published_on": registered,
                    "title_zh": title_zh,
                    "title_en": f"Registration announcement: {number}",
                    "body": {"name": name, "industry_code": industry},
                    "industry_code": industry,
                    "industry_section": None,
                    "region_code": rng.choice(REGION_CODES),
                }
            )
            named, other = terms_of(name, title_zh, ann_no, number)
            if check:  # the memoised terms are announcement_terms's
                want = announcement_terms(name, title_zh, ann_no, number)
                if (named, other) != want:
                    raise SystemExit(f"terms differ for {name!r}: {(named, other)} != {want}")
            out[t.announcement_search].append(
                {
                    "announcement_id": self.ann0 + 1 + i,
                    "name_tokens": " ".join(named),
                    "other_tokens": " ".join(other),
                    "document": tsvector_literal(named, other) if pg else None,
                }
            )
            day = lambda d: d.isoformat()  # noqa: E731
            steps: list[tuple[str, str, int, int | None, datetime, dict[str, Any], dict]] = [
                (
                    "application",
                    "ApplicationSubmitted",
                    app_id,
                    self.applicant,
                    at["filed"],
                    {
                        "action": "submit",
                        "state": "submitted",
                        "application_number": number,
                        "filing_date": day(filed),
                        "due": {"accept": day(filed + timedelta(days=3))},
                    },
                    {"form": _commit({"name": name})},
                ),
                (
                    "application",
                    "ApplicationAccepted",
                    app_id,
                    self.examiner,
                    at["accepted"],
                    {
                        "action": "accept",
                        "state": "under_examination",
                        "due": {"examine": day(accepted + timedelta(days=15))},
                    },
                    {},
                ),
                (
                    "application",
                    "ApplicationPublicised",
                    app_id,
                    self.examiner,
                    at["decided"],
                    {
                        "action": "publicise",
                        "state": "publicised",
                        "fields": ["applicants", "application_number", "name", "scope"],
                        "due": {"publicity": day(decided + timedelta(days=5))},
                    },
                    {},
                ),
                (
                    "certificate",
                    "CertificateIssued",
                    reg_id,
                    None,
                    at["registered"],
                    {
                        "registration_number": number,
                        "certificate_number": cert_no,
                        "certificate_version": 1,
                        "kid": keys.active.kid,
                        "credential_sha256": digest,
                        "sm2_kid": None,
                    },
                    {},
                ),
                (
                    "application",
                    "ApplicationApproved",
                    app_id,
                    self.examiner,
                    at["registered"],
                    {
                        "action": "approve",
                        "state": "registered",
                        "registration_number": number,
                        "certificate_number": cert_no,
                        "registration_date": day(registered),
                        "announcement_date": day(registered),
                        "valid_from": day(registered),
                        "valid_until": day(valid_until),
                        "capped_by_agreement": False,
                        "announcement_number": ann_no,
                    },
                    {},
                ),
            ]
            for k, (subject, type_, sid, actor, when, public, private) in enumerate(steps):
                if actor is not None:
                    private = {**private, "actor": _commit(actor)}
                ev = SimpleNamespace(
                    id=self.ev0 + 1 + i * EVENTS_PER_REGISTRATION + k,
                    subject_type=subject,
                    subject_id=sid,
                    type=type_,
                    occurred_at=when,
                    actor_user_id=actor,
                    public=public,
                    private=private,
                )
                out[t.events].append(
                    {
                        "id": ev.id,
                        "subject_type": subject,
                        "subject_id": sid,
                        "type": type_,
                        "occurred_at": when,
                        "actor_user_id": actor,
                        "public": public,
                        "private": private,
                    }
                )
                leaf = _leaf(ev)
                if check and leaf != ledger.event_leaf(m.Event(**vars(ev))):
                    raise SystemExit(f"the fast leaf of a {type_} event is not event_leaf's")
                out[t.log_entries].append({"event_id": ev.id, "idx": None, "leaf": leaf})
        return out


def _pg_value(v: Any) -> Any:
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, datetime):
        return _utc_naive(v)
    return v


def write(reg: Registry, rows: dict[sa.Table, list[dict[str, Any]]]) -> None:
    """One transaction: COPY on PostgreSQL, executemany on SQLite (foreign keys off)."""
    if reg.engine.dialect.name == "postgresql":
        raw = reg.engine.raw_connection()
        try:
            cur = raw.driver_connection.cursor()  # type: ignore[union-attr]
            cur.execute("SET LOCAL session_replication_role = replica")
            for table, batch in rows.items():
                if not batch:
                    continue
                cols = list(batch[0])
                sql = f"COPY {table.name} ({', '.join(cols)}) FROM STDIN"
                with cur.copy(sql) as cp:
                    for r in batch:
                        cp.write_row([_pg_value(r[c]) for c in cols])
            raw.commit()
        finally:
            raw.close()
        return
    with reg.engine.begin() as c:
        c.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for table, batch in rows.items():
            if batch:
                c.execute(sa.insert(table), batch)


def settle(reg: Registry, table: str = "") -> None:
    """VACUUM ANALYZE (SQLite: ANALYZE) of the database, or of one table."""
    with reg.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        verb = "VACUUM ANALYZE" if reg.engine.dialect.name == "postgresql" else "ANALYZE"
        c.exec_driver_sql(f"{verb} {table}".strip())


def accounts_only(reg: Registry) -> None:
    """The demo's examiner and applicant (password demo-password) and the applicant's
    verified party: what the load's write flows need, without the rest of the demo."""
    env = reg.env
    s = Identity(user_id=0, role="registrar_admin", username="operator")
    users = {
        who: accounts.sign_up(
            s, env=env, username=who, password=DEMO_PASSWORD, display_name=name, role=who
        )
        for who, name in (("examiner", "审查员 王审"), ("applicant", "黔通智联 数据部"))
    }
    ap = Identity(user_id=users["applicant"].id, role="applicant", username="applicant")
    ex = Identity(user_id=users["examiner"].id, role="examiner", username="examiner")
    evidence = blobs.upload(
        ap, env=env, data="营业执照扫描件".encode(), filename="licence.txt", media_type="text/plain"
    ).sha256
    p = parties.create_party(
        ap,
        env=env,
        kind="legal_person",
        name="贵州黔通智联交通大数据有限公司",
        id_number=make_uscc("520115", 1),
        address="贵阳市观山湖区",
    )
    parties.request_verification(
        ap, env=env, party_id=p.id, method="business_licence", evidence_blob=evidence
    )
    parties.decide_verification(ex, env=env, party_id=p.id, approve=True)


_JOB: tuple[Registry, Maker | None] | None = None  # what a forked worker works on


def _child() -> None:
    assert _JOB is not None
    # the parent's pooled connections are not ours
    _JOB[0].engine.dispose(close=False)
    _JOB[0].reader_engine.dispose(close=False)


def _chunk(bounds: tuple[int, int]) -> tuple[float, float]:
    assert _JOB is not None
    reg, maker = _JOB
    assert maker is not None
    a = time.perf_counter()
    rows = maker.rows(*bounds)
    b = time.perf_counter()
    write(reg, rows)
    return b - a, time.perf_counter() - b


def load(
    reg: Registry,
    n: int,
    *,
    seed: int = 25,
    workers: int = 1,
    demo: bool = True,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The demo (or, `demo=False`, only the accounts the load's writers use: the smoke run),
    then `n` bulk registrations and their 5·n leaves, integrated. Figures of each step."""
    out: dict[str, Any] = {"registrations": n}
    t0 = time.perf_counter()
    if demo:
        out["demo"] = populate(reg.env)
    else:
        accounts_only(reg)
    ledger.integrate(reg.env, reg.log_keys)
    certificates.attach_proofs(reg.env)
    out["demo_seconds"] = round(time.perf_counter() - t0, 1)
    say(f"  {'demo' if demo else 'accounts'} made in {out['demo_seconds']} s")
    global _JOB
    maker = Maker(reg, n, seed)
    gen = write_s = 0.0
    chunks = [(s, min(n, s + CHUNK)) for s in range(0, n, CHUNK)]
    a = time.perf_counter()
    _JOB = (reg, maker)
    try:
        if workers > 1 and len(chunks) > 1:
            reg.engine.dispose()
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(workers, initializer=_child) as pool:
                done = 0
                for g, w in pool.imap_unordered(_chunk, chunks):
                    gen, write_s, done = gen + g, write_s + w, done + 1
                    if done % 10 == 0 or done == len(chunks):
                        say(
                            f"  {min(n, done * CHUNK):,} registrations "
                            f"({time.perf_counter() - a:.0f} s)"
                        )
        else:
            for c in chunks:
                g, w = _chunk(c)
                gen, write_s = gen + g, write_s + w
    finally:
        _JOB = None
    out["bulk_seconds"] = round(time.perf_counter() - a, 1)
    out["workers"] = workers
    pg = reg.engine.dialect.name == "postgresql"
    with reg.engine.begin() as c:
        if pg:
            for table in (
                "applications",
                "registrations",
                "registration_versions",
                "certificates",
                "announcements",
                "events",
            ):
                c.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        c.execute(
            sa.update(t.counters)
            .where(t.counters.c.name == "certificate-status-index")
            .values(value=maker.status0 + n)
        )
    mark_history_ticked(reg)
    out["rows_cpu_seconds"] = round(gen, 1)  # summed over the workers
    out["write_seconds"] = round(write_s, 1)
    say("  integrating the staged leaves ...")
    a = time.perf_counter()
    rep = ledger.integrate(reg.env, reg.log_keys)
    out["integrate_seconds"] = round(time.perf_counter() - a, 1)
    out["log_size"] = rep.size_after
    out["integrated"] = rep.appended
    say(f"  integrated {rep.appended:,} leaves in {out['integrate_seconds']} s")
    a = time.perf_counter()
    # the planner's statistics first: without them, a batch's probe of the tree's nodes was a
    # parallel scan of all of them (minutes each at 5,000,000 leaves)
    settle(reg)
    out["vacuum_analyze_seconds"] = round(time.perf_counter() - a, 1)
    a = time.perf_counter()
    out["certificates_with_log_proof"] = prove_certificates(reg, workers)
    out["proofs_seconds"] = round(time.perf_counter() - a, 1)
    say(f"  {out['certificates_with_log_proof']:,} log proofs in {out['proofs_seconds']} s")
    a = time.perf_counter()
    settle(reg, "certificates")  # each certificate's row was written again
    out["vacuum_analyze_seconds"] += round(time.perf_counter() - a, 1)
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


PROOF_BATCH = 1000


def _prove(ids: tuple[int, int]) -> int:
    """A window of PROOF_BATCH ids at a time: asked for the oldest unproved of the whole
    range, the database walked past every one already proved, batch after batch."""
    assert _JOB is not None
    reg = _JOB[0]
    lo, hi = ids
    return sum(
        certificates.attach_proofs(reg.env, limit=PROOF_BATCH, ids=(a, min(hi, a + PROOF_BATCH)))
        for a in range(lo, hi, PROOF_BATCH)
    )


def prove_certificates(reg: Registry, workers: int) -> int:
    """Every certificate signed again with its issuance leaf's log proof — what the running
    registry's integrator does within a second of each issuance, so the registry measured is
    in its steady state. Left to the servers, each of them spent most of a core for hours
    catching up on a million (200 certificates a round) while the load was measured."""
    c = t.certificates.c
    with reg.engine.connect() as conn:
        lo, hi = conn.execute(
            sa.select(sa.func.min(c.id), sa.func.max(c.id)).where(c.log_index.is_(None))
        ).one()
    if lo is None:
        return 0
    step = max(1, (hi + 1 - lo + workers - 1) // workers)
    ranges = [(a, min(hi + 1, a + step)) for a in range(lo, hi + 1, step)]
    global _JOB
    _JOB = (reg, None)
    try:
        if workers > 1 and len(ranges) > 1:
            reg.engine.dispose()
            reg.reader_engine.dispose()
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(workers, initializer=_child) as pool:
                return sum(pool.map(_prove, ranges))
        return sum(_prove(r) for r in ranges)
    finally:
        _JOB = None


def mark_history_ticked(reg: Registry) -> None:
    """The bulk registrations are history: granted over years while `dataip tick` ran each
    day, so its cursor over granted registrations (the matching pushes to needs' authors,
    issue 23 §4) stands past them, as it would in the registry being modelled. Left at 0,
    the first tick would match each of the N against every open need of the demo: hours at a
    million, and not the daily run the benchmark times."""
    with reg.env.uow() as uow:
        uow.set_value(matching_push.CURSOR, uow.matching.last_registration_id())
        uow.commit()


def sample_numbers(reg: Registry, k: int, seed: int) -> list[str]:
    """`k` registration numbers spread over the whole register (bulk and demo)."""
    with reg.engine.connect() as c:
        top = int(c.scalar(sa.select(sa.func.max(t.registrations.c.id))) or 0)
        rng = random.Random(seed)
        ids = sorted({rng.randint(1, top) for _ in range(k)})
        return list(
            c.scalars(
                sa.select(t.registrations.c.registration_number).where(
                    t.registrations.c.id.in_(ids)
                )
            )
        )


# --- a kept registry: its settings, database and making (bench/load.py, bench/pages.py) ------

PUBLIC_BASE = "http://127.0.0.1:18400"  # one issuer and log origin for every process


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(
        env="development",
        data_dir=data_dir,
        database_url=url,
        public_base_url=PUBLIC_BASE,
        log_interval_seconds=0,
    )


def database_url(args: Any) -> str:
    """`args`: the scripts' options (backend, data_dir, pg_url, database)."""
    if args.backend == "sqlite":
        return f"sqlite:///{(args.data_dir / 'dataip.sqlite3').as_posix()}"
    return sa.engine.make_url(args.pg_url).set(database=args.database).render_as_string(False)


def admin_sql(args: Any, sql: str) -> None:
    admin = sa.create_engine(sa.engine.make_url(args.pg_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.exec_driver_sql(sql)
    finally:
        admin.dispose()


def prepare(args: Any, *, workers: int, say: Callable[[str], None] = print) -> dict[str, Any]:
    """A fresh registry at the asked size (database and data directory made anew)."""
    shutil.rmtree(args.data_dir, ignore_errors=True)
    args.data_dir.mkdir(parents=True)
    if args.backend == "postgresql":
        admin_sql(args, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin_sql(args, f'CREATE DATABASE "{args.database}"')
    reg = build(settings_for(database_url(args), args.data_dir))
    try:
        init_database(reg)
        return load(reg, args.registrations, workers=workers, demo=args.demo, say=say)
    finally:
        reg.dispose()


def drop(args: Any) -> None:
    if args.backend == "postgresql":
        admin_sql(args, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    shutil.rmtree(args.data_dir, ignore_errors=True)
