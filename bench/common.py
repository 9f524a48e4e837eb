"""What every benchmark needs: fresh databases, an engine on them, percentiles, a table."""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from engine.database import normalize_url, upgrade
from engine.deployment import read_sources
from engine.service import Engine
from engine.settings import Settings

DATA = Path(__file__).parent / "data"
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
USER = "bench_user"
PASSWORD = "bench-password-0"


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does (`--quick` shrinks it)."""

    http_requests: int = 1500
    http_clients: int = 8
    submit_samples: int = 200
    cost_samples: int = 40
    inbox_history: int = 1_000_000
    inbox_open: int = 20_000
    inbox_samples: int = 300
    replay_events: int = 200
    timers: int = 10_000
    rates_cases: int = 100_000

    @classmethod
    def quick(cls) -> Sizes:
        """Smaller sizes that finish in a few minutes and print the same keys."""
        return cls(http_requests=500, submit_samples=100, cost_samples=20,
                   inbox_history=100_000, inbox_samples=200, timers=2_000)  # fmt: skip


@contextmanager
def sqlite_url() -> Iterator[str]:
    """A migrated SQLite database in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="msb-bench-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        yield url


@contextmanager
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database made for this run and dropped afterwards."""
    admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    name = f"mashangban_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepared_engine(url: str, *diagrams: str) -> Engine:
    """An engine with the named bench diagrams deployed and the bench user (group `bench`)."""
    engine = Engine(Settings(database_url=url, instance_path=Path(".")))
    with engine.transaction() as service:
        service.deployments.deploy(read_sources([DATA / name for name in diagrams]))
        service.staff.save_user(USER, "基准用户", ["bench"], roles=["clerk"], password=PASSWORD)
    return engine


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the samples lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median(values: list[float]) -> float:
    """The median of the samples."""
    return statistics.median(values)


class Report:
    """Rows of (goal, figure, baseline, ratio, target) printed as a table at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.keys: dict[str, float | None] = {}

    def add(self, goal: str, figure: str, baseline: str, ratio: str, target: str) -> None:
        """Add a printed row."""
        self.rows.append((goal, figure, baseline, ratio, target))
        print(f"  {goal}: {figure} (baseline {baseline}; {ratio}; goal {target})", flush=True)

    def key(self, name: str, value: float | None) -> None:
        """Set one key of the final JSON line."""
        self.keys[name] = None if value is None else round(value, 3)

    def table(self) -> str:
        """The rows as a Markdown table."""
        head = ("goal", "measured", "baseline (same run)", "ratio", "target")
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)
