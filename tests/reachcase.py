"""Shared by the reach tests (issue 14): the real diagrams and the demo organisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.demo import load_organisation
from engine.deployment import read_sources
from engine.service import Engine

PROCESSES = Path(__file__).resolve().parents[1] / "processes"
MARKET_STAFF = ("guoming", "zhuhong")  # every account of 区市场监管局 in organisation.json


def set_up(engine: Engine, password: str | None = None) -> None:
    """Deploy processes/ and load the demo organisation (passwords only when given)."""
    with engine.transaction() as service:
        service.deployments.deploy(read_sources([PROCESSES]))
        load_organisation(service, password=password)


def appeal(title: str, description: str, place: str = "village_a1", **extra: Any) -> dict:
    """Intake data of a town_a matter at a village (processes/CONTRACT.md keys)."""
    return {
        "title": title, "description": description, "kind": "coordination", "tier": "town",
        "intake_unit": "town_a", "channel": "online", "place_unit": place,
        "address": "滨江路 12 号", "contact": {"name": "张三", "phone": "13800138000"}, **extra,
    }  # fmt: skip


STREETLIGHT = (
    "滨江路路灯坏了一个月没人修",
    "滨江路12号门口的路灯坏了一个月，晚上很黑，老人孩子出行不安全。",
)
STREETLIGHT_AGAIN = (
    "滨江路路灯坏了很久",
    "滨江路12号附近路灯坏了一个月了，晚上出行不安全，希望尽快修。",
)
UNRELATED = ("孩子入学证明办不下来", "孩子入学需要居住证明，社区和派出所互相推诿，跑了三趟。")
