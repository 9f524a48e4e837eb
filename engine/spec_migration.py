"""Move a workflow onto the specs of another version of its process (SpiffWorkflow side).

Built on SpiffWorkflow's `diff_workflow` and `migrate_workflow`: every task is re-pointed
at the aligned spec of the target version, in the case's own process and in every
process it called. Only READY tasks are reset and re-predicted (their branch is built
again from the new diagram); WAITING tasks keep their state, so a timer that is already
counting keeps its due time instead of starting again at the migration.

A task whose element the target no longer has cannot be re-pointed: `blockers` names
those, and `migrate` refuses such a workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .errors import Conflict
from .running import Runner, advance

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
PASSED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR


@dataclass(frozen=True)
class Blocker:
    """Why a workflow cannot move: a stable code and the element (or called process)."""

    code: str
    element: str
    process: str


class MigrationRefused(Conflict):
    """The case cannot move to the target version (see `blockers`)."""

    code = "migration_refused"

    def __init__(self, blockers: list[Blocker]) -> None:
        self.blockers = blockers
        super().__init__("; ".join(f"{b.code}: {b.element}" for b in blockers))


def _target_specs(target: Runner) -> dict[str, Any]:
    return {target.specs.process_id: target.specs.spec, **target.specs.subprocess_specs}


def blockers(workflow: BpmnWorkflow, target: Runner) -> list[Blocker]:
    """What keeps this workflow from moving onto the target's specs (empty: it can move)."""
    found: list[Blocker] = []
    specs = _target_specs(target)
    for sub in workflow.subprocesses.values():
        if sub.spec.name not in specs:
            found.append(Blocker("called_process_removed", sub.spec.name, sub.spec.name))
    if found:
        return found
    top, subs = _diffs(workflow, target)
    for diff in (top, *subs.values()):
        for task in diff.removed if diff is not None else ():
            found.append(_blocker(task))
    return _unique(found)


def _diffs(workflow: BpmnWorkflow, target: Runner) -> tuple[Any, dict[str, Any]]:
    """SpiffWorkflow's diffs of the workflow and its called processes against the target."""
    registry = target.serializer.registry
    new_subs = target.specs.subprocess_specs
    top, subs = diff_workflow(registry, workflow, target.specs.spec, new_subs)
    _align_hidden(top, target.specs.spec)
    for sub_id, sub in workflow.subprocesses.items():
        if subs.get(sub_id) is not None and sub.spec.name in new_subs:
            _align_hidden(subs[sub_id], new_subs[sub.spec.name])
    return top, subs


SPLIT, JOIN = ".BoundaryEventSplit", ".BoundaryEventJoin"  # SpiffWorkflow's hidden tasks


def _align_hidden(diff: Any, new_spec: Any) -> None:
    """Align an activity with boundary events that a new version renamed. SpiffWorkflow
    wraps such an activity in a hidden split and join named after it, and SpecDiff, which
    aligns a renamed step by its place in the flow, then reports all three as removed. Take
    the one new split that follows what the old split followed, and align the three."""
    removed = {t.task_spec.name for t in diff.removed}
    specs = {t.task_spec.name: s for t, s in diff.alignment.items()}
    taken = {s.name for s in specs.values()}
    for old in sorted(n for n in removed if n.endswith(SPLIT)):
        host = old[: -len(SPLIT)]
        before = next(t.task_spec for t in diff.removed if t.task_spec.name == old).inputs
        after = {o.name for p in before if p.name in specs for o in specs[p.name].outputs}
        found = [n for n in after if n.endswith(SPLIT) and n not in taken]
        if len(found) != 1:
            continue
        new_host = found[0][: -len(SPLIT)]
        for suffix in ("", SPLIT, JOIN):
            for task in [t for t in diff.removed if t.task_spec.name == host + suffix]:
                diff.removed.remove(task)
                diff.alignment[task] = new_spec.task_specs[new_host + suffix]


def _blocker(task: Any) -> Blocker:
    element = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
    process = task.workflow.spec.name
    if task.has_state(ACTIVE):
        return Blocker("active_element_removed", element, process)
    if task.has_state(PASSED):
        return Blocker("passed_element_removed", element, process)
    return Blocker("planned_element_removed", element, process)


def _unique(found: list[Blocker]) -> list[Blocker]:
    return list(dict.fromkeys(found))


def migrate(workflow: BpmnWorkflow, target: Runner) -> BpmnWorkflow:
    """Re-point the workflow (and its called processes) at the target's specs, in place."""
    refused = blockers(workflow, target)
    if refused:
        raise MigrationRefused(refused)
    new_subs = target.specs.subprocess_specs
    top, subs = _diffs(workflow, target)
    migrate_workflow(top, workflow, target.specs.spec, reset_mask=TaskState.READY)
    for sub_id, sub in workflow.subprocesses.items():
        diff = subs[sub_id]
        assert diff is not None  # `blockers` refused a called process the target lacks
        migrate_workflow(diff, sub, new_subs[sub.spec.name], reset_mask=TaskState.READY)
    workflow.subprocess_specs = new_subs
    advance(workflow)  # what the new diagram makes ready at once runs now, as after any event
    return workflow


def active_elements(workflow: BpmnWorkflow) -> list[str]:
    """Element ids that are ready, waiting or running now (every process of the case)."""
    found = [getattr(t.task_spec, "bpmn_id", None) for t in workflow.get_tasks(state=ACTIVE)]
    return list(dict.fromkeys(f for f in found if f))
