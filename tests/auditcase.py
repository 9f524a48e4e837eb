"""A finished closed-loop case that was escalated and re-handled, for the audit tests.

On the real diagrams in processes/ with the demo organisation: 李娜 (lina) dispatches to
区住建局 (huangtao), who signs but misses the deadline; the timer escalates to the
chief representative 马军 (majun), who resolves it; the citizen rates the answer
unsatisfied online, the supervising office (weiming) sends it back, the department
handles it again, and a phone call-back finds the citizen satisfied.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.demo import ORGANISATION, load_organisation
from engine.deployment import read_sources
from engine.service import Engine
from engine.settings import Settings
from tests.web.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
KEY = "CL-AUDIT"
START = "2026-06-08T09:00:00+08:00"
APPEAL = {
    "title": "安置房不动产权证多年办不下来",
    "description": "2015 年入住的拆迁安置房，至今办不出不动产权证，孩子上学落户受影响。",
    "kind": "policy_consultation", "tier": "district", "intake_unit": "district",
    "channel": "window",
    "contact": {"name": "韩国庆", "phone": "13705712345"},
}  # fmt: skip
# (time, action, who, values): action is a task id, "@timers" or "@rating".
STEPS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("2026-06-08T09:10:00+08:00", "accept_case", "lina",
     {"kind": "policy_consultation", "handling_mode": "dispatch"}),
    ("2026-06-08T09:20:00+08:00", "classify_case", "lina",
     {"scope": "one_department", "lead_department": "housing"}),
    ("2026-06-08T10:00:00+08:00", "dh_sign", "huangtao", {"sign_decision": "sign"}),
    ("2026-06-09T14:00:00+08:00", "@timers", "", {}),
    ("2026-06-09T17:31:00+08:00", "@timers", "", {}),
    ("2026-06-10T10:00:00+08:00", "el_level2", "majun",
     {"resolution": "resolved", "handling_note": "已协调不动产登记中心补齐材料，本周内可领证。"}),
    ("2026-06-10T10:30:00+08:00", "send_reply", "lina",
     {"public_reply": "已协调不动产登记中心补齐材料，本周内可领证。", "reply_channel": "phone"}),
    ("2026-06-11T09:00:00+08:00", "@rating", "",
     {"rating": "unsatisfied", "comment": "说本周能领，窗口说还缺材料"}),
    ("2026-06-11T10:00:00+08:00", "review_unsatisfied", "weiming",
     {"review_decision": "rehandle", "review_note": "请住建局核实缺少的材料并当面告知。"}),
    ("2026-06-11T10:30:00+08:00", "classify_case", "lina",
     {"scope": "one_department", "lead_department": "housing", "dispatch_note": "重办"}),
    ("2026-06-11T11:00:00+08:00", "dh_sign", "huangtao", {"sign_decision": "sign"}),
    ("2026-06-11T15:00:00+08:00", "dh_handle", "huangtao",
     {"handle_decision": "done", "dept_note": "已上门核实，补齐测绘报告，证书已办出。"}),
    ("2026-06-11T15:30:00+08:00", "send_reply", "lina",
     {"public_reply": "证书已办出，可到区政务服务中心领取。", "reply_channel": "phone"}),
    ("2026-06-12T09:00:00+08:00", "callback_rating", "lina",
     {"rating": "satisfied", "rating_comment": "已经拿到证了"}),
    ("2026-06-12T09:30:00+08:00", "analyse_root_cause", "lina",
     {"cause_category": "other", "is_common": False, "root_cause_note": "材料清单没有一次告知。"}),
]  # fmt: skip


def deploy_demo(engine: Engine, password: str | None = None) -> None:
    """Deploy processes/ and load the demo organisation (with a password for sign-in)."""
    with engine.transaction() as service:
        service.deployments.deploy(
            read_sources([ROOT / "processes"]), at=datetime.fromisoformat(START)
        )
        load_organisation(service, ORGANISATION, password=password)


def escalated_rehandled_case(engine: Engine, upto: int | None = None, since: int = 0) -> str:
    """Walk `KEY` through STEPS (or the first `upto` of them; `since`: go on from there on
    a case already started); return its key."""
    if since == 0:
        with engine.transaction() as service:
            service.cases.start("closed_loop", key=KEY, data=APPEAL, actor="lina",
                               at=datetime.fromisoformat(START), tracking=True)  # fmt: skip
    for when, action, user, values in STEPS[since:upto]:
        at = datetime.fromisoformat(when)
        if action == "@timers":
            engine.fire_due_timers(now=at)
            continue
        with engine.transaction() as service:
            if action == "@rating":
                service.cases.deliver_message(KEY, "citizen_rating", values, at=at)
                continue
            found = [t.id for t in service.tasks.inbox(user)
                      if t.case_key == KEY and t.task_spec == action]  # fmt: skip
            assert found, f"{user} has no task {action}: {service.cases.get(KEY).tasks}"
            service.tasks.complete(found[0], user, values, at=at)
    return KEY


@pytest.fixture(scope="session")
def audit_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with processes/ deployed, the demo staff (password PASSWORD) and
    the finished case `KEY`; copied for every test."""
    folder = tmp_path_factory.mktemp("audited")
    path = folder / "mashangban.db"
    shutil.copy(sqlite_template, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=folder))
    deploy_demo(engine, password=PASSWORD)
    escalated_rehandled_case(engine)
    engine.close()
    return path


@pytest.fixture
def audit_engine(audit_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh copy of the audit database."""
    path = tmp_path / "mashangban.db"
    shutil.copy(audit_template, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    yield engine
    engine.close()
