"""What the demo registry holds (`services.demo` drives it through the procedure): invented
organisations with valid Unified Social Credit Codes (check character computed), data sets in
real GB/T 4754 classes, each with the fate it is driven to, and the application form each is
filed with.
"""

from __future__ import annotations

import hashlib
from typing import Any

from stdnum.cn import uscc

from dataip.domain.application import PRACTICAL_VALUES

ORGS = [
    ("贵州黔通智联交通大数据有限公司", "520115", "贵阳市观山湖区长岭北路55号"),
    ("贵阳云岭医疗健康数据科技有限公司", "520102", "贵阳市南明区花果园大街8号"),
    ("遵义赤水河生态环境监测中心有限公司", "520302", "遵义市红花岗区海尔大道166号"),
    ("杭州西溪信用数据服务有限公司", "330106", "杭州市西湖区文三路398号"),
    ("苏州工业园区智造数据有限公司", "320505", "苏州市工业园区星湖街328号"),
    ("安顺山地农业物联网合作社", "520402", "安顺市西秀区黄果树大街18号"),
]
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(region: str, serial: int, *, kind: str = "legal_person") -> str:
    """A structurally valid USCC: authority+type, region, organisation code, check char."""
    head = "91" if kind == "legal_person" else "93"
    org = "".join(_ORG_CHARS[(serial * 7919 + i * 104729) % len(_ORG_CHARS)] for i in range(9))
    body = head + region + org
    return body + uscc.calc_check_digit(body + "0")


SCENARIOS = [
    # name, industry, scenario, values, kinds, methods, fate
    (
        "城市交通拥堵预测数据集",
        "5411",
        "transport",
        ["dispatch_decision"],
        ["enterprise"],
        ["self_generated"],
        "registered",
    ),
    (
        "医疗影像辅助诊断数据集",
        "8411",
        "healthcare",
        ["risk_identification"],
        ["personal", "enterprise"],
        ["agreement"],
        "registered",
    ),
    (
        "赤水河流域水质监测数据集",
        "7810",
        "eco_environment",
        ["analysis_evaluation"],
        ["public"],
        ["public_authorisation"],
        "registered",
    ),
    (
        "小微企业信用评估数据集",
        "6450",
        "credit_service",
        ["risk_identification"],
        ["enterprise"],
        ["public_collection"],
        "refused",
    ),
    (
        "工业设备故障预警数据集",
        "3670",
        "sci_tech",
        ["risk_identification"],
        ["enterprise"],
        ["self_generated"],
        "withdrawn",
    ),
    (
        "山地农业病虫害识别数据集",
        "0111",
        "eco_environment",
        ["disaster_prevention"],
        ["enterprise"],
        ["self_generated"],
        "deemed_withdrawn",
    ),
    (
        "网约车出行需求预测数据集",
        "5411",
        "transport",
        ["precision_marketing"],
        ["enterprise"],
        ["self_generated"],
        "revoked",
    ),
    (
        "新能源汽车电池健康评估数据集",
        "3612",
        "sci_tech",
        ["analysis_evaluation"],
        ["enterprise"],
        ["self_generated"],
        "awaiting_judgment",
    ),
    (
        "电力负荷预测数据集",
        "4420",
        "public_service",
        ["dispatch_decision"],
        ["enterprise"],
        ["self_generated"],
        "submitted",
    ),
    (
        "货运枢纽调度优化数据集",
        "5442",
        "transport",
        ["dispatch_decision"],
        ["enterprise"],
        ["self_generated"],
        "under_examination",
    ),
    (
        "互联网安全威胁情报数据集",
        "6440",
        "public_service",
        ["risk_identification"],
        ["enterprise"],
        ["self_generated"],
        "awaiting_correction",
    ),
    (
        "城市公交客流分析数据集",
        "5411",
        "transport",
        ["analysis_evaluation"],
        ["enterprise"],
        ["self_generated"],
        "publicised",
    ),
    (
        "中医诊疗知识图谱数据集",
        "8412",
        "healthcare",
        ["industry_service"],
        ["enterprise"],
        ["self_generated"],
        "objection_pending",
    ),
    (
        "客运汽车站客流监测数据集",
        "5441",
        "transport",
        ["analysis_evaluation"],
        ["enterprise"],
        ["self_generated"],
        "draft",
    ),
]

SAMPLE_CSV = (
    "时间,路段编号,平均车速(km/h),拥堵指数\n2026-05-01 08:00,GY-0012,18.5,7.2\n"
    "2026-05-01 08:05,GY-0012,16.1,7.9\n2026-05-01 08:10,GY-0013,31.0,3.4\n"
)


def form_for(spec: tuple[Any, ...], sample: str, proof: str, evidenced_on: str) -> dict[str, Any]:
    name, industry, scenario, values, kinds, methods, _ = spec
    digest = hashlib.sha256(name.encode()).hexdigest()
    uses = "、".join(PRACTICAL_VALUES[v][0] for v in values)
    form: dict[str, Any] = {
        "name": name,
        "industry_code": industry,
        "scenarios": {"values": [scenario]},
        "practical_values": {
            "values": values,
            "description": f"基于{name[:-3]}，支撑{uses}等业务应用。",
        },
        "intellectual_achievement": (
            "采用自研的数据清洗与多源融合规则，对原始数据进行去噪、对齐与特征构建。"
        ),
        "source_kinds": {"values": kinds},
        "acquisition_methods": {"values": methods},
        "processing_rules": "数据经采集、清洗、标注、质量校验四个环节处理；异常值按3σ规则剔除。",
        "scope": {
            "coverage": "贵州省贵阳市及周边区县",
            "records": 12_500_000,
            "bytes": 48 * 1024**3,
            "time_span_start": "2023-01-01",
            "time_span_end": "2026-06-30",
        },
        "update": {"frequency": "daily", "term": "持续更新至2028年12月"},
        "evidence": {
            "platform": "贵州数据知识产权存证平台",
            "certificate_number": f"GZCZ{digest[:10].upper()}",
            "hash_value": digest,
            "evidenced_on": evidenced_on,
        },
        "sample_blobs": [sample],
        "data_formats": {"values": ["csv", "json"]},
        "commitment_accepted": True,
    }
    if set(kinds) & {"personal", "public"}:
        form["anonymisation"] = (
            "个人信息经去标识化处理：姓名、证件号删除，位置泛化至区县级，不可复原。"
        )
    if set(methods) & {"agreement", "public_authorisation"}:
        form["source_proof_blobs"] = [proof]
    if "agreement" in methods:
        form["agreement_end_date"] = "2027-06-30"
    return form
