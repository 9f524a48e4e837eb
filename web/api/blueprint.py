"""The API's blueprint, apart from `__init__.py` so route modules need not import it."""

from __future__ import annotations

from flask import Blueprint

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
