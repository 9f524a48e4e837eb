"""The JSON API under /api/v1: bearer tokens for staff, tracking codes for the public.

Described by the OpenAPI 3 document at /api/v1/openapi.json (`openapi.py`);
`tests/web/test_openapi.py` fails if a route is missing from it. Errors are
`{"error": {"code", "message", "fields"?}}` with the codes listed in web/errors.py.
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
