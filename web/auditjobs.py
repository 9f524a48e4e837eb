"""Verifying every case in the background, with progress the page polls.

A verification of all cases re-executes each one, which takes a while on a full
database. It runs in a thread over the engine's read-only unit of work (on SQLite a
deferred transaction that never holds the write lock), so clerks keep working.
Jobs live in memory for the process; a finished job's result stays for an hour.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from engine.auditing import AuditReport
from engine.service import Engine

EXTENSION = "mashangban.audit_jobs"
KEEP_SECONDS = 3600


@dataclass
class Job:
    """One background verification."""

    id: str
    owner: str
    started: float
    done: int = 0
    total: int = 0
    report: AuditReport | None = None
    error: str | None = None
    finished: bool = False

    def as_json(self) -> dict[str, Any]:
        """Progress for the polling page."""
        return {"id": self.id, "done": self.done, "total": self.total,
                "finished": self.finished, "failed": self.error is not None}  # fmt: skip


@dataclass
class Jobs:
    """The jobs of one app."""

    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _jobs(app: Flask) -> Jobs:
    jobs: Jobs = app.extensions.setdefault(EXTENSION, Jobs())
    return jobs


def start(app: Flask, engine: Engine, viewer: str, heads: dict[str, Any] | None) -> Job:
    """Start verifying every case as `viewer`; return the job at once."""
    store = _jobs(app)
    job = Job(secrets.token_urlsafe(12), viewer, time.time())
    with store.lock:
        for key in [k for k, j in store.jobs.items() if time.time() - j.started > KEEP_SECONDS]:
            del store.jobs[key]
        store.jobs[job.id] = job
    worker = threading.Thread(target=_run, args=(engine, job, heads), daemon=True)
    worker.start()
    return job


def _run(engine: Engine, job: Job, heads: dict[str, Any] | None) -> None:
    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    try:
        with engine.reading() as service:
            job.report = service.audit.verify_all(job.owner, heads, progress)
    except Exception as error:  # a failed job must say so on the page, not hang it
        job.error = f"{type(error).__name__}: {error}"
    job.finished = True


def get(app: Flask, job_id: str, viewer: str) -> Job | None:
    """The job, if it exists and was started by this viewer."""
    with _jobs(app).lock:
        job = _jobs(app).jobs.get(job_id)
    return job if job is not None and job.owner == viewer else None
