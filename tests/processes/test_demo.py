"""The demo organisation and demo cases (engine/demo.py) against the real diagrams."""

from __future__ import annotations

import json
from datetime import datetime

from engine.calendar import SHANGHAI
from engine.demo import ORGANISATION, demo_cases, load_organisation
from engine.deployment import read_sources
from engine.service import Engine
from tests.processes.test_scenarios import PROCESSES

MONDAY = datetime(2026, 6, 8, 9, 0, tzinfo=SHANGHAI)


def _seed(engine: Engine) -> list[str]:
    with engine.transaction() as service:
        service.deployments.deploy(read_sources([PROCESSES]), at=MONDAY)
        assert load_organisation(service, ORGANISATION) == 36
        return demo_cases(service, at=MONDAY)


def test_organisation__every_user_has_a_known_unit_roles_and_groups() -> None:
    org = json.loads(ORGANISATION.read_text(encoding="utf-8"))
    units = {u["code"]: u for u in org["units"]}
    kinds = {u["kind"] for u in units.values()}
    assert {"district", "town", "village", "department", "office"} <= kinds
    assert sum(u["kind"] == "town" for u in units.values()) == 3
    assert sum(u["kind"] == "village" for u in units.values()) == 6
    assert sum(u["kind"] == "department" for u in units.values()) == 8
    for unit in units.values():
        assert unit["parent"] is None or unit["parent"] in units
    usernames = [u["username"] for u in org["users"]]
    assert len(usernames) == len(set(usernames))
    for user in org["users"]:
        assert user["username"].isascii() and user["unit"] in units and user["roles"]
        assert user["groups"]
    chiefs = {u["chief"] for u in units.values() if u["kind"] == "department"}
    assert chiefs <= set(usernames)
    clerk_units = {
        g.split(":")[1] for u in org["users"] for g in u["groups"] if g.startswith("clerks:")
    }
    assert clerk_units == {
        c for c, u in units.items() if u["kind"] in ("district", "town", "village")
    }


def test_demo_cases__reach_their_demo_states_and_run_only_once(engine: Engine) -> None:
    keys = _seed(engine)
    assert keys == [f"LJ-DEMO-00{n}" for n in range(1, 7)]
    with engine.transaction() as service:
        state = {k: sorted(t.task_spec for t in service.cases.get(k).tasks) for k in keys}
        statuses = {k: service.cases.get(k).status for k in keys}
        supervision = service.cases.get("LJ-DEMO-006-1")
        town_b_inbox = [t.case_key for t in service.tasks.inbox("liuyang")]
        town_a_inbox = [t.case_key for t in service.tasks.inbox("wangfang")]
        assert demo_cases(service, at=MONDAY) == []
    assert state == {
        "LJ-DEMO-001": ["accept_case"],
        "LJ-DEMO-002": ["dh_handle", "dh_sign", "dh_sign"],
        "LJ-DEMO-003": ["callback_rating"],
        "LJ-DEMO-004": ["classify_case"],
        "LJ-DEMO-005": [],
        "LJ-DEMO-006": [],
    }
    assert statuses["LJ-DEMO-005"] == statuses["LJ-DEMO-006"] == "completed"
    assert [t.task_spec for t in supervision.tasks] == ["ds_three_checks"]
    assert town_b_inbox == ["LJ-DEMO-001"] and "LJ-DEMO-001" not in town_a_inbox
