"""Demo data: the fictional 临江区 organisation and a handful of cases in various states.

`load_organisation` reads `engine/demo_data/organisation.json` (shape in README.md, "The
demo organisation");
`demo_cases` walks a few realistic appeals through the deployed diagrams with the
service API, so the inbox, the case list and the supervision views have something
to show. Both take a `Service` (one transaction, owned by the caller).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import NotFound
from .service import Service

ORGANISATION = Path(__file__).resolve().parent / "demo_data" / "organisation.json"


def load_organisation(
    service: Service, path: Path | str = ORGANISATION, password: str | None = None
) -> int:
    """Save every unit and staff member of an organisation file; return the number of users.

    With `password`, every account gets it (demo logins); without, passwords are unchanged.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for unit in data["units"]:
        service.staff.save_unit(unit["code"], unit["name"], unit["kind"], unit.get("parent"))
    for u in data["users"]:
        service.staff.save_user(u["username"], u["name"], u["groups"], unit=u["unit"],
                                roles=u["roles"], password=password)  # fmt: skip
    return len(data["users"])


@dataclass
class DemoCase:
    """One demo appeal: its intake data and the steps that bring it to its demo state.

    A step is (task id, user, form data), or (RATING, "", payload) for the citizen's
    online rating through the tracking page.
    """

    key: str
    clerk: str
    data: dict[str, Any]
    steps: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


RATING = "@citizen_rating"


def _appeal(
    title: str, description: str, kind: str, tier: str, unit: str, **extra: Any
) -> dict[str, Any]:
    channel = "enterprise" if kind == "misconduct_report" else "window"
    return {"title": title, "description": description, "kind": kind, "tier": tier,
            "intake_unit": unit, "channel": channel, **extra}  # fmt: skip


def _contact(name: str, phone: str) -> dict[str, str]:
    return {"name": name, "phone": phone}


DISPATCH = {"handling_mode": "dispatch"}
ON_THE_SPOT = {"handling_mode": "on_the_spot"}

DEMO_CASES = [
    # waiting for the town clerk's first response
    DemoCase(
        "LJ-DEMO-001",
        "liuyang",
        _appeal(
            "残疾人补贴被停发",
            "我父亲是二级肢体残疾，今年三月起困难残疾人生活补贴被停发，"
            "社区说是系统比对问题，让找民政，民政让找残联，至今没有说法。",
            "coordination",
            "town",
            "town_b",
            contact=_contact("周桂兰", "13757112345"),
        ),
    ),
    # dispatched to three departments in parallel; civil has signed, the others not yet
    DemoCase(
        "LJ-DEMO-002",
        "zhangwei",
        _appeal(
            "入学证明要跑三个部门",
            "孩子明年上小学，需要居住证明、房产证明和社保证明，"
            "分别在社区、不动产中心和社保窗口开具，来回跑了三趟还缺材料。",
            "coordination",
            "district",
            "district",
            contact=_contact("刘晓明", "13958023456"),
        ),
        steps=[
            ("accept_case", "zhangwei", {"kind": "coordination", **DISPATCH}),
            (
                "classify_case",
                "zhangwei",
                {
                    "scope": "several_departments",
                    "lead_department": "edu",
                    "co_departments": "resources,labor",
                },
            ),
            ("dh_sign", "luojing", {"sign_decision": "sign"}),
        ],
    ),
    # an enterprise's report through 一键直达: handled, answered, waiting for the rating
    DemoCase(
        "LJ-DEMO-003",
        "lina",
        _appeal(
            "企业反映检查过多",
            "我公司是食品生产企业，今年以来各类检查二十余次，"
            "同一事项多个部门重复检查，影响正常生产。",
            "misconduct_report",
            "district",
            "district",
            contact=_contact("陈建国", "13606712345"),
            enterprise_name="临江鲜丰食品有限公司",
        ),
        steps=[
            ("accept_case", "lina", {"kind": "misconduct_report", **DISPATCH}),
            ("classify_case", "lina", {"scope": "one_department", "lead_department": "market"}),
            ("dh_sign", "guoming", {"sign_decision": "sign"}),
            (
                "dh_handle",
                "guoming",
                {
                    "handle_decision": "done",
                    "dept_note": "已牵头建立“综合查一次”机制，今年剩余检查合并为一次联合检查。",
                },
            ),
            (
                "send_reply",
                "lina",
                {
                    "public_reply": "已推行“综合查一次”，同一事项不再重复检查。",
                    "reply_channel": "phone",
                },
            ),
        ],
    ),
    # the department returned it (退单): back with the village clerk for re-dispatch
    DemoCase(
        "LJ-DEMO-004",
        "zhaolei",
        _appeal(
            "老旧小区加装电梯审批难",
            "小区 6 号楼想加装电梯，规划、住建两边都说先找对方，材料递了两次都被退回。",
            "coordination",
            "village",
            "village_a1",
            contact=_contact("何美华", "13588123456"),
        ),
        steps=[
            ("accept_case", "zhaolei", {"kind": "coordination", **DISPATCH}),
            (
                "classify_case",
                "zhaolei",
                {"scope": "one_department", "lead_department": "resources"},
            ),
            ("dh_sign", "linfeng", {"sign_decision": "return"}),
            (
                "dh_return_reason",
                "linfeng",
                {"return_reason": "既有住宅加装电梯的联合审查由住建局牵头，建议交区住建局办理。"},
            ),
        ],
    ),
    # answered on the spot by a village helper and rated satisfied online: closed
    DemoCase(
        "LJ-DEMO-005",
        "zhouqiang",
        _appeal(
            "社保转移接续怎么办",
            "从外省回乡工作，养老保险关系怎么转回来？",
            "policy_consultation",
            "village",
            "village_b1",
            contact=_contact("吴永强", "13867123456"),
        ),
        steps=[
            ("accept_case", "zhouqiang", {"kind": "policy_consultation", **ON_THE_SPOT}),
            (
                "reply_on_spot",
                "zhouqiang",
                {
                    "public_reply": "已帮您在浙里办提交养老保险关系转移申请，"
                    "约 15 个工作日到账，可凭查询码查看进度。",
                    "outcome": "resolved",
                },
            ),
            (
                "send_reply",
                "zhouqiang",
                {
                    "public_reply": "已帮您在浙里办提交养老保险关系转移申请，约 15 个工作日到账。",
                    "reply_channel": "window",
                },
            ),
            (RATING, "", {"rating": "satisfied", "comment": "一次就办好了"}),
            (
                "analyse_root_cause",
                "zhouqiang",
                {
                    "cause_category": "other",
                    "is_common": True,
                    "root_cause_note": "外省回乡人员普遍不清楚转移渠道。",
                },
            ),
            (
                "write_knowledge_entry",
                "zhouqiang",
                {
                    "kb_question": "外省养老保险关系怎么转回本地？",
                    "kb_answer": "在浙里办提交养老保险关系转移申请，约 15 个工作日到账，"
                    "服务站可帮办。",
                    "kb_keywords": "社保转移,养老保险",
                },
            ),
        ],
    ),
    # a complaint about a window's attitude: closed, and a supervision case was started
    DemoCase(
        "LJ-DEMO-006",
        "wangfang",
        _appeal(
            "窗口工作人员态度差",
            "上午在街道窗口办理居住证，工作人员玩手机不理人，问了三遍才回答。",
            "conduct",
            "town",
            "town_a",
            contact=_contact("郑丽娟", "13957198765"),
        ),
        steps=[
            ("accept_case", "wangfang", {"kind": "conduct", **ON_THE_SPOT}),
            (
                "reply_on_spot",
                "wangfang",
                {"public_reply": "已向您当面致歉，并当场为您办结居住证。", "outcome": "resolved"},
            ),
            (
                "send_reply",
                "wangfang",
                {
                    "public_reply": "已向您当面致歉，并当场为您办结居住证。",
                    "reply_channel": "window",
                },
            ),
            ("callback_rating", "wangfang", {"rating": "basically_satisfied"}),
            (
                "analyse_root_cause",
                "wangfang",
                {
                    "cause_category": "window_attitude",
                    "is_common": False,
                    "root_cause_note": "个别工作人员纪律松懈。",
                },
            ),
        ],
    ),
]


def demo_cases(service: Service, at: datetime | None = None) -> list[str]:
    """Start the demo appeals and walk each to its demo state; return their keys."""
    instant = at or datetime.now(UTC)
    started = []
    for demo in DEMO_CASES:
        if _exists(service, demo.key):
            continue
        service.cases.start("closed_loop", key=demo.key, data=demo.data, actor=demo.clerk,
                            at=instant, tracking=True)  # fmt: skip
        for spec, user, values in demo.steps:
            if spec == RATING:
                service.cases.deliver_message(demo.key, "citizen_rating", values, at=instant)
            else:
                service.tasks.complete(
                    _task(service, demo.key, spec, user), user, values, at=instant
                )
        started.append(demo.key)
    return started


def _exists(service: Service, key: str) -> bool:
    try:
        service.cases.get(key)
    except NotFound:
        return False
    return True


def _task(service: Service, key: str, spec: str, user: str) -> str:
    found = [t.id for t in service.tasks.inbox(user) if t.case_key == key and t.task_spec == spec]
    if not found:
        raise NotFound(f"demo case {key}: no task {spec} for {user}")
    return found[0]
