"""One unit of work per request, over the engine's service API.

`service()` opens the engine transaction on first use and keeps it for the request
(the `get_db` shape of Flask's tutorial). A view that changes something calls
`commit()` before it builds its response, so a lost race surfaces as `Conflict`
inside the view (and not after the response was sent). `rollback()` ends a failed
unit so the view can read the current state in a fresh one. Whatever is still open
at teardown is committed (read-only work) or rolled back (the request failed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, g

from engine.errors import StaleCase
from engine.service import Engine, Service, UnitOfWork

T = TypeVar("T")

log = logging.getLogger(__name__)
EXTENSION = "mashangban.engine"


def init_app(app: Flask, engine: Engine) -> None:
    """Attach the engine to the app and close the unit of work after each request."""
    app.extensions[EXTENSION] = engine
    app.teardown_appcontext(_teardown)


def get_engine() -> Engine:
    """The engine of the current app."""
    engine: Engine = current_app.extensions[EXTENSION]
    return engine


def service() -> Service:
    """The service bound to this request's unit of work (opened on first use)."""
    if "msb_unit" not in g:
        g.msb_unit = get_engine().unit()
    unit: UnitOfWork = g.msb_unit
    return unit.service


def commit() -> None:
    """Commit this request's work now (raises `Conflict` if another writer won)."""
    unit = g.pop("msb_unit", None)
    if unit is not None:
        try:
            unit.commit()
        finally:
            unit.close()


def once_more_if_stale(action: Callable[[bool], T]) -> T:
    """Run a task action, then once more holding the case's lock if it lost a race.

    On SQLite a task action reads its case without the database's one write lock and
    writes after its workflow ran (engine/README.md, "How a case runs"); if another
    worker changed the case in between (two parallel tasks of one case completed at
    once) the write fails with `StaleCase`. The second attempt (`action(True)`: exclusive)
    starts afresh and locks first, so the person only sees a conflict that is real.
    """
    try:
        return action(False)
    except StaleCase:
        rollback()
        return action(True)


def rollback() -> None:
    """Discard this request's work; the next `service()` call starts afresh."""
    unit = g.pop("msb_unit", None)
    if unit is not None:
        unit.rollback()
        unit.close()


def _teardown(exception: BaseException | None) -> None:
    if "msb_unit" not in g:
        return
    if exception is not None:
        rollback()
        return
    try:
        commit()
    except Exception:  # the response is already built; never let teardown raise
        log.exception("committing the request's unit of work failed")
