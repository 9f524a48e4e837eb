"""The `mashangban` command line as a shell meets it: exit statuses, usage errors, the README."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from engine.cli import build_cli, main

README = Path(__file__).parents[2] / "README.md"


def test_unknown_verb_or_option__is_a_usage_error_with_status_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    verb_code = main(["case", "shwo", "K"])
    verb_err = capsys.readouterr().err
    option_code = main(["task", "list", "--usr", "li"])
    option_err = capsys.readouterr().err

    assert (verb_code, option_code) == (2, 2)
    assert "No such command 'shwo'" in verb_err
    assert "--usr" in option_err


def test_console_script__exit_status_reaches_the_shell(tmp_path: Path) -> None:
    env = {**os.environ, "MASHANGBAN_INSTANCE": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "engine.cli"]
    subprocess.run([*command, "init"], env=env, check=True, capture_output=True)

    missing = subprocess.run([*command, "case", "show", "NOPE"], env=env, capture_output=True,
                             text=True)  # fmt: skip

    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: no case with key 'NOPE'"


def test_readme__lists_every_verb_and_only_verbs_that_exist() -> None:
    section = README.read_text(encoding="utf-8").split("## The command line", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    commands = [part.split("#")[0].split() for line in block.splitlines()
                for part in line.split(" ; ") if part.strip()]  # fmt: skip
    group = build_cli()
    group.add_command(click.Command("serve"))  # the web's command: see tests/web/test_app.py
    verbs = set()
    for words in commands:
        assert words[0] == "mashangban", words
        command, path = group, []
        while isinstance(command, click.Group):
            path.append(words[len(path) + 1])
            found = command.get_command(click.Context(command), path[-1])
            assert found is not None, f"README names `mashangban {' '.join(path)}`"
            command = found
        verbs.add(" ".join(path))
    assert verbs == set(leaves(group))


def leaves(group: click.Group, prefix: str = "") -> list[str]:
    """Every runnable command under a group, e.g. "case show"."""
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += leaves(command, f"{prefix}{name} ")
        else:
            found.append(prefix + name)
    return found
