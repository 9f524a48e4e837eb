"""Staff sign-in: login, logout, and the guards every staff route uses.

The session cookie holds only the username; the user's roles, unit and groups are
read from the engine (`service.get_user`) on each request, so a deactivated
account loses access at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engine.errors import NotFound
from engine.organisation import UserView

from . import db, ratelimit
from .i18n import gettext as _
from .i18n import safe_next

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
MAX_USERNAME = 64
MAX_PASSWORD = 256


def current_user() -> UserView | None:
    """The signed-in staff member, or None (loaded once per request)."""
    if "msb_user" not in g:
        username = session.get("user")
        user = None
        if username:
            try:
                user = db.service().get_user(username)
            except NotFound:
                session.pop("user", None)
        g.msb_user = user
    found: UserView | None = g.msb_user
    return found


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page (and back afterwards)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

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
    if request.method == "POST":
        ratelimit.check("login")
        username = request.form.get("username", "").strip()[:MAX_USERNAME]
        password = request.form.get("password", "")[:MAX_PASSWORD]
        user = db.service().authenticate(username, password) if username and password else None
        if user is None:
            error = _("用户名或密码不正确。")
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session (and CSRF token) at every sign-in
            session.permanent = True
            session["user"] = user.username
            if lang:
                session["lang"] = lang
            flash(_("欢迎，{name}。", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("tasks.inbox"), 303)
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, username=username), status


@bp.post("/logout")
def logout() -> Response:
    """Sign out (a POST with the CSRF token, so other sites cannot sign people out)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"), 303)
