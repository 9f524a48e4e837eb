"""The /api/v1 endpoints for sign-in, appeals and the staff inbox."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from engine.errors import FieldError
from engine.organisation import UserView
from engine.views import CaseView

from .. import db, ratelimit
from ..appeals import AppealInvalid, parse_appeal
from ..casefacts import load_inbox
from ..errors import json_error
from ..i18n import gettext as _
from ..inbox import Filters
from ..public import start_appeal
from . import serialize, tokens
from .openapi import document
from .operations import PUBLIC, STAFF_OR_CODE, Empty, Reply, operation
from .schemas import OpenApiDocument
from .schemas import cases as shapes
from .validation import rejected

CLAIM_CONFLICT = "Claimed by someone else, or already completed (`conflict`, `task_not_ready`)."


@operation("get", "/openapi.json", access=PUBLIC, ok=Reply(OpenApiDocument, "This document."))
def openapi() -> OpenApiDocument:
    """The OpenAPI 3.1 description of this API (generated from the operations' models)."""
    return OpenApiDocument.model_validate(document())


@operation(
    "post", "/auth/token", access=PUBLIC, limit="login", body=shapes.Credentials,
    ok=Reply(shapes.Token, "A revocable token that expires."),
    errors={401: "Wrong username or password (`invalid_credentials`)."},
)  # fmt: skip
def token(body: shapes.Credentials) -> Any:
    """Exchange a staff username and password for a bearer token."""
    user = db.service().staff.authenticate(body.username, body.password)
    if user is None:
        return json_error(401, "invalid_credentials", _("用户名或密码不正确。"))
    return shapes.Token(
        access_token=tokens.issue(user.username), token_type="Bearer",
        expires_in=tokens.ttl(), user=shapes.TokenUser(
            username=user.username, roles=list(user.roles), unit=user.unit_code,
            groups=list(user.groups)),
    )  # fmt: skip


@operation("delete", "/auth/token", ok={204: Empty("The token no longer works.")})
def revoke_token(user: UserView) -> Any:
    """Sign out: revoke the bearer token of this request at once."""
    tokens.revoke()
    return "", 204


@operation(
    "post", "/appeals", access=PUBLIC, limit="appeal", body=shapes.AppealCreate,
    ok={201: Reply(shapes.Receipt, "Case number and tracking code.")},
)  # fmt: skip
def create_appeal(body: shapes.AppealCreate) -> Any:
    """Submit a matter (citizens and enterprises; no account)."""
    try:
        data = parse_appeal(body.model_dump(), db.service().staff.units())
    except AppealInvalid as error:
        problems = [FieldError(name, "invalid", {}, text) for name, text in error.fields.items()]
        return rejected(problems, _("提交内容不符合要求"))
    key, code = start_appeal(data)
    receipt = shapes.Receipt(case_no=key, tracking_code=code)
    return receipt, 201, {"Location": url_for("api.get_appeal", case_no=key)}


@operation(
    "get", "/appeals/<case_no>", access=STAFF_OR_CODE, query=shapes.CaseRead,
    ok=Reply(shapes.Case | shapes.PublicCase,
             "The staff view (bearer token) or the public one (tracking code)."),
    errors={429: "Too many tracking lookups from this address (`rate_limited`)."},
)  # fmt: skip
def get_appeal(case_no: str, query: shapes.CaseRead) -> Any:
    """A case: everything for staff, the public view with `?code=`."""
    if tokens.has_bearer() or query.code is None:
        user = tokens.staff()
        view, disclosure = db.service().privacy.case(case_no, user.username, channel="api")
        return serialize.case(view, disclosure)
    ratelimit.check("track")
    return serialize.public_case(db.service().cases.track(case_no, query.code[:32]))


@operation(
    "get", "/appeals/<case_no>/events", access=STAFF_OR_CODE, query=shapes.CaseRead,
    ok=Reply(shapes.Events | shapes.Timeline, "The history (staff) or the public timeline."),
    errors={429: "Too many tracking lookups from this address (`rate_limited`)."},
)  # fmt: skip
def appeal_events(case_no: str, query: shapes.CaseRead) -> Any:
    """The case's history (staff) or its public timeline (with `?code=`)."""
    if tokens.has_bearer() or query.code is None:
        user = tokens.staff()
        # NotFound outside the scope; personal values masked unless the caller needs them
        events, _shown = db.service().privacy.history(case_no, user.username, channel="api")
        return shapes.Events(events=[serialize.event(e) for e in events])
    ratelimit.check("track")
    view = db.service().cases.track(case_no, query.code[:32])
    return shapes.Timeline(events=[serialize.public_entry(e) for e in view.timeline])


@operation("get", "/tasks", query=shapes.InboxQuery, ok=Reply(shapes.TaskList, "Open tasks."))
def list_tasks(user: UserView, query: shapes.InboxQuery) -> Any:
    """The caller's inbox a page at a time: assigned, claimed and offered tasks (optionally one
    tab); `next` (and a `Link: rel="next"` header) is the cursor of the following page."""
    filters = Filters(tab=query.tab or "mine", tier=query.tier, department=query.department,
                      kind=query.kind, sort=query.sort, after=query.after)  # fmt: skip
    page = filters.query(query.limit, every_tab=query.tab is None, candidates=True)
    rows, cursor = load_inbox(user.username, page)
    answer = serialize.inbox_page(rows, cursor)
    if not cursor:
        return answer
    args: dict[str, Any] = {**request.args.to_dict(), "after": cursor}
    return answer, 200, {"Link": f'<{url_for("api.list_tasks", **args)}>; rel="next"'}


@operation(
    "get", "/tasks/<task_id>", ok=Reply(shapes.TaskWithForm, "The task and its form fields."),
    errors={409: "The task was already completed (`task_not_ready`)."},
)  # fmt: skip
def get_task(task_id: str, user: UserView) -> shapes.TaskWithForm:
    """One task with its form."""
    return serialize.task_with_form(db.service().tasks.get(task_id, user.username))


@operation("post", "/tasks/<task_id>/claim", ok=Reply(shapes.Task, "The task after the change."),
           errors={409: CLAIM_CONFLICT})  # fmt: skip
def claim_task(task_id: str, user: UserView) -> shapes.Task:
    """Claim a group task."""
    view = db.service().tasks.claim(task_id, user.username)
    db.commit()
    return serialize.task(view)


@operation(
    "post", "/tasks/<task_id>/unclaim", ok=Reply(shapes.Task, "The task after the change."),
    errors={409: "Not claimed by the caller, or already completed (`conflict`, "
                 "`task_not_ready`)."},
)  # fmt: skip
def unclaim_task(task_id: str, user: UserView) -> shapes.Task:
    """Give a claimed task back to its groups."""
    view = db.service().tasks.unclaim(task_id, user.username)
    db.commit()
    return serialize.task(view)


@operation(
    "post", "/tasks/<task_id>/complete", body=shapes.CompleteTask,
    ok=Reply(shapes.Case, "The case after the task."),
    errors={403: "Claimed by someone else (`not_allowed`).",
            409: "Someone else completed or changed it first (`conflict`, `stale_case`, "
                 "`task_not_ready`).",
            422: "The form's values are wrong (`form_invalid`: every bad field in `errors` "
                 "with its code), or a diagram script ran past its limits (`script_stopped`)."},
)  # fmt: skip
def complete_task(task_id: str, user: UserView, body: shapes.CompleteTask) -> shapes.Case:
    """Complete a task with form values; 422 lists every bad field."""

    def complete(exclusive: bool) -> CaseView:
        found = db.service().tasks.complete(task_id, user.username, body.data,
                                            exclusive=exclusive)  # fmt: skip
        db.commit()
        return found

    case = db.once_more_if_stale(complete)
    # The task is done: the answer shows personal data as the caller may see it now.
    view, disclosure = db.service().privacy.present(case, user.username, channel="api")
    return serialize.case(view, disclosure)
