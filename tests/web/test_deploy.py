"""deploy/: the gunicorn config loads and serves, and the systemd units run commands that exist."""

from __future__ import annotations

import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from web.cli import resolve
from web.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALLED_AT = "/opt/mashangban/"  # where the units expect the checkout (README "Production")
GUNICORN = Path(sys.executable).parent / "gunicorn"


def exec_lines(unit: Path) -> list[list[str]]:
    """The commands of a unit's ExecStart*/ExecStop* lines, paths mapped into this checkout."""
    commands = []
    for line in unit.read_text(encoding="utf-8").splitlines():
        if re.match(r"^Exec(Start|StartPre|StartPost|Stop)=", line):
            words = shlex.split(line.split("=", 1)[1].lstrip("-"))
            commands.append([w.replace(INSTALLED_AT, f"{ROOT}/") for w in words])
    return commands


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS")}
    return {
        **env, "SECRET_KEY": "deploy-test-secret", "MASHANGBAN_INSTANCE": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'mashangban.db'}",
        "MASHANGBAN_NODE_MODULES": str(ROOT / "node_modules"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), **extra,
    }  # fmt: skip


def test_systemd_units__every_command_names_a_cli_verb_or_config_that_exists() -> None:
    units = sorted(DEPLOY.glob("*.service"))
    assert {u.name for u in units} == {
        "mashangban-web.service",
        "mashangban-timers.service",
        "mashangban-notify.service",
        "mashangban-purge.service",
    }
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        assert "User=mashangban" in text and "EnvironmentFile=" in text and "Restart=" in text
        for command in exec_lines(unit):
            program = Path(command[0]).name
            if program == "mashangban":
                resolve(command[1:])  # click.UsageError on an unknown verb or option
            elif program == "gunicorn":
                config = Path(command[command.index("--config") + 1])
                assert config.is_file(), f"{unit.name}: {config} does not exist"
            else:
                assert program == "kill", f"{unit.name}: unexpected program {program}"


def test_gunicorn_config__passes_gunicorn_check_config(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(GUNICORN), "--check-config", "--config", str(DEPLOY / "gunicorn.conf.py")],
        cwd=ROOT, env=server_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_nginx_site__refuses_bodies_the_app_would_refuse_and_forwards_the_client() -> None:
    site = (DEPLOY / "nginx-mashangban.conf").read_text(encoding="utf-8")
    (size,) = re.findall(r"client_max_body_size (\d+)k;", site)
    assert int(size) * 1024 == DEFAULTS["MAX_CONTENT_LENGTH"]
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID"):
        assert f"proxy_set_header {header} " in site


def test_env_example__names_every_setting_the_app_reads() -> None:
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    from web.config import INT_KEYS, STR_KEYS

    assert {k for k in (*INT_KEYS, *STR_KEYS) if f"\n{k}=" not in example} == set()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow
def test_gunicorn__two_workers_count_into_one_scrape_and_log_json(tmp_path: Path) -> None:
    port = random.randint(20000, 29999)
    subprocess.run([sys.executable, "-m", "web.cli", "init"], cwd=ROOT, check=True,
                   env=server_env(tmp_path), capture_output=True)  # fmt: skip
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(GUNICORN), "--config", str(DEPLOY / "gunicorn.conf.py")], cwd=ROOT, stderr=log,
        env=server_env(tmp_path, MASHANGBAN_BIND=f"127.0.0.1:{port}", MASHANGBAN_WORKERS="2"),
    )  # fmt: skip
    try:
        base, answered = f"http://127.0.0.1:{port}", 0
        for _ in range(100):
            try:
                answered += _get(f"{base}/healthz")[0] == 200
                break
            except OSError:  # not listening yet (URLError is an OSError too)
                time.sleep(0.2)
        answered += sum(_get(f"{base}/healthz")[0] == 200 for _ in range(30))
        status, body = _get(f"{base}/metrics")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert status == 200, body
    families = {f.name: f.samples for f in text_string_to_metric_families(body)}
    counted = sum(s.value for s in families["mashangban_http_requests"]
                  if s.name.endswith("_total") and s.labels["route"] == "/healthz")  # fmt: skip
    assert counted == answered == 31
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines()
             if line.startswith("{")]  # fmt: skip
    assert sum(line["logger"] == "web.request" for line in lines) >= answered
    shutil.rmtree(tmp_path / "metrics", ignore_errors=True)
