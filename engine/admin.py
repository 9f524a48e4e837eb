"""The process admins' facade: processes and versions, deploy with a note, diff, migrate.

`Service.admin` returns an `Admin` bound to the service's unit of work. Reads are open to
every caller (the web checks that someone is signed in); deploy and migrate need an
active user with the `process_admin` role, and each is written to the admin action log
(`admin_actions`: who, when, what, why) that `actions()` lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from . import case_migration, version_diff
from . import repository as repo
from . import repository_admin as admin_repo
from .admin_views import (
    AdminActionView,
    Finding,
    MigrationPlan,
    MigrationResult,
    ProcessSummary,
    VersionDiff,
    VersionSummary,
)
from .deployments import Deployments
from .errors import Conflict, InvalidProcess, NotAllowed, NotFound, Problem
from .models import Deployment, ProcessVersion
from .recalculation import PROCESS_ADMIN
from .views import DeployResult
from .work import Work

DEPLOYED, MIGRATED = "deployed", "migrated"
NOTE_LIMIT = 2000
MAX_VERSION = 2**31 - 1  # characters of a deploy note or migration reason


class StaleBase(Conflict):
    """A deploy on top of a version someone else replaced meanwhile (reload and retry)."""

    code = "stale_base"


class DeployRefused(InvalidProcess):
    """A deployment was refused: `findings` say where (file, line, element) and what."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.findings = [finding_of(p) for p in problems]


def finding_of(problem: Problem) -> Finding:
    """A validation problem as the admin API reports it."""
    return Finding(problem.file, problem.line, problem.element_id, problem.kind,
                   problem.message, problem.severity)  # fmt: skip


class Admin:
    """Process versions, deployments, diffs and case migration for process admins."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    # --- reading ----------------------------------------------------------------------------

    def processes(self) -> list[ProcessSummary]:
        """Every deployed process with all its versions (oldest first) and their case counts."""
        counts = admin_repo.case_counts(self.session)
        grouped: dict[str, list[VersionSummary]] = {}
        for version, deployment in admin_repo.versions_with_deployments(self.session):
            grouped.setdefault(version.process_id, []).append(
                _summary(version, deployment, counts.get(version.id, (0, 0)))
            )
        return [ProcessSummary(pid, versions[-1].name, tuple(versions))
                for pid, versions in sorted(grouped.items())]  # fmt: skip

    def process(self, process_id: str) -> ProcessSummary:
        """One process with its versions (NotFound if it was never deployed)."""
        for found in self.processes():
            if found.process_id == process_id:
                return found
        raise NotFound(f"no deployed process '{process_id}'")

    def version_files(self, process_id: str, number: int) -> dict[str, bytes]:
        """The files of one version (its diagram, called diagrams, decisions, forms)."""
        version = self._version(process_id, number)
        return repo.file_contents(self.session, version.files)

    def actions(self, process_id: str | None = None, limit: int = 100) -> list[AdminActionView]:
        """The admin action log, newest first (of one process, or every one)."""
        return [
            AdminActionView(a.id, a.at, a.actor, a.kind, a.process_id, a.note, dict(a.details))
            for a in admin_repo.actions(self.session, process_id, max(1, min(limit, 1000)))
        ]

    def diff(self, process_id: str, a: int, b: int) -> VersionDiff:
        """Elements added, removed and changed from version `a` to version `b`."""
        old, new = self._version(process_id, a), self._version(process_id, b)
        engine = self.work.engine
        runners = (engine.runner(self.session, old), engine.runner(self.session, new))
        files = (repo.file_contents(self.session, old.files),
                 repo.file_contents(self.session, new.files))  # fmt: skip
        return version_diff.diff_versions(old, new, runners, files)

    # --- changing ---------------------------------------------------------------------------

    def deploy_files(
        self,
        files: dict[str, bytes],
        note: str,
        actor: str,
        expected_base: dict[str, int] | None = None,
        at: datetime | None = None,
    ) -> DeployResult:
        """Validate and deploy files as `mashangban deploy` does, keeping `note` with the
        versions it creates. `expected_base` (process id -> the version the admin edited)
        makes a deploy on top of a version someone else replaced meanwhile a Conflict."""
        self._require_admin(actor)
        now = (at or datetime.now(UTC)).astimezone(UTC)
        repo.serialize(self.session, "mashangban:deploy")  # check the base under the lock
        self._check_base(expected_base or {})
        try:
            result = Deployments(self.work).deploy(files, actor, at=now)
        except InvalidProcess as error:
            raise DeployRefused(error.problems) from None
        if result.deployment_id is not None:
            deployment = self.session.get(Deployment, result.deployment_id)
            assert deployment is not None
            deployment.note = _clip(note)
            for process in (p for p in result.processes if p.created):
                admin_repo.add_action(self.session, now, actor, DEPLOYED, process.process_id,
                                      _clip(note), {"version": process.version,
                                                    "files": sorted(files)})  # fmt: skip
        return result

    def check_migration(
        self,
        process_id: str,
        keys: Sequence[str] | None = None,
        from_version: int | None = None,
        to_version: int | None = None,
    ) -> MigrationPlan:
        """Per case: can it move to `to_version` (default: the latest), and what changes.

        Give the cases by `keys`, or every open case of `from_version`. Changes nothing.
        """
        target = self._target(process_id, to_version)
        return case_migration.check(self.work, target, self._keys(process_id, keys,
                                                                  from_version))  # fmt: skip

    def migrate(
        self,
        process_id: str,
        actor: str,
        reason: str,
        keys: Sequence[str] | None = None,
        from_version: int | None = None,
        to_version: int | None = None,
        at: datetime | None = None,
    ) -> MigrationResult:
        """Move the cases that can move to the target version; the others stay, with reasons.

        Each moved case gets one `migrated` event in its history (from, to, who, why).
        """
        self._require_admin(actor)
        target = self._target(process_id, to_version)
        now = (at or datetime.now(UTC)).astimezone(UTC)
        result = case_migration.migrate(
            self.work, target, self._keys(process_id, keys, from_version), actor,
            _clip(reason), now,
        )  # fmt: skip
        if result.moved:
            admin_repo.add_action(self.session, now, actor, MIGRATED, process_id, _clip(reason),
                                  {"to_version": target.version, "cases": list(result.moved),
                                   "stayed": [c.key for c in result.stayed]})  # fmt: skip
        return result

    # --- internals --------------------------------------------------------------------------

    def _require_admin(self, actor: str) -> None:
        user = repo.user(self.session, actor)
        if user is None or not user.active or PROCESS_ADMIN not in (user.roles or []):
            raise NotAllowed(f"only process admins may do this; '{actor}' is not one")

    def _version(self, process_id: str, number: int) -> ProcessVersion:
        version = None
        if 1 <= number <= MAX_VERSION:  # beyond any database integer: no such version
            version = admin_repo.version(self.session, process_id, number)
        if version is None:
            raise NotFound(f"process '{process_id}' has no version {number}")
        return version

    def _target(self, process_id: str, number: int | None) -> ProcessVersion:
        if number is not None:
            return self._version(process_id, number)
        latest = repo.latest_version(self.session, process_id)
        if latest is None:
            raise NotFound(f"no deployed process '{process_id}'")
        return latest

    def _keys(
        self, process_id: str, keys: Sequence[str] | None, from_version: int | None
    ) -> list[str]:
        if keys:
            return list(dict.fromkeys(keys))
        if from_version is None:
            raise NotFound("name the cases to migrate, or the version whose cases move")
        return admin_repo.open_case_keys(self.session, self._version(process_id, from_version).id)

    def _check_base(self, expected: dict[str, int]) -> None:
        for process_id, number in sorted(expected.items()):
            latest = repo.latest_version(self.session, process_id)
            current = latest.version if latest is not None else 0
            if current != number:
                raise StaleBase(f"process '{process_id}' is now at version {current}, not "
                               f"{number}: someone deployed meanwhile; reload, compare and "
                               f"deploy again")  # fmt: skip


def _summary(
    version: ProcessVersion, deployment: Deployment, counts: tuple[int, int]
) -> VersionSummary:
    return VersionSummary(
        process_id=version.process_id, number=version.version, name=version.name,
        deployed_by=deployment.actor, deployed_at=version.created_at,
        content_hash=version.closure_hash, files=tuple(sorted(version.files)),
        note=deployment.note or "", running=counts[0], finished=counts[1],
    )  # fmt: skip


def _clip(text: str) -> str:
    return (text or "").strip()[:NOTE_LIMIT]
