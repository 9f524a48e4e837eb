"""马上办 web: a thin Flask client of the engine's service API.

`create_app()` is the only way to get an app (nothing is created at import time).
The rules of this package are in web/README.md.
"""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.service import Engine
from engine.settings import Settings

from . import assets, db, errors, health, i18n, metrics, ratelimit, requestlog, timefmt
from .config import load_config
from .steplabels import step_name
from .vocabulary import KINDS, LEVELS, RATINGS, STATUSES, TIERS, label

csrf = CSRFProtect()

# Scripts only from this site; the diagram data travels in a JSON <script> block.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, engine, blueprints, CSRF, error pages."""
    app = Flask(__name__)
    load_config(app, test_config)
    # Flask's default provider has the attribute; `app.json` is typed as the base class
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if app.config["MASHANGBAN_TRUST_PROXY"]:
        hops = int(app.config["MASHANGBAN_TRUST_PROXY"])
        # wrapping wsgi_app is Flask's documented way to add WSGI middleware
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    db.init_app(app, Engine(_settings(app)))
    metrics.init_app(app)  # its after_request runs after requestlog's (reverse order)
    requestlog.init_app(app)
    csrf.init_app(app)
    ratelimit.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    app.after_request(_security_headers)
    assets.check_installed(app)
    _freeze_when_served()
    return app


def _freeze_when_served() -> None:
    """Under gunicorn, take what start-up built (modules, models, the app: some 170,000
    objects that live as long as the worker) out of the cycle collector's sight.

    Otherwise the first full collections walk all of them: a worker paused 90-150 ms about
    once per 200 requests, the slowest of `GET /api/v1/tasks` (bench/inbox.py). Tests and
    the CLI build apps many times and are left alone."""
    if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
        gc.collect()
        gc.freeze()


def _settings(app: Flask) -> Settings:
    """Engine settings from the environment, with DATABASE_URL from the app config if set."""
    settings = Settings.from_env()
    url = app.config.get("DATABASE_URL")
    return dataclasses.replace(settings, database_url=url) if url else settings


def _register_blueprints(app: Flask) -> None:
    from . import (
        api,
        attachments,
        audit,
        auth,
        cases,
        counter,
        dashboard,
        direct,
        knowledge,
        leaders,
        meetings,
        migration,
        modeler,
        notify,
        open311,
        orgadmin,
        privacy,
        process_heat,
        processes,
        public,
        reach,
        tasks,
    )

    modules = (assets, auth, tasks, cases, public, health, audit, dashboard, counter, notify,
               privacy)  # fmt: skip
    for module in (*modules, attachments, reach, direct):
        app.register_blueprint(module.bp)
    for module in (processes, modeler, migration, orgadmin):  # the admins' pages
        app.register_blueprint(module.bp)
    csrf.exempt(processes.upload)  # checked in the view, once the upload limit is raised
    for module in (leaders, meetings, knowledge, process_heat):  # beside the dashboard
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)  # the API authenticates with bearer tokens, not cookies
    app.register_blueprint(api.bp)
    csrf.exempt(open311.bp)  # Open311 clients authenticate with API keys, not cookies
    app.register_blueprint(open311.bp)


def _register_template_helpers(app: Flask) -> None:
    from engine.auditing import may_audit

    from .adminshared import is_admin
    from .auth import current_user
    from .casefacts import group_name, people, unit_name
    from .counter import may_register
    from .notices import for_viewer
    from .privacy import may_read_log
    from .replayview import finding_text

    def case_notices(warnings: Any) -> list[str]:
        user = current_user()
        return for_viewer(warnings, user.roles if user else ())

    app.jinja_env.globals.update(
        current_user=current_user, label=label, KINDS=KINDS, TIERS=TIERS, STATUSES=STATUSES,
        RATINGS=RATINGS, LEVELS=LEVELS, unit_name=unit_name, time_left=timefmt.time_left,
        urgency=timefmt.urgency, may_audit=may_audit, case_notices=case_notices,
        may_read_log=may_read_log,
        is_process_admin=is_admin, step_name=step_name,
    )  # fmt: skip
    app.jinja_env.globals["may_register"] = may_register
    app.jinja_env.globals["person_name"] = lambda username: people()(username)
    app.jinja_env.filters["local"] = timefmt.local
    app.jinja_env.filters["local_times"] = timefmt.local_times
    app.jinja_env.filters["finding"] = finding_text
    app.jinja_env.filters["unit_name"] = unit_name
    app.jinja_env.filters["group_name"] = group_name
    app.jinja_env.filters["localdate"] = lambda value: timefmt.local(value, with_time=False)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    max_age = int(current_app.config["MASHANGBAN_HSTS_MAX_AGE"])
    if request.is_secure and max_age > 0:  # HTTPS as seen by us, or by a trusted proxy
        response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    if not request.path.startswith(("/assets/", "/static/")):
        response.headers.setdefault("Cache-Control", "no-store")  # codes and personal data
    return response
