"""The JSON API under /api/v1: bearer tokens for staff, tracking codes for the public.

Every operation is registered with `operations.operation`, naming the pydantic models
(`schemas/`) that validate its query and body and serialize its answer; the OpenAPI 3.1
document at /api/v1/openapi.json is generated from them (`openapi.py`). Errors are
`{"error": {"code", "message", "fields"?, "errors"?}}` with the codes listed in web/errors.py.
"""

from __future__ import annotations

from .blueprint import bp

__all__ = ["bp"]

# Importing the route modules registers their views on bp.
from . import (  # noqa: F401
    admin_routes,
    audit_routes,
    leaders_routes,
    notify_routes,
    org_routes,
    privacy_routes,
    reach_routes,
    reports_routes,
    routes,
)
