"""Whom a new task notifies follows every change to the staff, however it is made.

The workers keep the staff in memory (`engine/notifying/directory.py`) and re-read it
when the `staff_revision` number moved; database triggers move it. These tests change the
staff from a second engine (another worker) and in plain SQL, then check the next
action's outbox on both databases.
"""

from __future__ import annotations

from sqlalchemy import select, text

from engine.notifying.tables import OutboxMessage
from engine.service import Engine
from engine.settings import Settings
from tests.conftest import deploy_valid

REGISTRATION = {"title": "小区路灯不亮", "kind": "coordination", "people": "3",
                "urgent": "false", "contact_phone": "13812345678"}  # fmt: skip


def _told(engine: Engine, key: str) -> set[str]:
    """Staff with an in-app message about the case."""
    with engine.transaction() as service:
        query = select(OutboxMessage.recipient).where(
            OutboxMessage.case_key == key, OutboxMessage.channel == "inapp"
        )
        return {name for name in service.session.scalars(query) if name}


def _other_worker(engine: Engine) -> Engine:
    return Engine(
        Settings(
            database_url=engine.settings.database_url, instance_path=engine.settings.instance_path
        )
    )


def test_a_new_task__notifies_staff_added_or_disabled_by_another_worker(any_engine: Engine) -> None:
    deploy_valid(any_engine)
    with any_engine.transaction() as service:  # li and zhao are town A's clerks
        service.cases.start("two_step", key="D1")
    assert _told(any_engine, "D1") == {"li", "zhao"}
    other = _other_worker(any_engine)
    with other.transaction() as service:
        service.staff.save_user("sun", "孙丽", ["town_a_clerks"])
    other.close()
    with any_engine.transaction() as service:
        service.cases.start("two_step", key="D2")
    assert _told(any_engine, "D2") == {"li", "zhao", "sun"}
    with any_engine.sql.begin() as connection:  # not through the engine at all
        connection.execute(text("UPDATE users SET active = false WHERE username = 'li'"))
    with any_engine.transaction() as service:
        service.cases.start("two_step", key="D3")
    assert _told(any_engine, "D3") == {"zhao", "sun"}


def test_completing_a_task__notifies_the_next_group_as_it_is_now(any_engine: Engine) -> None:
    deploy_valid(any_engine)
    with any_engine.transaction() as service:  # wang is the housing department's handler
        first = service.cases.start("two_step", key="D1").tasks[0].id
        second = service.cases.start("two_step", key="D2").tasks[0].id
        service.tasks.complete(first, "li", REGISTRATION)
    assert _told(any_engine, "D1") == {"li", "zhao", "wang"}
    with any_engine.sql.begin() as connection:
        connection.execute(text("DELETE FROM users WHERE username = 'wang'"))
    other = _other_worker(any_engine)
    with other.transaction() as service:
        service.staff.save_user("qian", "钱敏", ["dept_housing"])
    other.close()
    with any_engine.transaction() as service:
        service.tasks.complete(second, "li", REGISTRATION)
    assert _told(any_engine, "D2") == {"li", "zhao", "qian"}
