"""The hash chain of every case's history: verify it, export its heads, replay a case.

`Service.chain` is this facade, for the CLI, backups and tests. The auditors' role-checked
operations (step-by-step replay, export, search) are `auditing.Auditor` (`Service.audit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import repository as repo
from .audit import replay_case, verify_cases, verify_heads
from .history import AuditFinding
from .views import ReplayResult
from .work import Work


class Chain:
    """Checks of the recorded history in one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def verify(
        self, key: str | None = None, progress: Callable[[str], None] = lambda _message: None
    ) -> list[AuditFinding]:
        """Check every (or one) case's hash chain against its events and checkpoint."""
        return verify_cases(self.session, key, progress)

    def verify_heads(self, exported: dict[str, dict[str, Any]]) -> list[AuditFinding]:
        """Compare every chain with heads exported earlier by `export_checkpoints`."""
        return verify_heads(self.session, exported)

    def export_checkpoints(self) -> dict[str, dict[str, Any]]:
        """The head hash of every case's chain, to keep outside the database."""
        checkpoints = repo.all_checkpoints(self.session)
        return {key: {"seq": seq, "head": head} for key, seq, head in checkpoints}

    def replay(self, key: str, step: int | None = None) -> ReplayResult:
        """Rebuild a case from its recorded inputs up to event `step`."""
        return replay_case(self.work, key, step)
