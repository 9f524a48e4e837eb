"""The admin facade's views as JSON objects (the shapes openapi_admin.py documents)."""

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

from .serialize import instant


def version(view: VersionSummary) -> dict[str, Any]:
    """One version of a process."""
    return {
        "version": view.number, "name": view.name, "deployed_by": view.deployed_by,
        "deployed_at": instant(view.deployed_at), "content_hash": view.content_hash,
        "files": list(view.files), "note": view.note, "running": view.running,
        "finished": view.finished,
    }  # fmt: skip


def process(view: ProcessSummary) -> dict[str, Any]:
    """A process with its versions."""
    return {"process_id": view.process_id, "name": view.name,
            "versions": [version(v) for v in view.versions]}  # fmt: skip


def deploy_result(result: DeployResult) -> dict[str, Any]:
    """What a deployment did: every process's version, and which ones are new."""
    return {
        "deployment_id": result.deployment_id, "changed": result.changed,
        "versions": [{"process_id": p.process_id, "name": p.name, "version": p.version,
                      "created": p.created} for p in result.processes],
        "warnings": [{"file": w.file, "line": w.line, "element": w.element_id, "code": w.kind,
                      "message": w.message} for w in result.warnings],
    }  # fmt: skip


def diff(view: VersionDiff) -> dict[str, Any]:
    """Elements added, removed and changed between two versions."""

    def element(item: Any) -> dict[str, Any]:
        return {"element": item.element, "name": item.name, "kind": item.kind,
                "process": item.process}  # fmt: skip

    return {
        "process_id": view.process_id, "a": view.a, "b": view.b, "files": list(view.files),
        "added": [element(e) for e in view.added],
        "removed": [element(e) for e in view.removed],
        "changed": [{**element(c), "attributes": list(c.attributes), "fields": list(c.fields),
                     "conditions": list(c.conditions), "rules": list(c.rules)}
                    for c in view.changed],
    }  # fmt: skip


def case_migration(view: CaseMigration) -> dict[str, Any]:
    """One case's answer."""
    return {
        "case_no": view.key, "from_version": view.from_version, "to_version": view.to_version,
        "can_move": view.can_move, "reasons": list(view.reasons),
        "reason_codes": list(view.reason_codes), "active": list(view.active),
        "changes": list(view.changes), "reason_params": [dict(p) for p in view.reason_params],
    }  # fmt: skip


def migration_plan(plan: MigrationPlan) -> dict[str, Any]:
    """The answer of a migration check."""
    return {"process_id": plan.process_id, "to_version": plan.to_version,
            "cases": [case_migration(c) for c in plan.cases]}  # fmt: skip


def migration_result(result: MigrationResult) -> dict[str, Any]:
    """What a migration did."""
    stayed = [case_migration(c) for c in result.stayed]
    return {"process_id": result.process_id, "to_version": result.to_version,
            "moved": list(result.moved), "stayed": stayed}  # fmt: skip


def action(view: AdminActionView) -> dict[str, Any]:
    """One entry of the admin log."""
    return {"id": view.id, "at": instant(view.at), "actor": view.actor, "kind": view.kind,
            "process_id": view.process_id, "note": view.note, "details": view.details}  # fmt: skip
