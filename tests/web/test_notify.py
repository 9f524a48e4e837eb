"""Notifications through the outbox: e-mail over a real local SMTP server, the in-app bell."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.deployment import read_sources
from engine.notifying.channels import SmtpChannel
from engine.notifying.config import Policy
from engine.notifying.delivery import deliver_due
from engine.service import Engine
from tests.smtp_server import SmtpServer
from tests.web.conftest import HANDLE, REGISTER, open_task, start_appeal

CITIZEN = "zhangsan@example.cn"
EMAIL_CONTACT = {
    "contact": {"name": "张三", "phone": "13800138000", "email": CITIZEN},
    "notify_by": "email",
}
SUPERVISION = Path(__file__).parents[2] / "processes" / "discipline_supervision"
POLICY = Policy(backoff_seconds=30, max_attempts=3)


def now() -> datetime:
    """Citizens' messages are due when written: deliver as of now."""
    return datetime.now(UTC) + timedelta(seconds=1)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def channels(server: SmtpServer) -> dict:
    return {"email": SmtpChannel("127.0.0.1", server.port, sender="msb@example.gov.cn")}


def bell(engine: Engine, username: str) -> int:
    with engine.transaction() as service:
        return service.notifications.unread_count(username)


def test_citizen_by_email__gets_the_receipt_and_the_reply(seeded: Engine, smtp: SmtpServer):
    key, _code = start_appeal(seeded, **EMAIL_CONTACT)
    deliver_due(seeded, channels(smtp), now(), POLICY)
    [receipt] = smtp.inbox.to(CITIZEN)
    assert "已受理" in receipt["Subject"] and key in receipt.get_content()
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", REGISTER)
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "wang", HANDLE)
    deliver_due(seeded, channels(smtp), now(), POLICY)
    receipt, reply = smtp.inbox.to(CITIZEN)
    assert "请评价" in reply["Subject"]
    assert HANDLE["public_reply"] in reply.get_content()
    with seeded.transaction() as service:
        service.cases.deliver_message(
            key, "citizen_rating", {"rating": "satisfied"}, actor="public"
        )
    deliver_due(seeded, channels(smtp), now(), POLICY)
    assert "已办结" in smtp.inbox.to(CITIZEN)[-1]["Subject"]
    assert len(smtp.inbox.to(CITIZEN)) == 3


def test_smtp_down__retried_and_delivered_once_when_it_returns(seeded: Engine, smtp: SmtpServer):
    smtp.stop()
    start_appeal(seeded, **EMAIL_CONTACT)
    first = deliver_due(seeded, channels(smtp), now(), POLICY)
    assert (first.sent, first.retried) == (0, 1), first.errors
    assert "Connection" in first.errors[0] or "refused" in first.errors[0].lower()
    too_soon = deliver_due(seeded, channels(smtp), now() + timedelta(seconds=10), POLICY)
    assert (too_soon.sent, too_soon.retried) == (0, 0)  # waits out its backoff
    smtp.start()
    later = deliver_due(seeded, channels(smtp), now() + timedelta(seconds=31), POLICY)
    assert later.sent == 1
    again = deliver_due(seeded, channels(smtp), now() + timedelta(hours=2), POLICY)
    assert again.sent == 0
    assert len(smtp.inbox.to(CITIZEN)) == 1


def test_rolled_back_action__sends_nothing(seeded: Engine, smtp: SmtpServer):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), seeded.transaction() as service:
        service.cases.start("mini_loop", data={**_appeal(), **EMAIL_CONTACT}, actor="public")
        raise Boom
    result = deliver_due(seeded, channels(smtp), now(), POLICY)
    assert result.sent == 0 and smtp.inbox.messages == []
    assert bell(seeded, "li") == 0


def test_handler_bell__rises_on_a_new_assignment(seeded: Engine):
    assert bell(seeded, "wang") == 0
    key, _code = start_appeal(seeded)
    assert (bell(seeded, "li"), bell(seeded, "sun")) == (1, 1)  # register: clerks of town_a
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", REGISTER)
    assert bell(seeded, "wang") == 1
    assert bell(seeded, "chen") == 0
    with seeded.transaction() as service:
        [notice] = service.notifications.recent("wang")
        assert notice.event == "new_task" and key in notice.body
        assert service.notifications.mark_read("wang") == 1
    assert bell(seeded, "wang") == 0


def _appeal() -> dict:
    from tests.web.conftest import APPEAL

    return dict(APPEAL)


def test_public_form__chosen_email_gets_the_receipt(seeded: Engine, client, smtp: SmtpServer):
    from tests.web.test_public import _submit

    missing = _submit(client, notify_by="email")
    assert missing.status_code == 422
    assert 'id="contact-email-error"' in missing.get_data(as_text=True)
    response = _submit(client, notify_by="email", **{"contact.email": "li.si@example.cn"})
    assert response.status_code == 200
    deliver_due(seeded, channels(smtp), now(), POLICY)
    [receipt] = smtp.inbox.to("li.si@example.cn")
    assert receipt["Subject"] == "【马上办】您反映的事项已受理"


def test_public_form__sms_needs_a_mobile_number(client):
    from tests.web.test_public import _submit

    response = _submit(client, notify_by="sms", **{"contact.phone": "0571-82345678"})
    assert response.status_code == 422
    assert 'id="notify_by-error"' in response.get_data(as_text=True)


def test_callback__the_citizen_hears_the_phone_rating_was_recorded(
    seeded: Engine, smtp: SmtpServer
):
    from tests.web.test_notify_pages import URGE_LOOP

    with seeded.transaction() as service:
        service.deployments.deploy(read_sources([URGE_LOOP]))
    with seeded.transaction() as service:
        service.cases.start("callback_loop", key="CB1", data={"title": "路灯不亮", **EMAIL_CONTACT})
    deliver_due(seeded, channels(smtp), now(), POLICY)
    asked = ["【马上办】您反映的事项已受理", "【马上办】您反映的事项已答复，请评价"]
    assert [m["Subject"] for m in smtp.inbox.to(CITIZEN)] == asked
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, "CB1"), "li", {"rating": "satisfied"})
    deliver_due(seeded, channels(smtp), now(), POLICY)
    subjects = [m["Subject"] for m in smtp.inbox.to(CITIZEN)]
    assert subjects[2:] == ["【马上办】您反映的事项已回访", "【马上办】您反映的事项已办结"]
    assert "CB1" in smtp.inbox.to(CITIZEN)[2].get_content()


def test_online_rating__is_no_callback(seeded: Engine, smtp: SmtpServer):
    key, _code = start_appeal(seeded, **EMAIL_CONTACT)
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", REGISTER)
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "wang", HANDLE)
    with seeded.transaction() as service:
        service.cases.deliver_message(
            key, "citizen_rating", {"rating": "satisfied"}, actor="public"
        )
    deliver_due(seeded, channels(smtp), now(), POLICY)
    assert not any("回访" in m["Subject"] for m in smtp.inbox.to(CITIZEN))


def test_supervision_opened__the_discipline_office_hears_it_first(seeded: Engine):
    with seeded.transaction() as service:
        service.deployments.deploy(read_sources([SUPERVISION]))
        service.staff.save_user("xie", "谢文", ["discipline"], unit="district", password="x" * 12)
    with seeded.transaction() as service:
        payload = {"source_case": "DS1", "reason": "举报", "title": "窗口吃拿卡要"}
        service.cases.start(
            "discipline_supervision",
            key="DS1",
            data={"source_case": "DS1"},
            message={"message": "start_supervision", "payload": payload},
        )
    assert bell(seeded, "xie") == 1
    with seeded.transaction() as service:
        [notice] = service.notifications.recent("xie")
    assert notice.event == "supervision" and notice.subject == "督办立案：窗口吃拿卡要"
    assert "三查" in notice.body and bell(seeded, "wang") == 0
