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

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from DATABASE_URL and MASHANGBAN_INSTANCE (default ./instance)."""
        env = os.environ if environ is None else environ
        instance = Path(env.get("MASHANGBAN_INSTANCE", "instance")).resolve()
        default_url = f"sqlite:///{instance / 'mashangban.db'}"
        return cls(
            database_url=env.get("DATABASE_URL", default_url),
            instance_path=instance,
        )
