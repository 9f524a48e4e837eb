"""Process admins: versions with notes, the action log, diffs, and moving running cases.

The closed-loop diagram is deployed from `processes/`, a form label is changed the way
the modeler would change it, and cases started before the change are moved to the new
version: their next task shows the new label, and replay and verify stay green.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from engine.admin import DeployRefused
from engine.demo import ORGANISATION, load_organisation
from engine.deployment import read_sources
from engine.errors import Conflict, NotAllowed
from engine.service import Engine

PROCESSES = Path(__file__).parents[2] / "processes"
AT = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
START = {"title": "学生转学需要多部门证明", "description": "窗口让分别去开证明。",
         "kind": "coordination", "tier": "district", "intake_unit": "district",
         "channel": "window", "contact": {"name": "邱红梅", "phone": "13967112345"}}  # fmt: skip
OLD_LABEL, NEW_LABEL = 'label="诉求标题"', 'label="诉求事项标题"'


def closed_loop(label: str = OLD_LABEL) -> dict[str, bytes]:
    """The closed-loop diagram with the title field labelled `label`."""
    path = PROCESSES / "closed_loop" / "closed_loop.bpmn"
    text = path.read_text(encoding="utf-8")
    assert OLD_LABEL in text
    return {"closed_loop.bpmn": text.replace(OLD_LABEL, label, 1).encode()}


@pytest.fixture
def admin_engine(any_engine: Engine) -> Engine:
    """Every process deployed, the organisation loaded, an admin and a clerk."""
    with any_engine.transaction() as service:
        service.deployments.deploy(read_sources([PROCESSES]), at=AT)
        load_organisation(service, ORGANISATION)
        service.staff.save_user("qianjin", "钱进", [], roles=["process_admin"])
        service.staff.save_user("xiaoli", "小李", ["clerks:district"], unit="district")
    return any_engine


def start(engine: Engine, key: str, at: datetime = AT) -> None:
    with engine.transaction() as service:
        service.cases.start("closed_loop", key=key, data=dict(START), actor="xiaoli", at=at)


def deploy_new_label(engine: Engine, note: str = "标题改名") -> int:
    with engine.transaction() as service:
        files, base = closed_loop(NEW_LABEL), {"closed_loop": 1}
        at = AT + timedelta(hours=1)
        result = service.admin.deploy_files(files, note, "qianjin", base, at=at)
    created = {p.process_id: p.version for p in result.processes if p.created}
    assert created == {"closed_loop": 2}
    return created["closed_loop"]


def title_label(engine: Engine, key: str) -> str:
    with engine.transaction() as service:
        task = service.cases.get(key).tasks[0]
    return next(f.label for f in task.form if f.id == "title")


def test_deploy__note_and_admin_are_kept_with_the_new_version_and_logged(admin_engine):
    deploy_new_label(admin_engine, note="把标题改得更清楚")
    with admin_engine.transaction() as service:
        process = service.admin.process("closed_loop")
        actions = service.admin.actions()
    v1, v2 = process.versions
    assert (v1.number, v2.number) == (1, 2)
    assert (v2.note, v2.deployed_by) == ("把标题改得更清楚", "qianjin")
    assert v1.content_hash != v2.content_hash and "closed_loop.bpmn" in v2.files
    assert [(a.kind, a.actor, a.process_id, a.note, a.details["version"]) for a in actions] == [
        ("deployed", "qianjin", "closed_loop", "把标题改得更清楚", 2)
    ]


def test_deploy__unchanged_files_create_no_version_and_no_log_entry(admin_engine):
    with admin_engine.transaction() as service:
        result = service.admin.deploy_files(closed_loop(), "没改什么", "qianjin")
        assert not result.changed
        assert service.admin.actions() == []
        assert (
            service.admin.version_files("closed_loop", 1)["closed_loop.bpmn"]
            == (closed_loop()["closed_loop.bpmn"])
        )


def test_deploy__a_clerk_is_refused(admin_engine):
    with pytest.raises(NotAllowed), admin_engine.transaction() as service:
        service.admin.deploy_files(closed_loop(NEW_LABEL), "x", "xiaoli")


def test_deploy__on_a_stale_base_is_a_conflict(admin_engine):
    deploy_new_label(admin_engine)
    with pytest.raises(Conflict) as raised, admin_engine.transaction() as service:
        service.admin.deploy_files(closed_loop('label="又一个标题"'), "x", "qianjin",
                                   {"closed_loop": 1})  # fmt: skip
    assert raised.value.code == "stale_base"


def test_deploy__a_bad_condition_is_refused_with_file_line_and_element(admin_engine):
    files = closed_loop()
    text = files["closed_loop.bpmn"].decode()
    broken = text.replace('rating in ("satisfied", "basically_satisfied")', "rating in (", 1)
    assert broken != text
    with pytest.raises(DeployRefused) as raised, admin_engine.transaction() as service:
        service.admin.deploy_files({"closed_loop.bpmn": broken.encode()}, "坏条件", "qianjin")
    finding = raised.value.findings[0]
    assert finding.file == "closed_loop.bpmn" and finding.line and finding.line > 1
    assert finding.element and finding.code
    with admin_engine.transaction() as service:
        assert [v.number for v in service.admin.process("closed_loop").versions] == [1]


def test_diff__names_the_changed_form_field_of_the_changed_task(admin_engine):
    deploy_new_label(admin_engine)
    with admin_engine.transaction() as service:
        diff = service.admin.diff("closed_loop", 1, 2)
    changed = {c.element: c for c in diff.changed}
    assert diff.files == ("closed_loop.bpmn",)
    assert not diff.added and not diff.removed
    assert "title" in changed["accept_case"].fields


def test_diff__added_element_and_changed_condition(admin_engine):
    text = closed_loop()["closed_loop.bpmn"].decode()
    changed = text.replace("done_count &gt; 1", "done_count &gt; 2", 1)
    assert changed != text
    with admin_engine.transaction() as service:
        service.admin.deploy_files({"closed_loop.bpmn": changed.encode()}, "条件", "qianjin")
        diff = service.admin.diff("closed_loop", 1, 2)
        back = service.admin.diff("closed_loop", 2, 1)
    by_id = {c.element: c for c in diff.changed}
    assert by_id["gw_compose"].conditions
    flow = by_id["gw_compose"].conditions[0]
    assert "condition" in by_id[flow].attributes
    assert {c.element for c in back.changed} == set(by_id)


def test_migrate__moves_an_old_case_with_one_event_and_replay_and_verify_stay_green(
    admin_engine,
):
    start(admin_engine, "OLD")
    deploy_new_label(admin_engine)
    start(admin_engine, "NEW", AT + timedelta(hours=2))
    assert title_label(admin_engine, "OLD") == "诉求标题"
    assert title_label(admin_engine, "NEW") == "诉求事项标题"
    with admin_engine.transaction() as service:
        plan = service.admin.check_migration("closed_loop", from_version=1)
    assert [(c.key, c.can_move) for c in plan.cases] == [("OLD", True)]
    assert plan.cases[0].changes == ("accept_case",)
    with admin_engine.transaction() as service:
        tasks_before = [t.id for t in service.cases.get("OLD").tasks]
        result = service.admin.migrate("closed_loop", "qianjin", "新标签", keys=["OLD"],
                                       at=AT + timedelta(hours=3))  # fmt: skip
    assert result.moved == ("OLD",)
    assert title_label(admin_engine, "OLD") == "诉求事项标题"
    with admin_engine.transaction() as service:
        case = service.cases.get("OLD")
        history = service.cases.history("OLD")
        assert [t.id for t in case.tasks] == tasks_before
        assert case.process_version == 2
        migrated = [e for e in history if e.kind == "migrated"]
        assert len(migrated) == 1 and migrated[0].actor == "qianjin"
        assert migrated[0].inputs["from_version"] == 1 and migrated[0].inputs["to_version"] == 2
        assert migrated[0].inputs["reason"] == "新标签"
        assert service.chain.verify("OLD") == []
        assert service.chain.replay("OLD").matches_stored
        assert [a.kind for a in service.admin.actions()] == ["migrated", "deployed"]
    _complete_accept(admin_engine, "OLD", AT + timedelta(hours=4))
    with admin_engine.transaction() as service:
        service.staff.save_user("shenyi", "沈怡", [], roles=["auditor"])
    with admin_engine.reading() as service:
        assert service.chain.replay("OLD").matches_stored
        report = service.audit.verify("OLD", "shenyi")
        assert report.findings == ()
        steps = service.audit.replay("OLD", "shenyi").steps
        assert "migrated" in [s.kind for s in steps]


def _complete_accept(engine: Engine, key: str, at: datetime) -> None:
    with engine.transaction() as service:
        task = service.cases.get(key).tasks[0]
        service.tasks.complete(task.id, "xiaoli", {"title": "转学证明", "kind": "coordination",
                                                   "handling_mode": "dispatch"}, at=at)  # fmt: skip


def without_classify_case() -> bytes:
    """closed_loop with its dispatch step cut out: its incoming flow leads to what followed."""
    root = etree.fromstring(closed_loop()["closed_loop.bpmn"])
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    incoming, outgoing = (
        by_id["flow_gw_returned_in_classify_case"],
        by_id["flow_classify_case_decide_level"],
    )
    incoming.set("targetRef", outgoing.get("targetRef"))
    gone = {"classify_case", "flow_classify_case_decide_level", "classify_case_di",
            "flow_classify_case_decide_level_di"}  # fmt: skip
    # the meeting's boundary event on the step goes with it, with its flow
    boundary = ("meeting_decides_classify", "flow_meeting_decides_classify_gw_meeting_in")
    gone |= {*boundary, *(f"{name}_di" for name in boundary)}
    for element in list(root.iter()):
        text = (element.text or "").strip()
        if text == "flow_classify_case_decide_level" and element.tag.endswith("incoming"):
            element.text = incoming.get("id")  # the next node's incoming flow
        elif element.get("id") in gone or text in gone or element.get("bpmnElement") in gone:
            element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_migrate__a_case_whose_waiting_element_is_gone_stays_with_the_reason(admin_engine):
    start(admin_engine, "OLD")
    _complete_accept(admin_engine, "OLD", AT + timedelta(hours=1))  # now waits at 分类交办
    with admin_engine.transaction() as service:
        refused = without_classify_case()
        service.admin.deploy_files({"closed_loop.bpmn": refused}, "删掉", "qianjin")
        assert {e.element for e in service.admin.diff("closed_loop", 1, 2).removed} == {
            "classify_case", "flow_classify_case_decide_level", "meeting_decides_classify",
            "flow_meeting_decides_classify_gw_meeting_in"}  # fmt: skip
        plan = service.admin.check_migration("closed_loop", keys=["OLD"])
        result = service.admin.migrate("closed_loop", "qianjin", "试试", keys=["OLD"])
    assert not plan.cases[0].can_move
    assert "active_element_removed" in plan.cases[0].reason_codes
    assert "classify_case" in plan.cases[0].reasons[0]
    assert result.moved == () and result.stayed[0].key == "OLD"
    with admin_engine.transaction() as service:
        assert service.cases.get("OLD").process_version == 1
        assert "migrated" not in [e.kind for e in service.cases.history("OLD")]
        assert service.admin.actions()[0].kind == "deployed"


def test_migrate__a_renamed_element_is_aligned_by_its_place_in_the_flow(admin_engine):
    start(admin_engine, "OLD")
    _complete_accept(admin_engine, "OLD", AT + timedelta(hours=1))  # now waits at 分类交办
    text = closed_loop()["closed_loop.bpmn"].decode().replace("classify_case", "classify_matter")
    with admin_engine.transaction() as service:
        service.admin.deploy_files({"closed_loop.bpmn": text.encode()}, "改名", "qianjin")
        result = service.admin.migrate("closed_loop", "qianjin", "改名", keys=["OLD"])
    assert result.moved == ("OLD",), [c.reasons for c in result.stayed]
    with admin_engine.transaction() as service:
        assert [t.task_spec for t in service.cases.get("OLD").tasks] == ["classify_matter"]
        assert service.chain.replay("OLD").matches_stored and service.chain.verify("OLD") == []


def _step(engine: Engine, key: str, spec: str, user: str, data: dict, at: datetime) -> None:
    with engine.transaction() as service:
        task = next(t for t in service.cases.get(key).tasks if t.task_spec == spec)
        service.tasks.complete(task.id, user, data, at=at)


def test_migrate__a_case_waiting_in_a_called_process_keeps_its_timer_and_replays(
    admin_engine,
):
    """The case waits inside department_handling (called per department, with a reminder
    timer); the called diagram changes; the case moves, goes on, and still replays."""
    at = datetime(2026, 6, 8, 2, 0, tzinfo=UTC)
    with admin_engine.transaction() as service:
        data = {**START, "tier": "town", "intake_unit": "town_a"}
        service.cases.start("closed_loop", key="DEEP", data=data, actor="wangfang", at=at)
    _step(
        admin_engine,
        "DEEP",
        "accept_case",
        "wangfang",
        {"kind": "coordination", "handling_mode": "dispatch"},
        at + timedelta(minutes=10),
    )
    _step(
        admin_engine,
        "DEEP",
        "classify_case",
        "wangfang",
        {"scope": "one_department", "lead_department": "market"},
        at + timedelta(minutes=20),
    )
    with admin_engine.transaction() as service:
        before = service.cases.get("DEEP")
    path = PROCESSES / "department_handling" / "department_handling.bpmn"
    text = path.read_text(encoding="utf-8")
    changed = text.replace('id="sign_decision" label="', 'id="sign_decision" label="（新）', 1)
    assert changed != text
    with admin_engine.transaction() as service:
        result = service.admin.deploy_files({path.name: changed.encode()}, "签收改名", "qianjin",
                                            at=at + timedelta(minutes=30))  # fmt: skip
        created = {p.process_id for p in result.processes if p.created}
        assert {"closed_loop", "department_handling"} <= created
        plan = service.admin.check_migration("closed_loop", keys=["DEEP"])
        assert plan.cases[0].can_move, plan.cases[0].reasons
        assert "dh_sign" in plan.cases[0].active
        service.admin.migrate("closed_loop", "qianjin", "签收表单改名", keys=["DEEP"],
                              at=at + timedelta(minutes=40))  # fmt: skip
    with admin_engine.transaction() as service:
        moved = service.cases.get("DEEP")
        sign = next(t for t in moved.tasks if t.task_spec == "dh_sign")
        assert next(f.label for f in sign.form if f.id == "sign_decision").startswith("（新）")
        assert moved.next_timer_at == before.next_timer_at  # the reminder keeps its due time
        assert [t.id for t in moved.tasks] == [t.id for t in before.tasks]
        assert [t.due_at for t in moved.tasks] == [t.due_at for t in before.tasks]
    _step(
        admin_engine,
        "DEEP",
        "dh_sign",
        "guoming",
        {"sign_decision": "sign"},
        at + timedelta(hours=1),
    )
    _step(
        admin_engine,
        "DEEP",
        "dh_handle",
        "guoming",
        {"handle_decision": "done", "dept_note": "已开通绿色通道，今天即可办结。"},
        at + timedelta(hours=2),
    )
    with admin_engine.transaction() as service:
        assert [t.task_spec for t in service.cases.get("DEEP").tasks] == ["send_reply"]
        assert service.chain.verify("DEEP") == []
        assert service.chain.replay("DEEP").matches_stored
        service.staff.save_user("shenyi", "沈怡", [], roles=["auditor"])
    with admin_engine.reading() as service:
        assert service.audit.verify("DEEP", "shenyi").findings == ()


def test_diff__a_changed_decision_rule_marks_the_business_rule_task(admin_engine):
    path = PROCESSES / "closed_loop" / "handling_level.dmn"
    text = path.read_text(encoding="utf-8")
    rule = text.index('<rule id="handling_level_rule_one_routine">')
    output = text.index("<outputEntry", rule)
    value = text.index("<text>", output) + len("<text>")
    changed = text[:value] + "3" + text[value + 1 :]
    assert changed != text
    with admin_engine.transaction() as service:
        service.admin.deploy_files({path.name: changed.encode()}, "135 改为 3 天", "qianjin")
        diff = service.admin.diff("closed_loop", 1, 2)
    by_id = {c.element: c for c in diff.changed}
    assert diff.files == ("handling_level.dmn",)
    assert "decision table" in by_id["decide_level"].attributes
    assert by_id["decide_level"].rules == ("handling_level_rule_one_routine",)
