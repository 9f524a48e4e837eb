"""Deployments: validate and store process files, and schedule timer-started processes.

`Service.deployments` is this facade; the process admins' deploy with a note and a base
version is `admin.Admin.deploy_files`, which calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import deployment, scheduling
from . import repository as repo
from .acting import SYSTEM
from .views import DeployResult
from .work import Work


class Deployments:
    """Deploying process files and listing the deployed versions in one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def deploy(
        self,
        files: dict[str, bytes],
        actor: str = SYSTEM,
        progress: Callable[[str], None] = lambda _message: None,
        at: datetime | None = None,
    ) -> DeployResult:
        """Validate and deploy files; unchanged processes keep their version."""
        now = (at or datetime.now(UTC)).astimezone(UTC)
        result = deployment.deploy(self.session, files, actor, now, progress)
        for process in result.processes:
            version = repo.latest_version(self.session, process.process_id)
            if process.created and version is not None and version.start_timer:
                scheduling.schedule(self.session, version, self.work.calendar(), after=now)
        return result

    def versions(self) -> list[dict[str, Any]]:
        """Every deployed process version."""
        return [
            {"process_id": v.process_id, "version": v.version, "name": v.name,
             "created_at": v.created_at, "files": sorted(v.files)}
            for v in repo.process_versions(self.session)
        ]  # fmt: skip
