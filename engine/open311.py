"""Open311 GeoReport v2 clients: API keys (stored as SHA-256) and the requests they filed.

The mapping onto our matter kinds and case states lives in the web layer
(`web/open311.py`); here are the keys and the "whose request is this" bookkeeping.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import reach_queries as q
from . import repository as repo
from .errors import Conflict
from .models_reach import ApiClient, Open311Request
from .views import CaseSummary
from .work import Work


@dataclass(frozen=True)
class ClientView:
    """An Open311 client."""

    id: int
    name: str


@dataclass(frozen=True)
class RequestView:
    """One Open311 request as our case stands: its data, status and open steps."""

    summary: CaseSummary
    data: dict[str, Any]
    stage: tuple[str, ...]


def key_hash(key: str) -> str:
    """What is stored of a key: its SHA-256 (a leaked table hands out no keys)."""
    return hashlib.sha256(key.encode()).hexdigest()


class Open311:
    """Open311 clients and their requests within one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def issue_key(self, name: str, at: datetime | None = None) -> str:
        """A new client with a random key; the key is shown once and only its hash is kept."""
        name = name.strip()
        if not name or len(name) > 100:
            raise Conflict("a client name of 1 to 100 characters is needed")
        if q.api_client_by_name(self.session, name) is not None:
            raise Conflict(f"an Open311 client named '{name}' already exists")
        key = secrets.token_urlsafe(24)
        self.session.add(ApiClient(name=name, key_hash=key_hash(key),
                                   created_at=at or datetime.now(UTC), active=True))  # fmt: skip
        self.session.flush()
        return key

    def client(self, key: str) -> ClientView | None:
        """The active client holding this key, or None."""
        row = q.api_client_by_hash(self.session, key_hash(key)) if key else None
        return ClientView(row.id, row.name) if row is not None else None

    def record(self, client: ClientView, case_key: str) -> None:
        """Remember that the client filed this case."""
        case = repo.case_by_key(self.session, case_key)
        self.session.add(Open311Request(case_id=case.id, client_id=client.id))
        self.session.flush()

    def requests(
        self, client: ClientView, keys: list[str] | None = None, since: datetime | None = None,
        until: datetime | None = None, limit: int = 1000,
    ) -> list[RequestView]:  # fmt: skip
        """The client's own requests, newest first."""
        rows = q.open311_cases(self.session, client.id, keys, since, until, limit)
        return [
            RequestView(
                CaseSummary(c.business_key, c.title, "", c.status, c.owner_unit, c.created_at,
                            c.updated_at),
                dict(c.data),
                tuple(t.name for t in repo.case_tasks(self.session, c.id)),
            )
            for c in rows
        ]  # fmt: skip
