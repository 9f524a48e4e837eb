"""Staff, sign-in and who may see which case."""

import pytest

from engine.deployment import read_sources
from engine.errors import NotFound
from tests.conftest import DATA

FEATURES = DATA / "features"


@pytest.fixture
def org(any_engine):
    with any_engine.transaction() as service:
        service.deployments.deploy(read_sources([FEATURES]))
        service.staff.save_unit("district", "临江区", "district")
        service.staff.save_unit("town_a", "甲镇", "town", "district")
        service.staff.save_unit("town_b", "乙镇", "town", "district")
        service.staff.save_unit("village_a1", "甲一村", "village", "town_a")
        service.staff.save_user("a_clerk", "甲镇窗口", ["clerks:town_a"], unit="town_a",
                                roles=["clerk"], password="correct horse")  # fmt: skip
        service.staff.save_user(
            "b_clerk", "乙镇窗口", ["clerks:town_b"], unit="town_b", roles=["clerk"]
        )
        service.staff.save_user("auditor", "审计员", [], unit="district", roles=["auditor"])
        for key, unit in (("A1", "town_a"), ("A2", "village_a1"), ("B1", "town_b")):
            service.cases.start("spawner", key=key, data={"intake_unit": unit, "title": key})
    return any_engine


def test_authenticate__right_password_only_and_never_for_disabled_accounts(org):
    with org.transaction() as service:
        assert service.staff.authenticate("a_clerk", "correct horse").unit_name == "甲镇"
        assert service.staff.authenticate("a_clerk", "wrong") is None
        assert service.staff.authenticate("nobody", "correct horse") is None
        service.staff.set_active("a_clerk", False)
    with org.transaction() as service:
        assert service.staff.authenticate("a_clerk", "correct horse") is None


def test_case_list__a_town_clerk_sees_their_town_and_its_villages_only(org):
    with org.transaction() as service:
        assert sorted(c.key for c in service.cases.recent("a_clerk")) == ["A1", "A2"]
        assert [c.key for c in service.cases.recent("b_clerk")] == ["B1"]
        assert sorted(c.key for c in service.cases.recent("auditor")) == ["A1", "A2", "B1"]


def test_other_towns_case__is_not_found_for_case_history_and_diagram(org):
    with org.transaction() as service:
        assert service.cases.get("A1", viewer="a_clerk").key == "A1"
        for read in (service.cases.get, service.cases.history, service.cases.diagram):
            with pytest.raises(NotFound):
                read("A1", viewer="b_clerk")


def test_diagram__shows_the_waiting_task_as_active(org):
    with org.transaction() as service:
        diagram = service.cases.diagram("A1", viewer="a_clerk")
    assert diagram.process_id == "spawner" and "<bpmn:process" in diagram.xml
    assert diagram.active == ("decide",)
    assert "start" in diagram.completed


def test_tracking__needs_the_right_code_and_hides_staff_names(org):
    with org.transaction() as service:
        case = service.cases.start("spawner", data={"intake_unit": "town_a", "title": "路灯"},
                                   actor="public", tracking=True)  # fmt: skip
    assert case.tracking_code and len(case.tracking_code) == 8
    with org.transaction() as service:
        public = service.cases.track(case.key, case.tracking_code.lower())
        with pytest.raises(NotFound):
            service.cases.track(case.key, "WRONG123")
    assert public.title == "路灯" and public.stage == ("窗口研判",)
    assert [entry.step for entry in public.timeline] == ["受理"]
