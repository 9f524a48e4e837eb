"""Goals (a) and (b): task completions over HTTP against the trivial durable endpoint.

Both apps run under gunicorn with 2 sync workers on a free loopback port; the same
load generator (keep-alive HTTP/1.1 clients in threads) drives both, so the ratio
compares like with like on this machine, measured minutes apart in one run.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import bound_app
from .common import PASSWORD, USER, median, prepared_engine

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured."""

    per_second: float
    latencies: list[float]
    failures: int


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(app: str, url: str, workers: int = 2) -> Iterator[int]:
    """Serve `app` (a gunicorn app spec) with `workers` sync workers; yield the port."""
    port = free_port()
    runtime = tempfile.mkdtemp(prefix="msb-bench-run-")  # this server's metrics files
    env = {**os.environ, "DATABASE_URL": url, "MASHANGBAN_ENV": "testing",
           "SECRET_KEY": "bench-only-secret", "MASHANGBAN_RATE_LIMIT": "1000000",
           "RUNTIME_DIRECTORY": runtime}  # fmt: skip
    # the product's own settings (deploy/gunicorn.conf.py) for both apps, workers and port
    # from the command line
    command = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
               "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
               app]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_listening(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(runtime, ignore_errors=True)


def _wait_until_listening(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start listening")


def drive(
    port: int, paths: list[str], clients: int, headers: dict[str, str], body: bytes
) -> LoadResult:
    """POST `body` to every path once, from `clients` keep-alive connections at once."""
    work: queue.Queue[str] = queue.Queue()
    for path in paths:
        work.put(path)
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                path = work.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                failures[0] += response.status >= 300
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(len(paths) / (time.perf_counter() - started), latencies, failures[0])


def ready_tasks(url: str, cases: int) -> list[str]:
    """Start `cases` cases of three_step and return the ids of their first tasks."""
    engine = prepared_engine(url, "three_step.bpmn")
    for start in range(0, cases, 200):
        with engine.transaction() as service:
            for n in range(start, min(cases, start + 200)):
                service.cases.start("three_step", key=f"H-{n}", data={})
    with engine.transaction() as service:
        ids = [task.id for task in service.tasks.inbox(USER)]
    engine.close()
    return ids


def token(port: int) -> str:
    """A bearer token for the bench user."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": USER, "password": PASSWORD})
    connection.request("POST", "/api/v1/auth/token", body=body,
                       headers={"Content-Type": "application/json"})  # fmt: skip
    response = connection.getresponse()
    payload = json.loads(response.read())
    connection.close()
    return str(payload["access_token"])


def completions(url: str, requests: int, clients: int) -> LoadResult:
    """Complete `requests` tasks over HTTP (gunicorn, 2 workers) with `clients` at once."""
    task_ids = ready_tasks(url, requests)
    body = json.dumps({"data": {"note": "ok"}}).encode()
    with gunicorn("web:create_app()", url) as port:
        headers = {"Authorization": f"Bearer {token(port)}", "Content-Type": "application/json"}
        paths = [f"/api/v1/tasks/{task_id}/complete" for task_id in task_ids]
        drive(port, paths[:20], 1, headers, body)  # warm both workers' caches
        return drive(port, paths[20:], clients, headers, body)


def bound(url: str, requests: int, clients: int) -> LoadResult:
    """The baseline endpoint under the same load."""
    bound_app.prepare(url, requests)
    with gunicorn("bench.bound_app:create_app()", url) as port:
        headers = {"Content-Type": "application/json"}
        paths = [f"/bound/{n}" for n in range(requests)]
        drive(port, paths[:20], 1, headers, b"{}")
        return drive(port, paths[20:], clients, headers, b"{}")


def p50_ms(result: LoadResult) -> float:
    """The median latency in milliseconds."""
    return median(result.latencies) * 1000
