"""Engine settings, read from the environment (never from a web framework's config)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class ScriptLimits:
    """How much work one evaluation of a diagram script or expression may do.

    The size limits trip identically on every run and replay; the CPU and memory
    limits are a backstop that depends on the machine, so when they trip the action
    is not stored (see engine/README.md, "Script limits").
    """

    lines: int = 200_000  # MASHANGBAN_SCRIPT_MAX_LINES
    int_bits: int = 10_000  # MASHANGBAN_SCRIPT_MAX_INT_BITS
    items: int = 1_000_000  # MASHANGBAN_SCRIPT_MAX_ITEMS (characters or elements)
    cpu_seconds: float = 5.0  # MASHANGBAN_SCRIPT_MAX_CPU_SECONDS
    memory_mb: int = 256  # MASHANGBAN_SCRIPT_MAX_MEMORY_MB (growth of the process peak)

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str]) -> ScriptLimits:
        """Read MASHANGBAN_SCRIPT_MAX_* variables; unset ones keep their defaults."""
        values: dict[str, float | int] = {}
        for item in fields(cls):
            name = f"MASHANGBAN_SCRIPT_MAX_{item.name.upper()}"
            raw = environ.get(name)
            if raw is None or not raw.strip():
                continue
            kind = float if item.type in (float, "float") else int
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(f"{name}={raw!r} is not a number") from None
            if value <= 0:
                raise ValueError(f"{name}={raw!r} must be greater than 0")
            values[item.name] = value
        # each value was converted to its field's declared type above
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Settings:
    """Where the database is, and the knobs operators may turn."""

    database_url: str
    instance_path: Path
    script_limits: ScriptLimits = field(default_factory=ScriptLimits)
    # Due cases a timer worker leases per transaction (MASHANGBAN_TIMER_BATCH): larger
    # batches share one commit; on SQLite a batch holds the write lock while it fires.
    timer_batch: int = 20
    # Personal data of a closed case is erased by `privacy purge` this many days after the
    # case closed (MASHANGBAN_PERSONAL_DATA_RETENTION_DAYS; three years by default).
    personal_retention_days: int = 1095

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from DATABASE_URL, MASHANGBAN_INSTANCE and MASHANGBAN_SCRIPT_MAX_*."""
        env = os.environ if environ is None else environ
        instance = Path(env.get("MASHANGBAN_INSTANCE", "instance")).resolve()
        default_url = f"sqlite:///{instance / 'mashangban.db'}"
        return cls(
            database_url=env.get("DATABASE_URL", default_url),
            instance_path=instance,
            script_limits=ScriptLimits.from_env(env),
            timer_batch=_positive(env, "MASHANGBAN_TIMER_BATCH", 20),
            personal_retention_days=_positive(env, "MASHANGBAN_PERSONAL_DATA_RETENTION_DAYS", 1095),
        )


def _positive(env: dict[str, str] | os._Environ[str], key: str, default: int) -> int:
    """A whole number above zero from the environment, or a clear error naming the key."""
    text = env.get(key, "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{key} must be a whole number above 0, got {text!r}")
    return int(text)
