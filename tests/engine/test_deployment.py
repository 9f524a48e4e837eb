"""Deploying diagrams: versions, no-op redeploys, and cases pinned to their version."""

from pathlib import Path

import pytest

from engine.deployment import read_sources
from engine.errors import InvalidProcess
from engine.service import Engine
from tests.conftest import INVALID, VALID


def _two_step(title_limit: str = "50") -> dict[str, bytes]:
    content = (VALID / "two_step.bpmn").read_text(encoding="utf-8")
    return {"two_step.bpmn": content.replace('config="50"', f'config="{title_limit}"').encode()}


def _version(engine: Engine, process_id: str) -> int:
    with engine.transaction() as service:
        versions = [v for v in service.deployments.versions() if v["process_id"] == process_id]
    return max(v["version"] for v in versions)


def test_deploy__creates_version_one_of_every_process(any_engine):
    with any_engine.transaction() as service:
        result = service.deployments.deploy(read_sources([VALID]))
    assert result.changed
    assert {p.process_id for p in result.processes} >= {"two_step", "parent_call", "decide"}
    assert all(p.version == 1 and p.created for p in result.processes)


def test_deploy__unchanged_files_create_no_new_version(any_engine):
    with any_engine.transaction() as service:
        service.deployments.deploy(read_sources([VALID]))
    with any_engine.transaction() as service:
        again = service.deployments.deploy(read_sources([VALID]))
    assert again.deployment_id is None
    assert not again.changed
    assert _version(any_engine, "two_step") == 1


def test_deploy__changed_file_bumps_only_its_processes(any_engine):
    with any_engine.transaction() as service:
        service.deployments.deploy(read_sources([VALID]))
        result = service.deployments.deploy(_two_step("80"))
    created = {p.process_id for p in result.processes if p.created}
    assert created == {"two_step"}
    assert _version(any_engine, "two_step") == 2
    assert _version(any_engine, "decide") == 1


def test_deploy__running_cases_stay_on_their_version_and_new_cases_use_latest(deployed):
    with deployed.transaction() as service:
        old_case = service.cases.start("two_step", key="OLD")
        service.deployments.deploy(_two_step("5"))
        new_case = service.cases.start("two_step", key="NEW")
    assert (old_case.process_version, new_case.process_version) == (1, 2)
    long_title = {"title": "一个比五个字更长的标题", "kind": "conduct"}
    with deployed.transaction() as service:
        old_task = service.cases.get("OLD").tasks[0].id
        service.tasks.complete(old_task, "li", long_title)  # v1 allows 50 characters
    with deployed.transaction() as service:
        new_task = service.cases.get("NEW").tasks[0].id
        with pytest.raises(Exception, match="at most 5"):
            service.tasks.complete(new_task, "li", long_title)


def test_deploy__invalid_file_is_refused_and_nothing_is_stored(any_engine):
    bad = {"non_executable.bpmn": (INVALID / "non_executable.bpmn").read_bytes()}
    with pytest.raises(InvalidProcess) as refused, any_engine.transaction() as service:
        service.deployments.deploy({**read_sources([VALID]), **bad})
    assert any(p.file == "non_executable.bpmn" and p.line for p in refused.value.problems)
    with any_engine.transaction() as service:
        assert service.deployments.versions() == []


def test_read_sources__duplicate_file_names_are_refused(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "same.bpmn").write_bytes((VALID / "two_step.bpmn").read_bytes())
    with pytest.raises(InvalidProcess, match="file names must be unique"):
        read_sources([tmp_path])
