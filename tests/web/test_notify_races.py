"""Several notify workers on PostgreSQL: every message is sent exactly once."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from engine.notifying.channels import SmtpChannel
from engine.notifying.config import Policy
from engine.notifying.delivery import deliver_due
from engine.service import Engine
from tests.smtp_server import SmtpServer
from tests.web.conftest import APPEAL, seed

WORKERS = 6
MESSAGES = 24


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.postgres
def test_racing_workers__send_each_message_exactly_once(pg_engine: Engine, smtp: SmtpServer):
    seed(pg_engine)
    for n in range(MESSAGES):
        contact = {"name": "张三", "phone": "13800138000", "email": f"c{n}@example.cn"}
        with pg_engine.transaction() as service:
            service.cases.start("mini_loop", data={**APPEAL, "contact": contact,
                                                   "notify_by": "email"})  # fmt: skip
    channel = {"email": SmtpChannel("127.0.0.1", smtp.port)}
    policy = Policy(batch=3)  # small batches: the workers interleave many times
    now = datetime.now(UTC) + timedelta(seconds=1)
    start = threading.Barrier(WORKERS)
    sent: list[int] = []
    failures: list[BaseException] = []

    def work() -> None:
        engine = Engine(pg_engine.settings)
        try:
            start.wait()
            sent.append(deliver_due(engine, channel, now, policy).sent)
        except BaseException as error:  # reported below; a thread must not swallow it
            failures.append(error)
        finally:
            engine.close()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sum(sent) == MESSAGES
    addresses = sorted(m["To"] for m in smtp.inbox.messages)
    assert addresses == sorted(f"c{n}@example.cn" for n in range(MESSAGES))
    with pg_engine.transaction() as service:
        assert service.notifications.depth()["sent"] == MESSAGES


@pytest.mark.postgres
def test_racing_uploads__each_recorded_once_and_the_chain_holds(pg_engine: Engine, tmp_path):
    from tests.web.test_attachments_engine import photo

    settings = dataclasses.replace(pg_engine.settings, instance_path=tmp_path)  # files go here
    seed(pg_engine)
    with pg_engine.transaction() as service:
        case = service.cases.start("mini_loop", data=dict(APPEAL), actor="public")
    start = threading.Barrier(WORKERS)
    failures: list[BaseException] = []

    def upload(n: int) -> None:
        engine = Engine(settings)
        try:
            with engine.transaction() as service:
                files = service.attachments.check([(f"p{n}.png", photo((40 + n, 30), "PNG"))])
                start.wait()
                service.attachments.add(case.key, files, "li")
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            engine.close()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with pg_engine.transaction() as service:
        names = sorted(a.name for a in service.attachments.of_case(case.key, "li"))
        seqs = [e.seq for e in service.cases.history(case.key) if e.kind == "attachment_added"]
        assert service.chain.verify(case.key) == []
    assert names == sorted(f"p{n}.jpg" for n in range(WORKERS))  # no transparency: JPEG
    assert len(set(seqs)) == WORKERS
