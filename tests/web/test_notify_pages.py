"""The bell, preferences, the admins' outbox (dead letters) and message templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask.testing import FlaskClient

from engine.deployment import read_sources
from engine.notifying.config import Policy
from engine.notifying.delivery import deliver_due
from engine.service import Engine
from tests.web.conftest import PASSWORD, login, post_form, start_appeal

URGE_LOOP = Path(__file__).parent / "data_notify"


def add_admin(engine: Engine) -> None:
    with engine.transaction() as service:
        service.staff.save_user("root", "系统管理员", [], unit="district", roles=("admin",),
                                password=PASSWORD)  # fmt: skip


def bell(engine: Engine, username: str) -> int:
    with engine.transaction() as service:
        return service.notifications.unread_count(username)


def test_bell__shows_the_unread_count_and_clears(seeded: Engine, client: FlaskClient):
    start_appeal(seeded)
    login(client, "li")
    page = client.get("/inbox").get_data(as_text=True)
    assert 'data-testid="unread">1<' in page
    listing = client.get("/notifications").get_data(as_text=True)
    assert "新待办" in listing and "受理登记" in listing
    response = post_form(client, "/notifications/read", {}, page="/notifications")
    assert response.status_code == 303
    assert 'data-testid="unread"' not in client.get("/inbox").get_data(as_text=True)


def test_urge__raises_the_handlers_count(seeded: Engine):
    with seeded.transaction() as service:
        service.deployments.deploy(read_sources([URGE_LOOP]))
    with seeded.transaction() as service:
        service.cases.start("urge_loop", key="U1", data={"title": "路灯不亮"})
    assert bell(seeded, "wang") == 1  # the new task
    seeded.fire_due_timers(datetime.now(UTC) + timedelta(hours=3))  # the 2-hour reminder
    assert bell(seeded, "wang") == 2
    with seeded.transaction() as service:
        latest = service.notifications.recent("wang")[0]
    assert latest.event == "urge" and latest.subject == "催办：答复群众"


def test_preferences__bad_email_shown_next_to_the_field(seeded: Engine, client: FlaskClient):
    login(client, "wang")
    page = "/notifications/preferences"
    response = post_form(client, page, {"channels": "email", "email": "not-an-address",
                                        "lang": "zh"}, page=page)  # fmt: skip
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)
    response = post_form(client, page, {"channels": "email", "email": "wang@example.gov.cn",
                                        "lang": "en", "quiet_start": "22", "quiet_end": "7"},
                         page=page)  # fmt: skip
    assert response.status_code == 303
    with seeded.transaction() as service:
        prefs = service.notifications.preferences("wang")
    assert prefs.channels == ("email",) and prefs.lang == "en" and prefs.quiet_start == 22


def test_staff_email__waits_out_quiet_hours_unless_urgent(seeded: Engine):
    with seeded.transaction() as service:
        from engine.notifying.facade import Preferences

        service.notifications.save_preferences(
            "li", Preferences(("email",), "li@example.gov.cn", quiet_start=22, quiet_end=7)
        )
    night = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 23:00 in Beijing
    with seeded.transaction() as service:
        service.cases.start("mini_loop", data={"title": "夜里", "intake_unit": "town_a"}, at=night)
    result = deliver_due(seeded, {}, night + timedelta(hours=1), Policy())
    assert result.retried == 0  # not even tried at midnight
    morning = deliver_due(seeded, {}, datetime(2026, 12, 2, 23, 1, tzinfo=UTC), Policy())
    assert morning.retried == 1 and "MASHANGBAN_SMTP_HOST" in morning.errors[0]


def test_outbox__admins_only(seeded: Engine, client: FlaskClient):
    login(client, "li")
    assert client.get("/admin/outbox").status_code == 403
    assert client.get("/admin/notify-templates").status_code == 403


def test_outbox__dead_letter_shown_and_retried(seeded: Engine, client: FlaskClient):
    add_admin(seeded)
    start_appeal(seeded, contact={"name": "张三", "phone": "13800138000",
                                  "email": "z@example.cn"}, notify_by="email")  # fmt: skip
    soon = datetime.now(UTC) + timedelta(seconds=1)
    deliver_due(seeded, {}, soon, Policy(max_attempts=1))  # no SMTP configured: dead at once
    login(client, "root")
    page = client.get("/admin/outbox?status=dead").get_data(as_text=True)
    assert "z@example.cn" in page and "MASHANGBAN_SMTP_HOST" in page
    with seeded.transaction() as service:
        [row] = service.notifications.outbox("root", "dead")
    response = post_form(client, f"/admin/outbox/{row.id}/retry", {}, page="/admin/outbox")
    assert response.status_code == 303
    with seeded.transaction() as service:
        assert [r.status for r in service.notifications.outbox("root")] == ["pending"]


def test_templates__admin_rewords_a_message(seeded: Engine, client: FlaskClient):
    add_admin(seeded)
    login(client, "root")
    page = "/admin/notify-templates"
    bad = post_form(client, page, {"event": "new_task", "lang": "zh", "subject": "新任务 $oops",
                                   "body": "请办理 $task"}, page=page)  # fmt: skip
    assert bad.status_code == 422 and "没有占位符 $oops" in bad.get_data(as_text=True)
    good = post_form(client, page, {"event": "new_task", "lang": "zh", "subject": "请接单：$task",
                                    "body": "案件 $case：$task"}, page=page)  # fmt: skip
    assert good.status_code == 303
    key, _code = start_appeal(seeded)
    with seeded.transaction() as service:
        [notice] = service.notifications.recent("li")
    assert notice.subject == "请接单：受理登记" and notice.body == f"案件 {key}：受理登记"


def test_metrics__outbox_depth_by_status(seeded: Engine, client: FlaskClient):
    from tests.web.test_health import scrape, value

    start_appeal(seeded, notify_by="sms")
    start_appeal(seeded, notify_by="sms")
    series = scrape(client)
    assert value(series["mashangban_outbox_messages"], status="pending") == 2
    assert value(series["mashangban_outbox_messages"], status="dead") == 0


def test_escalation__reaches_the_office_as_urgent(seeded: Engine):
    with seeded.transaction() as service:
        service.deployments.deploy(read_sources([URGE_LOOP]))
    with seeded.transaction() as service:
        service.cases.start("urge_loop", key="U2", data={"title": "路灯不亮"})
    seeded.fire_due_timers(datetime.now(UTC) + timedelta(days=10))  # past the deadline
    with seeded.transaction() as service:
        notices = service.notifications.recent("office")
    assert [(n.event, n.subject) for n in notices] == [("escalation", "案件升级至您：督办审核")]


def test_deadline_sweep__due_soon_then_overdue_once_each(seeded: Engine):
    key, _code = start_appeal(seeded)
    with seeded.transaction() as service:
        [task] = service.cases.get(key).tasks
    assert task.due_at is not None
    policy = Policy(due_soon_hours=4)
    early = deliver_due(seeded, {}, task.due_at - timedelta(hours=6), policy)
    assert early.queued == 0
    soon = deliver_due(seeded, {}, task.due_at - timedelta(hours=1), policy)
    assert soon.queued == 2  # li and sun, in-app (no other channel chosen)
    assert deliver_due(seeded, {}, task.due_at - timedelta(minutes=30), policy).queued == 0
    late = deliver_due(seeded, {}, task.due_at + timedelta(hours=1), policy)
    assert late.queued == 2
    assert deliver_due(seeded, {}, task.due_at + timedelta(hours=2), policy).queued == 0
    with seeded.transaction() as service:
        events = [n.event for n in service.notifications.recent("sun")]
    assert events == ["overdue", "due_soon", "new_task"]
