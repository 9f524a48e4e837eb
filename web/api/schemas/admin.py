"""Processes, versions, deployments, diffs, migrations and the admin log (api/admin_routes.py)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError
from werkzeug.datastructures import FileStorage

from . import Answer, Body, Instant, JsonObject, Query, Texts

MAX_FILES = 50
Positive = Annotated[int, Field(ge=1)]


# --- requests ---------------------------------------------------------------------------------


class DiffQuery(Query):
    """The two versions to compare."""

    a: Positive = Field(description="The older version.")
    b: Positive = Field(description="The newer version.")


class ActionsQuery(Query):
    """Narrow the admin log to one process."""

    process_id: Annotated[str, Field(max_length=100)] = ""


def _expected_base(value: Any) -> Any:
    """The form's JSON text as an object: process id -> the version the change was made on."""
    if value in (None, ""):
        return None
    try:
        found = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        found = None
    if not isinstance(found, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in found.values()
    ):
        raise PydanticCustomError("bad_format", "expected a JSON object of versions",
                                  {"pattern": '{"process_id": version}'})  # fmt: skip
    return found


Upload = Annotated[FileStorage, WithJsonSchema({"type": "string", "format": "binary"})]


class DeploymentUpload(BaseModel):
    """Diagrams, decisions and forms to deploy, with a note (multipart/form-data)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    files: Annotated[list[Upload], Field(min_length=1, max_length=MAX_FILES)]
    note: Annotated[str, Field(max_length=2000, description="Why this change.")] = ""
    expected_base: Annotated[
        dict[str, int] | None, BeforeValidator(_expected_base),
        WithJsonSchema({"type": "string", "description": (
            "JSON object: process id -> the version the change was made on, e.g. "
            '{"closed_loop": 3}; another deploy since then is 409.')}),
    ] = None  # fmt: skip


class MigrationRequest(Body):
    """Which cases of a process move to which version, and why."""

    process_id: Annotated[str, Field(min_length=1, max_length=100)]
    keys: Annotated[
        Texts | None,
        Field(max_length=1000, description="Case numbers; or omit and give `from_version`."),
    ] = None
    from_version: Annotated[Positive | None, Field(
        description="Every open case of this version.")] = None  # fmt: skip
    to_version: Annotated[Positive | None, Field(description="Default: the latest.")] = None
    reason: Annotated[
        str, Field(max_length=2000, description="Why (kept in each case's history).")
    ] = ""

    @model_validator(mode="after")
    def _some_cases(self) -> MigrationRequest:
        if not self.keys and self.from_version is None:
            raise PydanticCustomError("required", "give case numbers or a version",
                                      {"field": "keys"})  # fmt: skip
        return self


# --- answers ----------------------------------------------------------------------------------


class Version(Answer):
    """One version of a process."""

    version: int
    name: str
    deployed_by: str
    deployed_at: Instant
    content_hash: str
    files: Texts
    note: str
    running: int
    finished: int


class Process(Answer):
    """A process with its versions, oldest first."""

    process_id: str
    name: str
    versions: list[Version]


class Processes(Answer):
    """Every deployed process."""

    processes: list[Process]


class VersionFile(Answer):
    """A file of a version with its text."""

    name: str
    content: str


class VersionFiles(Answer):
    """The files of one version."""

    process_id: str
    version: int
    files: list[VersionFile]


class Finding(Answer):
    """A defect (or a warning) found in a diagram."""

    file: str
    line: int | None
    element: str
    code: str
    message: str


class RefusedFinding(Finding):
    """A defect that stopped the deployment (`severity` error; warnings ride along)."""

    severity: str


class DeployedVersion(Answer):
    """A process of the deployment and its version (`created`: new with this deployment)."""

    process_id: str
    name: str
    version: int
    created: bool


class DeployResult(Answer):
    """What a deployment did."""

    deployment_id: int | None
    changed: bool
    versions: list[DeployedVersion]
    warnings: list[Finding]


class RefusalDetail(Answer):
    """Why the deployment was refused."""

    code: Literal["invalid_process"]
    message: str
    errors: list[RefusedFinding]


class DeployRefused(Answer):
    """The files have defects; nothing was deployed."""

    error: RefusalDetail


class Element(Answer):
    """A diagram element that was added or removed."""

    element: str
    name: str
    kind: str
    process: str


class ChangedElement(Element):
    """An element that changed, and what about it."""

    attributes: Texts
    fields: Texts
    conditions: Texts
    rules: Texts


class VersionDiff(Answer):
    """Elements added, removed and changed from version `a` to `b`."""

    process_id: str
    a: int
    b: int
    files: Texts
    added: list[Element]
    removed: list[Element]
    changed: list[ChangedElement]


class CaseMigration(Answer):
    """One case's answer: can it move, why not, what changes."""

    case_no: str
    from_version: int
    to_version: int
    can_move: bool
    reasons: Texts
    reason_codes: Texts
    active: Texts
    changes: Texts
    reason_params: list[dict[str, str]] = Field(
        description="Per reason: the element, field or error it names."
    )


class MigrationPlan(Answer):
    """The answer of a migration check."""

    process_id: str
    to_version: int
    cases: list[CaseMigration]


class MigrationResult(Answer):
    """What a migration did."""

    process_id: str
    to_version: int
    moved: Texts
    stayed: list[CaseMigration]


class AdminAction(Answer):
    """One entry of the admin log."""

    id: int
    at: Instant
    actor: str
    kind: str
    process_id: str | None
    note: str
    details: JsonObject


class AdminActions(Answer):
    """The admin log, newest first."""

    actions: list[AdminAction]
