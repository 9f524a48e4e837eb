"""The admin facade's views as the API's answer models (web/api/schemas/admin.py)."""

from __future__ import annotations

from typing import Any

from engine.admin_views import (
    AdminActionView,
    CaseMigration,
    MigrationPlan,
    MigrationResult,
    ProcessSummary,
    VersionDiff,
    VersionSummary,
)
from engine.views import DeployResult

from .schemas import admin as shapes


def version(view: VersionSummary) -> shapes.Version:
    """One version of a process."""
    return shapes.Version(
        version=view.number, name=view.name, deployed_by=view.deployed_by,
        deployed_at=view.deployed_at.isoformat(), content_hash=view.content_hash,
        files=list(view.files), note=view.note, running=view.running, finished=view.finished,
    )  # fmt: skip


def process(view: ProcessSummary) -> shapes.Process:
    """A process with its versions."""
    return shapes.Process(process_id=view.process_id, name=view.name,
                          versions=[version(v) for v in view.versions])  # fmt: skip


def finding(problem: Any) -> shapes.Finding:
    """A diagram defect or warning (engine.errors.Problem)."""
    return shapes.Finding(file=problem.file, line=problem.line, element=problem.element_id,
                          code=problem.kind, message=problem.message)  # fmt: skip


def deploy_result(result: DeployResult) -> shapes.DeployResult:
    """What a deployment did: every process's version, and which ones are new."""
    return shapes.DeployResult(
        deployment_id=result.deployment_id, changed=result.changed,
        versions=[shapes.DeployedVersion(process_id=p.process_id, name=p.name,
                                         version=p.version, created=p.created)
                  for p in result.processes],
        warnings=[finding(w) for w in result.warnings],
    )  # fmt: skip


def diff(view: VersionDiff) -> shapes.VersionDiff:
    """Elements added, removed and changed between two versions."""

    def element(item: Any) -> dict[str, Any]:
        return {"element": item.element, "name": item.name, "kind": item.kind,
                "process": item.process}  # fmt: skip

    return shapes.VersionDiff(
        process_id=view.process_id, a=view.a, b=view.b, files=list(view.files),
        added=[shapes.Element(**element(e)) for e in view.added],
        removed=[shapes.Element(**element(e)) for e in view.removed],
        changed=[shapes.ChangedElement(
            **element(c), attributes=list(c.attributes), fields=list(c.fields),
            conditions=list(c.conditions), rules=list(c.rules)) for c in view.changed],
    )  # fmt: skip


def case_migration(view: CaseMigration) -> shapes.CaseMigration:
    """One case's answer."""
    return shapes.CaseMigration(
        case_no=view.key, from_version=view.from_version, to_version=view.to_version,
        can_move=view.can_move, reasons=list(view.reasons),
        reason_codes=list(view.reason_codes), active=list(view.active),
        changes=list(view.changes), reason_params=[dict(p) for p in view.reason_params],
    )  # fmt: skip


def migration_plan(plan: MigrationPlan) -> shapes.MigrationPlan:
    """The answer of a migration check."""
    return shapes.MigrationPlan(process_id=plan.process_id, to_version=plan.to_version,
                                cases=[case_migration(c) for c in plan.cases])  # fmt: skip


def migration_result(result: MigrationResult) -> shapes.MigrationResult:
    """What a migration did."""
    return shapes.MigrationResult(
        process_id=result.process_id, to_version=result.to_version, moved=list(result.moved),
        stayed=[case_migration(c) for c in result.stayed],
    )  # fmt: skip


def action(view: AdminActionView) -> shapes.AdminAction:
    """One entry of the admin log."""
    return shapes.AdminAction(
        id=view.id, at=view.at.isoformat(), actor=view.actor, kind=view.kind,
        process_id=view.process_id, note=view.note, details=view.details,
    )  # fmt: skip
