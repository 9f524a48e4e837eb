"""Deploy diagrams: validate the whole set, store sources by hash, version processes.

The unit of versioning is the process: version N+1 is created when any file the
process needs (its own diagram, called diagrams, decisions, forms) changed.
Deploying unchanged files creates nothing. Files are named by their base name,
so a folder and a single file of it deploy to the same entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from . import repository as repo
from .errors import InvalidProcess, Problem
from .models import Deployment, DeploymentFile, ProcessVersion
from .validation import FORM_SUFFIXES, ModelSet, validate
from .views import DeployedProcess, DeployResult
from .xmlsafe import NSMAP, parse_xml

SOURCE_SUFFIXES = (".bpmn", ".dmn", *FORM_SUFFIXES)  # other files (e.g. demo data) stay out
SCENARIO_DIRS = ("scenarios",)
FORM_PROPERTY = ".//spiffworkflow:property[@name='formJsonSchemaFilename']"


def sha256(content: bytes) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(content).hexdigest()


def read_sources(paths: Iterable[Path]) -> dict[str, bytes]:
    """Collect the diagrams, decisions and forms under the given files and folders."""
    files: dict[str, bytes] = {}
    origins: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            problems.append(Problem(str(path), None, "", "no such file or folder"))
            continue
        for file in _source_files(path):
            if file.name in origins and origins[file.name] != file:
                problems.append(
                    Problem(
                        str(file),
                        None,
                        "",
                        f"same file name as {origins[file.name]}; file names must be unique",
                    )
                )
                continue
            origins[file.name] = file
            files[file.name] = file.read_bytes()
    if problems:
        raise InvalidProcess(problems)
    return files


def _source_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]  # named explicitly: validated whatever its kind
    found = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and not set(p.relative_to(path).parts) & set(SCENARIO_DIRS)
    )
    sources = [p for p in found if p.name.lower().endswith(SOURCE_SUFFIXES)]
    named = _named_form_files(sources)
    # Other JSON files (e.g. demo data) stay out unless a diagram names them as its form.
    return sorted({*sources, *(p for p in found if p.name in named)})


def _named_form_files(sources: list[Path]) -> set[str]:
    names: set[str] = set()
    for source in sources:
        root = parse_xml(source.read_bytes(), source.name)[0]
        if source.name.lower().endswith(".bpmn") and root is not None:
            names.update(
                (p.get("value") or "").strip() for p in root.iterfind(FORM_PROPERTY, NSMAP)
            )
    return names


def deploy(
    session: Session,
    files: dict[str, bytes],
    actor: str,
    now: datetime,
    progress: Callable[[str], None] = lambda _message: None,
) -> DeployResult:
    """Validate and store the files over the current snapshot; version what changed."""
    repo.serialize(session, "mashangban:deploy")  # a parallel deploy would drop our files
    previous = repo.latest_deployment(session)
    snapshot = _current_snapshot(session, previous.id) if previous else {}
    snapshot.update(files)
    progress(f"validating {len(snapshot)} files")
    model = validate(snapshot)
    if model.problems:
        raise InvalidProcess(model.problems + model.warnings)
    warnings = tuple(model.warnings)
    snapshot_hash = sha256(
        "\n".join(
            f"{name}:{sha256(content)}" for name, content in sorted(snapshot.items())
        ).encode()
    )
    if previous is not None and previous.snapshot_hash == snapshot_hash:
        return DeployResult(None, _unchanged(session, model), warnings)
    deployment = Deployment(created_at=now, actor=actor, snapshot_hash=snapshot_hash)
    session.add(deployment)
    session.flush()
    for name, content in sorted(snapshot.items()):
        repo.save_blob(session, sha256(content), content)
        session.add(DeploymentFile(deployment_id=deployment.id, name=name, sha256=sha256(content)))
    results = []
    for index, process_id in enumerate(sorted(model.processes), start=1):
        progress(f"[{index}/{len(model.processes)}] {process_id}")
        results.append(_version_process(session, model, process_id, deployment.id, now))
    return DeployResult(deployment.id, tuple(results), warnings)


def _current_snapshot(session: Session, deployment_id: int) -> dict[str, bytes]:
    return repo.file_contents(session, repo.deployment_files(session, deployment_id))


def _unchanged(session: Session, model: ModelSet) -> tuple[DeployedProcess, ...]:
    results = []
    for process_id in sorted(model.processes):
        latest = repo.latest_version(session, process_id)
        if latest is not None:
            results.append(DeployedProcess(process_id, latest.name, latest.version, False))
    return tuple(results)


def _version_process(
    session: Session, model: ModelSet, process_id: str, deployment_id: int, now: datetime
) -> DeployedProcess:
    info = model.processes[process_id]
    closure = {name: sha256(content) for name, content in model.closure(process_id).items()}
    closure_hash = sha256("\n".join(f"{n}:{h}" for n, h in sorted(closure.items())).encode())
    latest = repo.latest_version(session, process_id)
    if latest is not None and latest.closure_hash == closure_hash:
        return DeployedProcess(process_id, latest.name, latest.version, False)
    version = ProcessVersion(
        process_id=process_id,
        version=(latest.version + 1) if latest else 1,
        name=info.name,
        dialect=info.dialect,
        deployment_id=deployment_id,
        closure_hash=closure_hash,
        files=closure,
        tasks={task_id: meta.to_dict() for task_id, meta in model.user_tasks(process_id).items()},
        milestones=model.milestones(process_id),
        start_message=info.start.message,
        start_timer=info.start.timer,
        start_data=info.start.start_data,
        created_at=now,
    )
    session.add(version)
    return DeployedProcess(process_id, info.name, version.version, True)
