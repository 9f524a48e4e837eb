"""The API's blueprint, apart from `__init__.py` so route modules need not import it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
