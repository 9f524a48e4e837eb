"""Check and move running cases to another version of their process.

A check tries the migration on a copy of each case's workflow (restored from its stored
state, nothing written) and says per case whether it can move and why not: the case is
finished or broken, an element it waits at (or passed, or has planned) is gone from the
target, a called process is gone, or a task the case would wait at needs data the case
does not have. A migration locks each case first (`repository.lock_case`), runs the same
trial, and for the cases that pass stores the moved workflow, rebuilds its inbox rows
(claims and due dates kept) and records ONE `migrated` event (from, to, who, why) in the
case's hash chain. The move itself goes through `casework.apply_event` with a
`VersionedRunner`, the path a replay takes, so the replay reproduces the stored state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import determinism, version_diff
from . import repository as repo
from .acting import claim_case_row
from .admin_views import CaseMigration, MigrationPlan, MigrationResult, VersionDiff
from .casework import MIGRATED, Outcome, apply_event, make_script_engine
from .errors import EngineError
from .history import from_json_value, to_json_value
from .inbox import plan_inbox, write_inbox
from .modeling import TaskMeta
from .models import Case, HumanTask, ProcessVersion
from .recording import record_event
from .running import case_data, next_timer_at, ready_user_tasks
from .spec_migration import MigrationRefused, active_elements
from .versioned_runner import VersionedRunner
from .work import Work

REASONS = {
    "case_finished": "the case has finished; only running cases move",
    "case_in_error": "the case stopped on an error; fix it before moving it",
    "other_process": "the case belongs to another process",
    "not_newer": "the case is already on version {to} or a newer one",
    "active_element_removed": "the case waits at '{element}', which version {to} no longer has",
    "passed_element_removed": "the case went through '{element}', which version {to} no "
                              "longer has, so its history could not stay attached",
    "planned_element_removed": "the case has steps planned at '{element}', which version {to} "
                               "no longer has",
    "called_process_removed": "the case called process '{element}', which version {to} no "
                              "longer calls",
    "missing_data": "task '{element}' of version {to} needs '{field}', which the case lacks",
    "script_failed": "version {to} fails on this case: {error}",
    "not_movable": "the case cannot be moved: {error}",
}  # fmt: skip
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class _Trial:
    """One case tried against the target: its outcome, or the reasons it cannot move."""

    case: Case
    source: ProcessVersion
    target: ProcessVersion
    runner: VersionedRunner | None = None
    outcome: Outcome | None = None
    script_engine: Any = None
    inputs: dict[str, Any] | None = None
    codes: tuple[tuple[str, dict[str, str]], ...] = ()
    active: tuple[str, ...] = ()


def check(work: Work, target: ProcessVersion, keys: Sequence[str]) -> MigrationPlan:
    """Whether each case can move to `target`, and what changes for it (writes nothing)."""
    diffs: dict[int, VersionDiff] = {}
    answers = []
    for key in keys:
        case = repo.case_by_key(work.session, key)
        answers.append(_answer(work, _try(work, case, target, "", None), diffs))
    return MigrationPlan(target.process_id, target.version, tuple(answers))


def migrate(
    work: Work, target: ProcessVersion, keys: Sequence[str], actor: str, reason: str,
    at: datetime,
) -> MigrationResult:  # fmt: skip
    """Move every case that can move (each locked first); the rest stay, with reasons."""
    moved: list[str] = []
    stayed: list[CaseMigration] = []
    diffs: dict[int, VersionDiff] = {}
    for key in keys:
        case = repo.lock_case(work.session, key=key)
        trial = _try(work, case, target, reason, at)
        if trial.codes:
            stayed.append(_answer(work, trial, diffs))
            continue
        _store(work, trial, actor, at)
        moved.append(key)
    return MigrationResult(target.process_id, target.version, tuple(moved), tuple(stayed))


def _try(
    work: Work, case: Case, target: ProcessVersion, reason: str, at: datetime | None
) -> _Trial:
    """Move a copy of the case's workflow in memory under the clock and seed the live
    migration uses; note every reason it cannot move."""
    session, engine = work.session, work.engine
    source = session.get(ProcessVersion, case.process_version_id)
    assert source is not None
    trial = _Trial(case, source, target)
    trial.codes = _static_reasons(case, source, target)
    if trial.codes:
        return trial
    instant = at or determinism.now()
    runner = VersionedRunner({source.version: engine.runner(session, source),
                              target.version: engine.runner(session, target)},
                             source.version)  # fmt: skip
    inputs = {"from_version": source.version, "to_version": target.version, "reason": reason}
    inputs = from_json_value(to_json_value(inputs))
    calendar = work.calendar()
    try:
        with determinism.frozen(instant, f"{case.business_key}:{case.last_seq + 1}"):
            script_engine = make_script_engine(calendar)
            workflow = runner.restore(case.state, script_engine)
            trial.outcome = apply_event(runner, workflow, MIGRATED, None, inputs, script_engine)
    except MigrationRefused as refused:
        trial.codes = tuple((b.code, {"element": b.element}) for b in refused.blockers)
        return trial
    except EngineError as error:
        trial.codes = (("not_movable", {"error": str(error)}),)
        return trial
    except Exception as error:  # the library failing on this state: the case stays as it is
        trial.codes = (("not_movable", {"error": f"{type(error).__name__}: {error}"}),)
        return trial
    if trial.outcome.error:
        trial.codes = (("script_failed", {"error": trial.outcome.error}),)
        return trial
    problem = _unrestorable(runner, trial.outcome.workflow, script_engine)
    if problem:
        trial.codes = (("not_movable", {"error": problem}),)
        return trial
    trial.runner, trial.script_engine = runner, script_engine
    trial.inputs = _with_calendar(inputs, calendar)
    trial.active = tuple(sorted(active_elements(trial.outcome.workflow)))
    trial.codes = tuple(_missing_data(trial.outcome.workflow, source, target))
    return trial


def _unrestorable(runner: VersionedRunner, workflow: Any, script_engine: Any) -> str | None:
    """Why the moved state could not be loaded again on the target version (None: it can);
    a case is never stored in a state the next action could not restore."""
    try:
        runner.restore(runner.dump(workflow), script_engine)
    except Exception as error:  # any failure to load means: do not move this case
        return f"{type(error).__name__}: {error}"
    return None


def _static_reasons(
    case: Case, source: ProcessVersion, target: ProcessVersion
) -> tuple[tuple[str, dict[str, str]], ...]:
    if source.process_id != target.process_id:
        return (("other_process", {}),)
    if case.status == "completed":
        return (("case_finished", {}),)
    if case.status == "error" or not case.state:
        return (("case_in_error", {}),)
    if source.version >= target.version:
        return (("not_newer", {}),)
    return ()


def _missing_data(
    workflow: Any, source: ProcessVersion, target: ProcessVersion
) -> list[tuple[str, dict[str, str]]]:
    """Data the target's ready tasks newly show or route by that the case does not have
    (what the source version's same task needed already is no new demand)."""
    found = []
    for task in ready_user_tasks(workflow):
        before = source.tasks.get(task.spec) or _same_form(source, target.tasks.get(task.spec))
        new_needs = _needs(target.tasks.get(task.spec)) - _needs(before)
        for name in sorted(new_needs):
            if task.data.get(name) in (None, ""):
                found.append(("missing_data", {"element": task.spec, "field": name}))
    return found


def _same_form(source: ProcessVersion, raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """The source task a renamed step was: the one with the very same form fields."""
    if not raw:
        return None
    fields = [f.get("id") for f in raw.get("form", [])]
    same = (t for t in source.tasks.values() if [f.get("id") for f in t.get("form", [])] == fields)
    return next(same, None) if fields else None


def _needs(raw: dict[str, Any] | None) -> set[str]:
    """Fields a task shows read-only or fills into its routing."""
    if not raw:
        return set()
    meta = TaskMeta.from_dict(raw)
    needed = {f.id for f in meta.form if f.readonly}
    for template in (*meta.candidate_groups, *meta.candidate_users, meta.assignee or ""):
        needed.update(_PLACEHOLDER.findall(template))
    return needed


def _with_calendar(inputs: dict[str, Any], calendar: Any) -> dict[str, Any]:
    """Keep the schedule days the move relied on, so a replay decides them the same."""
    if not calendar.decided_days:
        return inputs
    decided = {day.isoformat(): workday for day, workday in calendar.decided_days.items()}
    return {**inputs, "calendar": decided}


def _answer(work: Work, trial: _Trial, diffs: dict[int, VersionDiff]) -> CaseMigration:
    """The plain answer of a trial: reasons in words and codes, and what changes."""
    to = trial.target.version
    reasons = tuple(REASONS[code].format(to=to, **{"element": "", "field": "", "error": "",
                                                   **params})
                    for code, params in trial.codes)  # fmt: skip
    changes: tuple[str, ...] = ()
    if not trial.codes:
        diff = diffs.get(trial.source.id)
        if diff is None:
            diff = _diff(work, trial.source, trial.target)
            diffs[trial.source.id] = diff
        changed = {c.element for c in diff.changed}
        changes = tuple(e for e in trial.active if e in changed)
    return CaseMigration(
        key=trial.case.business_key, from_version=trial.source.version, to_version=to,
        can_move=not trial.codes, reasons=reasons,
        reason_codes=tuple(code for code, _params in trial.codes), active=trial.active,
        changes=changes, reason_params=tuple(dict(params) for _code, params in trial.codes),
    )  # fmt: skip


def _diff(work: Work, old: ProcessVersion, new: ProcessVersion) -> VersionDiff:
    """What changed between the case's version and the target (as `Admin.diff` says)."""
    runners = (work.runner(old), work.runner(new))
    files = (repo.file_contents(work.session, old.files),
             repo.file_contents(work.session, new.files))  # fmt: skip
    return version_diff.diff_versions(old, new, runners, files)


def _store(work: Work, trial: _Trial, actor: str, at: datetime) -> None:
    """Save the moved workflow, rebuild the inbox rows and record the `migrated` event."""
    session, case, target = work.session, trial.case, trial.target
    assert trial.outcome is not None and trial.runner is not None and trial.inputs is not None
    workflow = trial.outcome.workflow
    rows_before = {row.id: row for row in repo.case_tasks(session, case.id)}
    before = case.data
    case.state = trial.runner.dump(workflow)
    case.serializer_version = trial.runner.serializer_version
    case.data = to_json_value(case_data(workflow))
    case.next_timer_at = next_timer_at(workflow)
    case.process_version_id = target.id
    case.updated_at = at
    with determinism.frozen(at, f"{case.business_key}:{case.last_seq + 1}"):
        inbox = plan_inbox(case, target, workflow, trial.script_engine, at, set())
    inbox.gone = set(rows_before)
    _keep_claims_and_deadlines(inbox.rows, rows_before, trial.source, target)
    record_event(session, case, MIGRATED, actor, at, trial.inputs, before, checkpoint=False)
    claim_case_row(session)
    session.flush()
    write_inbox(session, inbox)


def _keep_claims_and_deadlines(
    rows: list[HumanTask], before: dict[str, HumanTask], source: ProcessVersion,
    target: ProcessVersion,
) -> None:  # fmt: skip
    """A task that stays open keeps who claimed it, when it opened and, unless the new
    version changed its due-date rule, its deadline."""
    for row in rows:
        old = before.get(row.id)
        if old is None:
            continue
        row.claimed_by, row.created_at = old.claimed_by, old.created_at
        rule_before = (source.tasks.get(row.task_spec) or {}).get("due_date")
        rule_after = (target.tasks.get(row.task_spec) or {}).get("due_date")
        if rule_before == rule_after:
            row.due_at = old.due_at
