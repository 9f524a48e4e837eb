"""`mashangban migrate check|run`: an admin with a terminal moves running cases."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import VALID
from tests.engine import test_cli
from tests.engine.test_cli import Run, history

run, deployed = test_cli.run, test_cli.deployed  # the CLI fixtures, reused

TWO_STEP = (VALID / "two_step.bpmn").read_text(encoding="utf-8")


def test_migrate__check_then_run_moves_the_case_and_records_it(deployed: Run, tmp_path: Path):
    cli = deployed
    assert cli("user", "add", "qianjin", "--role", "process_admin").code == 0
    assert cli("case", "start", "two_step", "--key", "K").code == 0
    changed = tmp_path / "two_step.bpmn"
    changed.write_text(TWO_STEP.replace('label="标题"', 'label="诉求标题"', 1), encoding="utf-8")
    assert cli("deploy", str(changed)).code == 0
    check = cli("migrate", "check", "two_step", "--from", "1")
    assert check.code == 0, check.err
    assert "K: can move v1 -> v2" in check.out and "register" in check.out
    moved = cli("migrate", "run", "two_step", "--case", "K", "--user", "qianjin",
                "--reason", "新标签")  # fmt: skip
    assert moved.code == 0, moved.err
    assert "K: moved to v2" in moved.out
    assert history(cli, "K")[-1] == "migrated"
    assert cli("audit", "verify", "K").code == 0


def test_migrate__without_a_selection_or_as_a_clerk_is_refused(deployed: Run):
    cli = deployed
    assert cli("case", "start", "two_step", "--key", "K").code == 0
    nothing = cli("migrate", "check", "two_step")
    assert nothing.code == 1 and "--case" in nothing.err
    clerk = cli("migrate", "run", "two_step", "--case", "K", "--user", "li", "--reason", "x")
    assert clerk.code == 1 and "process admins" in clerk.err
