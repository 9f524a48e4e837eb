"""The /api/v1 endpoints (each one is listed in openapi.py)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from .. import db, ratelimit
from ..appeals import AppealInvalid, parse_appeal
from ..casefacts import load_inbox
from ..errors import json_error
from ..i18n import gettext as _
from ..inbox import Filters, select
from ..public import start_appeal
from . import bp, serialize, tokens
from .body import InvalidBody, json_object
from .openapi import document


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3 description of this API."""
    return jsonify(document())


@bp.post("/auth/token")
def token() -> Any:
    """Staff sign-in: username + password -> an expiring bearer token."""
    ratelimit.check("login")
    body = json_object()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        required = _("此项为必填项")
        fields = {"username": required, "password": required}
        return json_error(422, "validation_failed", _("需要用户名和密码"), fields)
    user = db.service().authenticate(username[:64], password[:256])
    if user is None:
        return json_error(401, "invalid_credentials", _("用户名或密码不正确。"))
    return jsonify(
        access_token=tokens.issue(user.username), token_type="Bearer",
        expires_in=tokens.ttl(), user={"username": user.username, "roles": list(user.roles),
                                       "unit": user.unit_code, "groups": list(user.groups)},
    )  # fmt: skip


@bp.delete("/auth/token")
def revoke_token() -> Any:
    """Staff sign-out: the bearer token of this request stops working at once."""
    tokens.revoke()
    return "", 204


@bp.post("/appeals")
def create_appeal() -> Any:
    """A citizen or enterprise submits a matter; answer with its number and tracking code."""
    ratelimit.check("appeal")
    try:
        data = parse_appeal(json_object(), db.service().units())
    except AppealInvalid as error:
        return json_error(422, "validation_failed", _("提交内容不符合要求"), error.fields)
    key, code = start_appeal(data)
    response = jsonify(case_no=key, tracking_code=code)
    response.headers["Location"] = url_for("api.get_appeal", case_no=key)
    return response, 201


@bp.get("/appeals/<case_no>")
def get_appeal(case_no: str) -> Any:
    """Staff (bearer token) see the whole case; anyone with `?code=` sees the public view."""
    if tokens.has_bearer() or "code" not in request.args:
        user = tokens.staff()
        view, disclosure = db.service().privacy.case(case_no, user.username, channel="api")
        return jsonify({**serialize.case(view), "personal": serialize.disclosure(disclosure)})
    ratelimit.check("track")
    tracked = db.service().track(case_no, request.args["code"][:32])
    return jsonify(serialize.public_case(tracked))


@bp.get("/appeals/<case_no>/events")
def appeal_events(case_no: str) -> Any:
    """The case's history (staff) or its public timeline (with `?code=`)."""
    if tokens.has_bearer() or "code" not in request.args:
        user = tokens.staff()
        svc = db.service()
        # NotFound outside the scope; personal values masked unless the caller needs them
        events, _shown = svc.privacy.history(case_no, user.username, channel="api")
        return jsonify(events=[serialize.event(e) for e in events])
    ratelimit.check("track")
    view = db.service().track(case_no, request.args["code"][:32])
    return jsonify(events=[serialize.public_entry(e) for e in view.timeline])


@bp.get("/tasks")
def list_tasks() -> Any:
    """The caller's inbox (optionally one tab, filtered like the HTML inbox)."""
    user = tokens.staff()
    rows = load_inbox(user.username)
    if "tab" in request.args:
        rows = select(rows, Filters.from_args(request.args))
    return jsonify(tasks=[serialize.inbox_row(row) for row in rows])


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> Any:
    """One task with its form."""
    user = tokens.staff()
    return jsonify(serialize.task(db.service().get_task(task_id, user.username), with_form=True))


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id: str) -> Any:
    """Claim a group task."""
    user = tokens.staff()
    view = db.service().claim(task_id, user.username)
    db.commit()
    return jsonify(serialize.task(view))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim_task(task_id: str) -> Any:
    """Give a claimed task back to its groups."""
    user = tokens.staff()
    view = db.service().unclaim(task_id, user.username)
    db.commit()
    return jsonify(serialize.task(view))


@bp.post("/tasks/<task_id>/complete")
def complete_task(task_id: str) -> Any:
    """Complete a task with `{"data": {...}}`; 422 lists every bad field."""
    user = tokens.staff()
    data = json_object().get("data", {})
    if not isinstance(data, dict):
        raise InvalidBody(_("“data” 须为表单值组成的 JSON 对象"))
    case = db.service().complete_task(task_id, user.username, data)
    db.commit()
    # The task is done: the answer shows personal data as the caller may see it now.
    view, disclosure = db.service().privacy.present(case, user.username, channel="api")
    return jsonify({**serialize.case(view), "personal": serialize.disclosure(disclosure)})
