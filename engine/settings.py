"""Engine settings, read from the environment (never from a web framework's config)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the database is, and the knobs operators may turn."""

    database_url: str
    instance_path: Path
    # Due cases a timer worker leases per transaction (MASHANGBAN_TIMER_BATCH): larger
    # batches share one commit; on SQLite a batch holds the write lock while it fires.
    timer_batch: int = 20

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from DATABASE_URL and MASHANGBAN_INSTANCE (default ./instance)."""
        env = os.environ if environ is None else environ
        instance = Path(env.get("MASHANGBAN_INSTANCE", "instance")).resolve()
        default_url = f"sqlite:///{instance / 'mashangban.db'}"
        return cls(
            database_url=env.get("DATABASE_URL", default_url),
            instance_path=instance,
            timer_batch=_positive(env, "MASHANGBAN_TIMER_BATCH", 20),
        )


def _positive(env: dict[str, str] | os._Environ[str], key: str, default: int) -> int:
    """A whole number above zero from the environment, or a clear error naming the key."""
    text = env.get(key, "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{key} must be a whole number above 0, got {text!r}")
    return int(text)
