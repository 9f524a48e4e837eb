"""A database for the process admins' tests: the real processes/ and the demo staff.

`qianjin` is the process admin, `wangfang` a clerk of town_a (she sees closed_loop's
first task of a case received there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.database import upgrade
from engine.demo import ORGANISATION, load_organisation
from engine.deployment import read_sources
from engine.service import Engine
from engine.settings import Settings

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
ADMIN, CLERK = "qianjin", "wangfang"
INTAKE = {
    "title": "营业执照变更跑了两趟", "description": "材料要求前后不一致。",
    "kind": "policy_consultation", "tier": "town", "intake_unit": "town_a", "channel": "window",
    "contact": {"name": "测试", "phone": "13800000000"},
}  # fmt: skip


def admin_database(folder: Path, password: str) -> Path:
    """A migrated SQLite file with every process of processes/ deployed and the demo staff."""
    url = f"sqlite:///{folder / 'mashangban.db'}"
    upgrade(url)
    engine = Engine(Settings(database_url=url, instance_path=folder))
    try:
        with engine.transaction() as service:
            service.deployments.deploy(read_sources([PROCESSES]))
            load_organisation(service, ORGANISATION, password=password)
    finally:
        engine.close()
    return folder / "mashangban.db"


def start_intake(engine: Engine, **changes: Any) -> str:
    """Start a closed_loop case received at town_a; return its key."""
    with engine.transaction() as service:
        case = service.cases.start("closed_loop", data={**INTAKE, **changes}, actor=CLERK)
        return case.key


def closed_loop_source(engine: Engine) -> tuple[int, str]:
    """The latest closed_loop version number and its diagram's text."""
    with engine.transaction() as service:
        latest = service.admin.process("closed_loop").latest
        files = service.admin.version_files("closed_loop", latest.number)
        return latest.number, files["closed_loop.bpmn"].decode("utf-8")
