"""A beneficiary's statement (收益分配对账单) as an A4 PDF, rendered from HTML by WeasyPrint
(as certs/pdf.py renders certificates). The statement's JSON — with the opening and the log
receipt — is attached to the file (`statement.json`), so the PDF alone can be checked against
the log (docs/distribution.md)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jinja2

# ruff: noqa: E501 — the page's HTML keeps its rows on one line each
ATTACHMENT_NAME = "statement.json"

_TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 10.5pt;
  color: #111; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 1mm; }
.en { text-align: center; color: #555; margin-bottom: 6mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 5mm; }
th, td { border: 0.3mm solid #999; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { width: 42mm; background: #f3f3f3; font-weight: normal; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
.note { color: #444; font-size: 9pt; }
</style></head><body>
<h1>收益分配对账单</h1><div class="en">Benefit distribution statement</div>
<table>
<tr><th>登记号 Registration</th><td class="mono">{{ s.registration_number }}</td></tr>
<tr><th>数据名称 Name</th><td>{{ s.registration_name }}</td></tr>
<tr><th>分配编号 Distribution</th><td>{{ s.distribution_id }}</td></tr>
<tr><th>记录时间 Recorded</th><td>{{ s.recorded_at }}</td></tr>
<tr><th>收入 Income</th><td>{{ yuan(s.income_fen) }} 元</td></tr>
<tr><th>受益方 Beneficiary</th><td>{{ s.name or "" }} <span class="mono">{{ s.beneficiary }}</span></td></tr>
<tr><th>应得金额 Amount</th><td><strong>{{ yuan(s.amount_fen) }} 元</strong>（{{ s.amount_fen }} 分）</td></tr>
<tr><th>分配比例 Share</th><td class="mono">{{ s.share }}</td></tr>
<tr><th>逐级留存 Retention</th><td>{{ s.retention_bp / 100 }}%</td></tr>
</table>
<table><tr><th>收益路径 Path</th><th>比例 Share</th></tr>
{% for f in s.flows %}<tr><td class="mono">{{ f.path | join(" → ") }}</td><td class="mono">{{ f.share }}</td></tr>{% endfor %}
</table>
<table>
<tr><th>日志序号 Log index</th><td>{{ s.log_index if s.log_index is not none else "待记入 pending" }}</td></tr>
<tr><th>承诺盐值 Salt</th><td class="mono">{{ s.opening.salt }}</td></tr>
<tr><th>承诺内容 Value</th><td class="mono">{{ value }}</td></tr>
</table>
<p class="note">核验：用登记机构透明日志的公钥核验所附收据（statement.json 中的 receipt），确认日志条目中
第 {{ s.position }} 个受益方为上述编号、比例一致，且 SHA-256(盐值 ‖ 承诺内容) 等于条目中的承诺
part_{{ s.position }}。To verify: check the attached receipt with the log's key, then that
SHA-256(salt ‖ value) is the leaf's commitment part_{{ s.position }}.</p>
</body></html>"""


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True)
    env.globals["yuan"] = lambda fen: f"{fen / 100:,.2f}" if fen is not None else "—"
    return env.from_string(_TEMPLATE)


def statement_pdf(statement: dict[str, Any], *, lang: str = "zh-CN") -> bytes:
    import weasyprint  # loaded on first use (Pango and fonts), as certs/pdf.py does

    value = json.dumps(statement["opening"]["value"], ensure_ascii=False, sort_keys=True)
    html = _template().render(s=statement, value=value, lang=lang)
    attachment = weasyprint.Attachment(
        string=json.dumps(statement, ensure_ascii=False, default=str, indent=1),
        name=ATTACHMENT_NAME,
        description="the statement with its commitment opening and log receipt",
    )
    pdf: bytes = weasyprint.HTML(string=html).write_pdf(attachments=[attachment])
    return pdf
