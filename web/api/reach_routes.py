"""Duplicates through the API (issue 14; listed in openapi_reach.py): the suggestions a clerk
sees beside registration, merging a duplicate into its main case, marking a pair distinct.
Scope and roles are the engine's: out of scope 404, not a clerk or the leading office 403,
an already merged or finished case 409."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from .. import db
from ..errors import json_error
from ..i18n import gettext as _
from . import tokens
from .blueprint import bp
from .body import json_object


@bp.get("/cases/<key>/duplicates")
def case_duplicates(key: str) -> Any:
    """Open cases of the same kind and place whose text is alike, most alike first."""
    user = tokens.staff()
    found = db.service().reach.duplicates.suggest(key, user.username)
    return jsonify(case_no=key, suggestions=[
        {"case_no": s.key, "title": s.title, "kind": s.kind, "place": s.place,
         "score": s.score, "received_at": s.created_at.isoformat()} for s in found])  # fmt: skip


@bp.post("/cases/<key>/merge")
def case_merge(key: str) -> Any:
    """Merge this case (the duplicate) into `{"main": case number}`."""
    user = tokens.staff()
    main = _case_number(json_object(), "main")
    if main is None:
        return _missing("main")
    db.service().reach.duplicates.merge(key, main, user.username)
    db.commit()
    return jsonify(case_no=key, merged_into=main)


@bp.post("/cases/<key>/distinct")
def case_distinct(key: str) -> Any:
    """Record that `{"other": case number}` is a different matter (no longer suggested)."""
    user = tokens.staff()
    other = _case_number(json_object(), "other")
    if other is None:
        return _missing("other")
    db.service().reach.duplicates.mark_distinct(key, other, user.username)
    db.commit()
    return jsonify(case_no=key, distinct_from=other)


def _case_number(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _missing(name: str) -> Any:
    message = _("请给出案件编号（{name}）", name=name)
    return json_error(422, "validation_failed", message, {name: message})
