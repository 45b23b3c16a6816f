"""The sub-indicators of GB/T 36344-2018 that :mod:`.quality` scores: for each, its indicator,
its name as the standard gives it (zh) and in English, and its formula in words (both
languages) — what the pages and the API show beside each sub-score."""

from __future__ import annotations

from typing import Final

__all__ = ["SUBS"]

# key: (indicator, zh name, en name, formula zh, formula en)
SUBS: Final[dict[str, tuple[str, str, str, str, str]]] = {
    "reference_data": (
        "normativity",
        "权威参考数据",
        "Reference data",
        "代码类列（信用代码、身份证号、行政区划、行业代码）中有效代码数 ÷ 代码值数",
        "valid codes ÷ code values, in credit-code, resident-ID, region and industry columns",
    ),
    "data_model": (
        "normativity",
        "数据模型",
        "Data model",
        "有列名的列数 ÷ 列数",
        "named columns ÷ columns",
    ),
    "data_standard": (
        "normativity",
        "数据标准",
        "Data standards",
        "申报遵循至少一项标准为 100，否则为 0",
        "100 when at least one standard followed is declared, else 0",
    ),
    "metadata": (
        "normativity",
        "元数据",
        "Metadata",
        "申报提供数据字典或说明文档为 100，否则为 0",
        "100 when a data dictionary or documentation is declared, else 0",
    ),
    "element_completeness": (
        "completeness",
        "数据元素完整性",
        "Element completeness",
        "非空单元格数 ÷ 单元格数（空：空白或 NULL、N/A 等空值标记）",
        "filled cells ÷ cells (blank: empty or a null marker such as NULL, N/A)",
    ),
    "record_completeness": (
        "completeness",
        "数据记录完整性",
        "Record completeness",
        "各单元格均非空的行数 ÷ 行数",
        "rows with every cell filled ÷ rows",
    ),
    "format_compliance": (
        "accuracy",
        "数据格式合规性",
        "Format compliance",
        "符合列类型格式的值数 ÷ 有类型列的非空值数",
        "values shaped as their column's type ÷ filled values of typed columns",
    ),
    "content_correctness": (
        "accuracy",
        "数据内容正确性",
        "Content correctness",
        "有效值数 ÷ 格式合规值数（日期存在、校验位正确、代码在代码表中、数值在合理范围内）",
        "valid values ÷ shaped values (real dates, check characters, codes in their "
        "tables, numbers in range)",
    ),
    "duplicate_rate": (
        "accuracy",
        "数据重复率",
        "Duplicate rate",
        "1 − 重复行数 ÷ 行数（与前面某行完全相同的行为重复行）",
        "1 − repeated rows ÷ rows (a row equal to an earlier row is repeated)",
    ),
    "uniqueness": (
        "accuracy",
        "数据唯一性",
        "Uniqueness",
        "标识列（名为编号、序号、ID、主键的列，或首列名含这些词）中不同值数 ÷ 非空值数",
        "distinct values ÷ filled values, in identifier columns (named 编号, 序号, ID or 主键, "
        "or a first column whose name holds one of them)",
    ),
    "same_data_consistency": (
        "consistency",
        "相同数据一致性",
        "Same-data consistency",
        "按本列最常见写法书写的值数 ÷ 格式合规值数",
        "values written in their column's most common format ÷ shaped values",
    ),
    "related_data_consistency": (
        "consistency",
        "关联数据一致性",
        "Related-data consistency",
        "满足跨列规则的行数 ÷ 检查的行数（起止日期先后、身份证号与出生日期和性别、区划代码与省份）",
        "rows satisfying the cross-column rules ÷ rows checked (start before end, resident "
        "ID against birth date and sex, region code against province)",
    ),
    "timeliness": (
        "timeliness",
        "基于时间点的及时性",
        "Timeliness at a point",
        "距最新日期的天数 a、更新周期 c：a ≤ c 为 100，a ≥ 4c 为 0，其间为 100 × (4c − a) ÷ 3c",
        "days a since the latest date, update cycle c: 100 when a ≤ c, 0 when a ≥ 4c, "
        "100 × (4c − a) ÷ 3c between",
    ),
    "period_correctness": (
        "timeliness",
        "基于时间段的正确性",
        "Correctness in a period",
        "在申报时间跨度内的日期数 ÷ 日期数（出生日期列除外）",
        "dates within the declared time span ÷ dates (birth-date columns excepted)",
    ),
    "accessible": (
        "accessibility",
        "可访问",
        "Accessible",
        "申报的访问方式：在线接口、在线下载 100，申请后提供 70，线下交付 40，未申报 0",
        "declared access: online API or download 100, on request 70, offline 40, none 0",
    ),
    "available": (
        "accessibility",
        "可用",
        "Available",
        "申报的服务可用率",
        "the declared service availability",
    ),
    "sample_readable": (
        "accessibility",
        "样例可读",
        "Readable sample",
        "可读取的样例文件数 ÷ 样例文件数",
        "sample files read ÷ sample files",
    ),
}
