"""The baseline: a trivial Flask endpoint doing the durable work of one completion.

One UPDATE of a row and one INSERT of a history row in one transaction, on the same
database, through the same connection setup as the engine (`engine.database.connect`, so
SQLite gets WAL and BEGIN IMMEDIATE too). Served by the same gunicorn settings as the
product, it is what the machine allows for a request that must write durably.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

from engine.database import connect


def create_app() -> Flask:
    """The baseline app on DATABASE_URL (tables made by `prepare`)."""
    app = Flask(__name__)
    sql = connect(os.environ["DATABASE_URL"])

    @app.post("/bound/<int:row>")
    def bound(row: int) -> Any:
        with sql.begin() as connection:
            connection.execute(text("UPDATE bench_rows SET n = n + 1 WHERE id = :id"), {"id": row})
            connection.execute(
                text("INSERT INTO bench_log (row_id, note) VALUES (:id, 'ok')"), {"id": row}
            )
        return jsonify(ok=True)

    return app


def prepare(url: str, rows: int) -> None:
    """Create the baseline's two tables with `rows` rows to update."""
    sql = connect(url)
    with sql.begin() as connection:
        for table in ("bench_rows (id INTEGER PRIMARY KEY, n INTEGER)",
                      "bench_log (row_id INTEGER, note TEXT)"):  # fmt: skip
            connection.execute(text(f"CREATE TABLE IF NOT EXISTS {table}"))
        connection.execute(text("DELETE FROM bench_rows"))
        connection.execute(
            text("INSERT INTO bench_rows (id, n) VALUES (:id, 0)"),
            [{"id": n} for n in range(rows)],
        )
    sql.dispose()
