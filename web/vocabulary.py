"""The domain's words as people read them (keys from processes/CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from .i18n import gettext as _

KINDS = {
    "special_handling": "特事特办",
    "policy_consultation": "政策咨询",
    "coordination": "协调办理",
    "conduct": "作风问题",
    "misconduct_report": "一键直达（企业反映干部作风）",
}
TIERS = {"district": "区级窗口", "town": "镇街窗口", "village": "村社服务站"}
STATUSES = {"running": "办理中", "completed": "已办结", "error": "异常", "merged": "已并案"}
CHANNELS = {
    "window": "窗口", "online": "网上", "enterprise": "一键直达（企业）", "phone": "电话",
    "assisted": "帮办代办", "village_collect": "村社代收", "open311": "城市平台（Open311）",
}  # fmt: skip
# The channels a clerk chooses from when registering a matter (web/counter.py).
COUNTER_CHANNELS = {
    code: CHANNELS[code] for code in ("window", "phone", "online", "assisted", "village_collect")
}
RATINGS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
MEETING_DECISIONS = {"close": "办结销号", "continue": "继续督办", "consult": "组织会诊",
                     "escalate": "提级协调", "supervise": "移交纪检监督",
                     "assign": "交办部门限期办理"}  # fmt: skip
LEVELS = {
    1: "一级：经办人即办",
    2: "二级：首席代表协调",
    3: "三级：领导小组办公室",
    4: "四级：联席会议",
}
# Case data keys of processes/CONTRACT.md as the timeline names them.
DATA_LABELS = {
    "title": "标题",
    "description": "诉求内容",
    "kind": "诉求类型",
    "tier": "受理层级",
    "intake_unit": "受理窗口",
    "channel": "渠道",
    "assisted_by": "帮办人",
    "contact": "联系人",
    "enterprise_name": "企业名称",
    "level": "协调级别",
    "lead_department": "牵头部门",
    "departments": "协办部门",
    "sla_due": "办理时限",
    "public_reply": "答复群众",
    "rating": "评价",
    "rating_requested": "邀请评价",
    "rehandle_count": "重办次数",
    "outcome": "办理结果",
    "address": "详细地址",
    "place_unit": "事发村社",
    "latitude": "纬度",
    "longitude": "经度",
    "accused_unit": "被反映单位",
    "anonymous": "匿名反映",
}
# Values diagrams' scripts set that no form offers as an option (e.g. a level still open).
STATE_WORDS = {"pending": "待处理", "cannot_resolve": "办不成"}
# Keys whose values are codes of one of the tables above.
CODED_VALUES: dict[str, dict[Any, str]] = {
    "kind": KINDS, "tier": TIERS, "rating": RATINGS, "level": LEVELS, "channel": CHANNELS,
}  # fmt: skip
EVENTS = {
    "started": "受理",
    "task_completed": "完成",
    "claimed": "认领任务",
    "unclaimed": "退回任务池",
    "message_received": "收到回复",
    "timer_fired": "时限到达",
    "escalated": "升级协调",
    "failed": "运行出错",
    "merged": "并入主案件",
    "duplicate_merged": "并入重复件",
    "marked_distinct": "标记为不同事项",
    "reminded": "催办",
    "returned": "退回",
    "extended": "延期",
    "data_edited": "修改数据",
    "migrated": "迁移到新流程版本",
    "recalculated": "重新计算时限",
    "transferred": "转派部门",
    "passed_up": "上交上级窗口",
    "first_response_missed": "首次响应超时",
    "reassigned": "改派同事",
    "attachment_added": "添加附件",
    "meeting_decided": "联席会议决定",
    "kb_linked": "关联知识库条目",
    "personal_erased": "保存期满，删除个人信息",
}


def label(table: dict[Any, str], value: Any) -> str:
    """The translated label of a code, or the code itself if unknown."""
    if value is None or value == "":
        return "—"
    try:
        key = int(value) if table is LEVELS else value
    except (TypeError, ValueError):
        key = value
    text = table.get(key)
    return _(text) if text else str(value)
