"""The personal-data endpoints under /api/v1 (listed in openapi_privacy.py).

The access log and a case's sealed values (never the values themselves: which existed,
which were erased, when and by whom). Only auditors, the discipline office and admins
read them (403 for other staff, as `engine.privacy` decides).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.privacy import AccessEntry, Erasure

from .. import db
from . import tokens
from .blueprint import bp
from .serialize import instant


def _entry(entry: AccessEntry) -> dict[str, Any]:
    return {
        "at": instant(entry.at), "username": entry.username, "case_no": entry.case_key,
        "reason": entry.reason, "channel": entry.channel, "fields": list(entry.fields),
        "request_id": entry.request_id,
    }  # fmt: skip


def _erasure(value: Erasure) -> dict[str, Any]:
    return {
        "field": value.field, "commitment": value.commitment,
        "recorded_at": instant(value.recorded_at), "erased_at": instant(value.erased_at),
        "erased_by": value.erased_by,
    }  # fmt: skip


@bp.get("/audit/access-log")
def access_log() -> Any:
    """Full views of personal data, newest first (`?case=` narrows to one case)."""
    user = tokens.staff()
    case_key = request.args.get("case", "").strip()[:100] or None
    entries = db.service().privacy.access_log(user.username, case_key)
    return jsonify(entries=[_entry(e) for e in entries])


@bp.get("/cases/<key>/personal")
def personal_values(key: str) -> Any:
    """A case's sealed personal values: field, commitment, and whether they were erased."""
    user = tokens.staff()
    values = db.service().privacy.erasures(key, user.username)
    return jsonify(case_no=key, values=[_erasure(v) for v in values])
