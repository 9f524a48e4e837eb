"""`/healthz` and `/readyz` for load balancers and process supervisors.

`/healthz` answers 200 while the process runs (it touches no database). `/readyz` answers
200 only when the database is reachable, its schema is at this release's newest migration
and the timer worker has beaten within three of its intervals; otherwise 503 with the
reason per check, e.g. `{"status": "not ready", "checks": {"database": "ok",
"migrations": "ok", "timer_worker": "the timer worker's last heartbeat is 400 s old ..."}}`.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from . import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready to serve: database, migrations, timer worker (503 with the reasons if not)."""
    result = db.get_engine().readiness()
    body = jsonify(status="ready" if result.ready else "not ready", checks=result.checks)
    return body, 200 if result.ready else 503
