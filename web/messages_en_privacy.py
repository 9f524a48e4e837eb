# ruff: noqa: E501  (one "Chinese": "English" pair a line reads best)
"""English texts of the personal-data pages (merged into messages_en.EN)."""

from __future__ import annotations

EN: dict[str, str] = {
    "已删除": "erased",
    "保存期满，删除个人信息": "Personal details erased (retention period over)",
    "完整显示，本次查看已记录": "Shown in full; this view is logged",
    "个人信息已部分隐藏": "Personal details partly hidden",
    "个人信息已按保存期限删除": "Personal details erased after the retention period",
    "个人信息查看记录": "Personal data access log",
    "按案件筛选": "Filter by case",
    "受理窗口、在办任务经办人和纪检监察可查看群众个人信息全文，每次查看都记录在此；其他人员只看到隐藏后的信息。": "The receiving window, the handler of an open task and the discipline office see citizens' personal details in full, and every such view is logged here; everyone else sees them partly hidden.",
    "查看人": "Viewed by",
    "依据": "Grounds",
    "方式": "Through",
    "查看的信息": "Details viewed",
    "没有查看记录。": "No views logged.",
    "在办任务经办人": "Handler of an open task",
    "纪检监察": "Discipline office",
    "页面": "web page",
    "接口": "API",
    "姓名": "name",
    "电话": "phone",
    "身份证号": "ID number",
    "地址": "address",
    "电子邮箱": "e-mail",
}
