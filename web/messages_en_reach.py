# ruff: noqa: E501  (one "Chinese": "English" pair a line reads best)
"""English texts of issue 14's reach pages: place, duplicates, 一键直达, Open311."""

from __future__ import annotations

EN: dict[str, str] = {
    "一键直达": "Direct line",
    "一键直达举报": "Direct-line report",
    "一键直达二维码": "Direct-line QR codes",
    "直达码": "Direct codes",
    "一键直达：反映干部作风问题": "Direct line: report officials' misconduct",
    "不是重复": "Not a duplicate",
    "不确定或不在村社": "Not sure, or not in a village",
    "不能并入自身": "a case cannot be merged into itself",
    "事发地点（选填）": "Where it happened (optional)",
    "二维码指向：": "The code points to: ",
    "企业或区域名称": "Enterprise or area name",
    "制作新二维码": "Make a new code",
    "制作时间": "Made",
    "区级入口": "District entry page",
    "匿名": "Anonymous",
    "匿名反映（不留姓名）": "Report anonymously (no name)",
    "反映什么问题": "What happened",
    "反映干部吃拿卡要、乱检查乱收费？请用": "Reporting officials who demand favours, inspect "
    "or charge arbitrarily? Use the",
    "可能重复的诉求": "Possible duplicates",
    "吃拿卡要、随意检查、乱收费乱罚款乱摊派等问题，直接送达区纪委监委派驻纪检监察组，不经过被反映的单位。": (
        "Demands for favours, arbitrary inspections, fees, fines and levies go straight to the "
        "district discipline inspection team, never through the unit you report."
    ),
    "吃拿卡要、随意检查、乱收费？扫码直接向区纪委监委派驻纪检监察组反映，可匿名。": (
        "Demands for favours, arbitrary inspections or fees? Scan to report straight to the "
        "district discipline inspection team, anonymously if you wish."
    ),
    "同一地点、同一类型、文字相近的未办结诉求。相似度为两段文字中相同的两字片段所占比例。": (
        "Open matters at the same place, of the same kind, with similar words. Similarity is "
        "the share of two-character pieces the two texts have in common."
    ),
    "地点：{place}": "Place: {place}",
    "坐标可不填；填写时经纬度都要填。": "Coordinates are optional; give both or neither.",
    "城市平台（Open311）": "City platform (Open311)",
    "如：滨江路 12 号门口": "e.g. outside 12 Binjiang Road",
    "实名": "Named",
    "实名反映请填写联系人，或勾选匿名反映": "Give a contact name, or tick anonymous",
    "实名反映请填写联系电话，或勾选匿名反映": "Give a phone number, or tick anonymous",
    "已制作的二维码及其指向地址": "Codes made and the address each points to",
    "已将 {dup} 并入 {main}；答复主案件时两位反映人都会得到答复。": (
        "{dup} was merged into {main}; answering the main case answers both submitters."
    ),
    "已并入的重复件（答复时一并告知）": "Merged duplicates (answer these submitters too)",
    "已并案": "Merged",
    "已标记为不同事项，不再提示。": "Marked as a different matter; it will not be suggested again.",
    "并入此案（本案为重复件）": "Merge into this case (this one is the duplicate)",
    "并案未成功：{reason}": "Not merged: {reason}",
    "您的反映已直接送达区纪委监委派驻纪检监察组，被反映单位看不到。请记下以下信息，用于查询进度：": (
        "Your report went straight to the district discipline inspection team; the unit you "
        "reported cannot see it. Keep these to follow it:"
    ),
    "所在村（社区）": "Village / community",
    "打印": "Print",
    "扫码来源：{label}": "Scanned from: {label}",
    "扫码直达纪检监察组：{label}": "Scan to reach the discipline team: {label}",
    "操作未成功：{reason}": "Not done: {reason}",
    "时间、地点、人员、经过（最多 2000 字）。": "When, where, who and what happened (at most 2000 "
    "characters).",
    "是否匿名": "Anonymous?",
    "未留姓名": "no name given",
    "未留电话": "no phone given",
    "本案已作为重复件并入": "This case was merged as a duplicate into",
    "来源二维码": "Scanned code",
    "案件已并案、已办结或已并入其他案件": "a case is already merged, finished, or merged elsewhere",
    "案件已被他人更新，请刷新后重试": "the case was changed by someone else; reload and retry",
    "生成二维码": "Make the code",
    "直达纪检监察组": "Send to the discipline team",
    "相似度 {n}%": "Similarity {n}%",
    "纬度": "Latitude",
    "经度": "Longitude",
    "经纬度需同时填写": "Give both latitude and longitude",
    "联系方式只有纪检监察组能看到，被反映单位和其他部门都看不到；匿名时电话可留可不留。": (
        "Only the discipline team sees your contact, never the unit you report nor other "
        "departments; when anonymous the phone number is optional."
    ),
    "联系方式（仅纪检监察组可见）": "Contact (discipline team only)",
    "被反映单位": "Unit reported",
    "被反映的单位": "Unit you report",
    "详细地址": "Address",
    "请从列表中选择村（社区）": "Choose a village or community from the list",
    "请填写 -{n} 到 {n} 之间的十进制度数": "Give decimal degrees between -{n} and {n}",
    "请选择被反映的单位": "Choose the unit you report",
    "返回二维码列表": "Back to the codes",
    "适用范围": "For",
    "高发地点（事发村社，未填时为受理单位）": "Most frequent places (village of the matter, "
    "else the receiving unit)",
    "，直接送达纪检监察组，不经过被反映单位。": ", straight to the discipline team, never "
    "through the unit you report.",
    "，答复随主案件。": "; it is answered with the main case.",
    "企业专属码": "Enterprise code",
    "请给出案件编号（{name}）": "Give a case number ({name})",
    "事发地点": "Place",
    "事发村社": "Village / community",
    "北纬 {lat}，东经 {lon}": "latitude {lat}, longitude {lon}",
    "匿名反映": "Anonymous report",
    "并入主案件": "Merged into the main case",
    "并入重复件": "Duplicate merged in",
    "标记为不同事项": "Marked as a different matter",
    "区级通用码": "District code",
}
