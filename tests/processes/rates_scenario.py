"""Ten intake cases with known 三率, driven through the real diagrams across Mid-Autumn 2026.

Used by the engine and web tests of the reports. At `NOW` (Mon 12 Oct 2026 12:00):
- received 10; first response on time 9 (C02 answered after its 24 hours, which the
  Mid-Autumn holiday stretched to Mon 28 Sep 16:00; C01 made it at 15:00 thanks to it);
- replied 8 (C01-C08), 7 by their deadline (C02 replied late), C09 overdue (due 8 Oct,
  after National Day), C10 still within its deadline: 按时办结 7 / 9;
- rated 8: satisfied 5 + basically satisfied 1, unsatisfied 2: 满意 6 / 8.
Units: district C01 C02 C07 C09, town_a C03 C04 C08, village_a1 C05 C06 C10.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from engine.database import upgrade
from engine.demo import ORGANISATION, load_organisation
from engine.deployment import read_sources
from engine.service import Engine
from engine.settings import Settings

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
NOW = datetime.fromisoformat("2026-10-12T12:00:00+08:00")
CLERK = {"district": "zhangwei", "town_a": "wangfang", "village_a1": "zhaolei"}
TIER = {"district": "district", "town_a": "town", "village_a1": "village"}

# key, unit, received, accepted, replied (None: dispatched), rating
ON_THE_SPOT = [
    ("C01", "district", "09-24T16:00", "09-28T15:00", "09-28T15:10", "satisfied"),
    ("C02", "district", "09-24T16:00", "09-28T17:00", "09-28T17:10", "satisfied"),
    ("C03", "town_a", "09-29T09:00", "09-29T09:30", "09-29T10:00", "basically_satisfied"),
    ("C04", "town_a", "09-29T10:00", "09-29T10:30", "09-29T11:00", "unsatisfied"),
    ("C05", "village_a1", "10-09T09:00", "10-09T09:30", "10-09T10:00", "satisfied"),
    ("C06", "village_a1", "10-09T10:00", "10-09T10:30", "10-09T11:00", "unsatisfied"),
    ("C08", "town_a", "10-09T14:00", "10-09T14:30", "10-09T15:00", "satisfied"),
]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-{text}:00+08:00")


class Driver:
    """Acts on the real diagrams, one transaction per action, at given times."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def do(self, action: Any) -> Any:
        with self.engine.transaction() as service:
            return action(service)

    def start(self, key: str, unit: str, at: str, kind: str = "policy_consultation") -> None:
        data = {"title": f"诉求 {key}", "description": "测试诉求", "kind": kind,
                "tier": TIER[unit], "intake_unit": unit, "channel": "window",
                "contact": {"name": "测试", "phone": "13800000000"}}  # fmt: skip
        self.do(lambda s: s.cases.start("closed_loop", key=key, data=data, actor=CLERK[unit],
                                        at=_at(at)))  # fmt: skip

    def complete(self, key: str, spec: str, user: str, at: str, data: dict[str, Any]) -> None:
        def act(service: Any) -> None:
            task = next(t for t in service.tasks.inbox(user)
                         if t.case_key == key and t.task_spec == spec)  # fmt: skip
            service.tasks.complete(task.id, user, data, at=_at(at))

        self.do(act)

    def rate(self, key: str, rating: str, at: str) -> None:
        self.do(
            lambda s: s.cases.deliver_message(
                key, "citizen_rating", {"rating": rating, "comment": ""}, at=_at(at)
            )
        )

    def on_the_spot(self, key: str, unit: str, received: str, accepted: str, replied: str,
                    rating: str) -> None:  # fmt: skip
        clerk = CLERK[unit]
        self.start(key, unit, received)
        self.complete(
            key,
            "accept_case",
            clerk,
            accepted,
            {"kind": "policy_consultation", "handling_mode": "on_the_spot"},
        )
        answer = {"public_reply": "已当场答复。", "outcome": "resolved"}
        self.complete(key, "reply_on_spot", clerk, replied, answer)
        self.complete(
            key,
            "send_reply",
            clerk,
            replied,
            {"public_reply": "已当场答复。", "reply_channel": "window"},
        )
        self.rate(key, rating, replied)

    def dispatched(
        self, key: str, unit: str, received: str, accepted: str, classified: str
    ) -> None:
        clerk = CLERK[unit]
        self.start(key, unit, received, kind="special_handling")
        self.complete(
            key,
            "accept_case",
            clerk,
            accepted,
            {"kind": "special_handling", "handling_mode": "dispatch"},
        )
        self.complete(
            key,
            "classify_case",
            clerk,
            classified,
            {"scope": "one_department", "lead_department": "market"},
        )


def drive(engine: Engine) -> None:
    """Deploy the diagrams and the organisation, then run the ten cases."""
    with engine.transaction() as service:
        service.deployments.deploy(read_sources([PROCESSES]), at=_at("09-01T08:00"))
        load_organisation(service, ORGANISATION)
    driver = Driver(engine)
    for case in ON_THE_SPOT:
        driver.on_the_spot(*case)
    driver.dispatched("C07", "district", "09-29T09:00", "09-29T09:10", "09-29T09:20")
    driver.complete("C07", "dh_sign", "guoming", "09-29T10:00", {"sign_decision": "sign"})
    driver.complete(
        "C07",
        "dh_handle",
        "guoming",
        "09-30T10:00",
        {"handle_decision": "done", "dept_note": "已办结，材料已寄出。"},
    )
    driver.complete(
        "C07",
        "send_reply",
        "zhangwei",
        "09-30T11:00",
        {"public_reply": "已办结，材料已寄出。", "reply_channel": "sms"},
    )
    driver.rate("C07", "satisfied", "09-30T12:00")
    driver.dispatched("C09", "district", "09-30T09:00", "09-30T09:10", "09-30T09:20")
    driver.dispatched("C10", "village_a1", "10-12T09:00", "10-12T09:30", "10-12T10:00")


def driven_database(folder: Path, password: str) -> Path:
    """A SQLite file in `folder` holding the ten cases, demo staff signing in with `password`."""
    url = f"sqlite:///{folder / 'mashangban.db'}"
    upgrade(url)
    engine = Engine(Settings(database_url=url, instance_path=folder))
    try:
        drive(engine)
        with engine.transaction() as service:
            load_organisation(service, ORGANISATION, password=password)
    finally:
        engine.close()
    return folder / "mashangban.db"
