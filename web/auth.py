"""Staff sign-in: login, logout, and the guards every staff route uses.

The session cookie holds only a random session token; the session itself lives in
the engine's `sessions` table (`engine.signin`), checked on each request with the
user's roles, unit and groups. Logout, a password change, a disabled account or
`mashangban user signout NAME` end it on the server, so a copied cookie stops working.
A form posted after the session ended goes through the sign-in page and is sent
again afterwards with the typed text kept (`web/resume.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from engine.organisation import UserView

from . import db, ratelimit, resume
from .i18n import gettext as _
from .i18n import safe_next

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
MAX_USERNAME = 64
MAX_PASSWORD = 256


def current_user() -> UserView | None:
    """The signed-in staff member, or None (loaded once per request)."""
    if "msb_user" not in g:
        token = session.get("sid")
        user = db.service().signins.user(token, "web") if isinstance(token, str) else None
        if token and user is None:
            session.pop("sid", None)  # ended on the server: the cookie is worthless now
        g.msb_user = user
    found: UserView | None = g.msb_user
    return found


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page (and back afterwards, typed text kept)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if resume.can_resume():
                return resume.login_page(resume.typed_fields(), resume.target_path())
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    # a marker the URL-map test reads; `wraps` keeps the view's signature, not its type
    wrapper.login_required = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def me() -> UserView:
    """The signed-in user inside a `login_required` view."""
    user = current_user()
    assert user is not None, "use me() only in login_required views"
    return user


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with the engine's password check (attempts are rate-limited per IP)."""
    error = None
    username = ""
    carried = resume.carried_fields()
    if request.method == "POST":
        ratelimit.check("login")
        username = request.form.get("username", "").strip()[:MAX_USERNAME]
        password = request.form.get("password", "")[:MAX_PASSWORD]
        user = (
            db.service().staff.authenticate(username, password) if username and password else None
        )
        if user is None:
            error = _("用户名或密码不正确。")
        else:
            _start_session(user)
            flash(_("欢迎，{name}。", name=user.display_name), "success")
            target = safe_next(request.args.get("next"))
            if carried and target:
                return resume.continue_page(carried, target)
            return redirect(target or url_for("tasks.inbox"), 303)
    status = 401 if error else 200
    html = render_template("auth/login.html", error=error, username=username, resume=carried,
                           target=request.args.get("next"), expired=bool(carried))  # fmt: skip
    return html, status


def _start_session(user: UserView) -> None:
    """A fresh cookie (and CSRF token) holding only the new server-side session's token."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    token = db.service().signins.open(
        "web", lifetime, username=user.username, user_agent=request.user_agent.string or ""
    )
    db.commit()
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session["sid"] = token
    if lang:
        session["lang"] = lang


@bp.post("/logout")
def logout() -> Response:
    """Sign out (a POST with the CSRF token, so other sites cannot sign people out)."""
    token = session.get("sid")
    if isinstance(token, str):
        db.service().signins.revoke(token)
        db.commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"), 303)
