"""Run a case's recorded events on the version each one ran on, across migrations.

A migrated case's events before its `migrated` event ran on the old version, those after
on the new one. `VersionedRunner` is a `Runner` that starts on the version the case
began with and switches to the target at each `migrated` event (`casework.apply_event`
calls `migrate`), moving the workflow with `spec_migration.migrate`. The live migration
goes through the same call, under the same frozen clock and id seed, which is what lets
a replay reproduce the stored state byte for byte.
"""

from __future__ import annotations

from typing import Any

from . import repository_admin as admin_repo
from . import spec_migration
from .errors import NotFound
from .models import Case, ProcessVersion
from .running import Runner
from .work import Work

MIGRATED = admin_repo.MIGRATED


class VersionedRunner(Runner):
    """The runners of several versions of one process; the current one does the work."""

    def __init__(self, runners: dict[int, Runner], first: int) -> None:
        self.runners = runners
        self.version = first
        self._use(runners[first])

    def _use(self, runner: Runner) -> None:
        self.specs = runner.specs
        self.serializer = runner.serializer

    def migrate(self, workflow: Any, inputs: dict[str, Any]) -> Any:
        """Move the workflow to `inputs["to_version"]` and run on that version from now on."""
        target = self.runners.get(int(inputs["to_version"]))
        if target is None:
            raise NotFound(f"version {inputs['to_version']} of the case's process is gone")
        # Through the serializer first, so a workflow kept in memory (a replay) moves
        # exactly as one restored from the stored state (the live migration).
        script_engine = workflow.script_engine
        workflow = self.restore(self.dump(workflow), script_engine)
        moved = spec_migration.migrate(workflow, target)
        self.version = int(inputs["to_version"])
        self._use(target)
        return moved


def case_runner(work: Work, case: Case) -> Runner:
    """The runner that replays this case: its version's, or a `VersionedRunner` if the
    case was migrated (starting on the version it began with)."""
    session, engine = work.session, work.engine
    current = session.get(ProcessVersion, case.process_version_id)
    assert current is not None
    migrations = admin_repo.migration_events(session, case.id)
    if not migrations:
        return engine.runner(session, current)
    numbers = {int(migrations[0].inputs["from_version"])}
    numbers.update(int(event.inputs["to_version"]) for event in migrations)
    runners = {}
    for number in numbers:
        version = admin_repo.version(session, current.process_id, number)
        if version is None:
            raise NotFound(f"version {number} of '{current.process_id}' is gone")
        runners[number] = engine.runner(session, version)
    return VersionedRunner(runners, int(migrations[0].inputs["from_version"]))
