"""Keep what someone typed when their session ended under them, and let them send it again.

A form post that arrives with an expired or revoked session (or an outdated CSRF
token) is not thrown away: its fields travel on in hidden inputs, through the
sign-in page if needed, to a "continue" page that posts them to the original
address with a fresh CSRF token. Nothing is stored on the server or in the cookie,
and no JavaScript is needed. Posts from another site are never carried over.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

PREFIX = "resume:"
# Never carried: the old CSRF token, and passwords (the sign-in form has its own).
SKIPPED = ("csrf_token", "password")


def typed_fields(form: MultiDict[str, str] | None = None) -> list[tuple[str, str]]:
    """The posted fields worth keeping, in order (several values of a name stay separate)."""
    source = request.form if form is None else form
    return [(k, v) for k, v in source.items(multi=True) if k not in SKIPPED]


def carried_fields() -> list[tuple[str, str]]:
    """The fields the sign-in form carried on for a post that needs sending again."""
    return [(k.removeprefix(PREFIX), v) for k, v in request.form.items(multi=True)
            if k.startswith(PREFIX)]  # fmt: skip


def from_this_site() -> bool:
    """True unless the browser says the post came from another site (Origin or Referer)."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return source != "null"
    return urlsplit(source).netloc == request.host


def needs_login() -> bool:
    """Whether the view this request was meant for is a staff view."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "login_required", False))


def can_resume() -> bool:
    """A same-site HTML form post with something typed in it (not the sign-in form itself)."""
    endpoint = request.endpoint or ""
    return (
        request.method == "POST"
        and not request.path.startswith("/api/")
        and not endpoint.startswith(("auth.", "i18n."))
        and from_this_site()
        and bool(typed_fields())
    )


def login_page(fields: list[tuple[str, str]], target: str, status: int = 401) -> Response:
    """The sign-in form, carrying the typed fields and where to send them afterwards."""
    html = render_template(
        "auth/login.html", error=None, username="", resume=fields, target=target, expired=True
    )
    return Response(html, status=status, mimetype="text/html")


def continue_page(fields: list[tuple[str, str]], target: str, status: int = 200) -> Response:
    """The page that posts the kept fields to their form's address with a fresh token."""
    html = render_template("auth/resume.html", fields=fields, target=target)
    return Response(html, status=status, mimetype="text/html")


def target_path() -> str:
    """This request's own path (and query), where the kept fields go back to."""
    return request.full_path.rstrip("?")
