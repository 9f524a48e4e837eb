"""Server-side sign-ins: staff web sessions, API tokens and citizens' tracking grants.

The client keeps a random token (in the signed cookie, or as a bearer token); the
`sessions` table keeps its SHA-256, who it belongs to and when it ends. Checking a
token is one primary-key query, so every request can afford it, and revoking one
(logout, password change, disabled account, "sign out everywhere") takes effect on
the very next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from . import casefiles
from .errors import NotFound
from .models import OrgUnit, SignIn, User
from .organisation import UserView
from .views import PublicCaseView

KINDS = ("web", "api", "track")
# last_seen_at is written at most this often, so reading a page rarely writes a row.
SEEN_EVERY = timedelta(minutes=5)
# Ended sign-ins are kept this long (to tell "expired" from "revoked"), then deleted.
KEEP_ENDED = timedelta(days=7)
MAX_AGENT = 200


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_SIGNED_IN = (
    select(SignIn, User, OrgUnit.name)
    .join(User, User.username == SignIn.username)
    .outerjoin(OrgUnit, OrgUnit.code == User.unit_code)
    .where(SignIn.id == bindparam("id"))
)  # built once: a request pays only for its parameters


class SignIns:
    """Open, check and revoke sign-ins over one database session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def open(
        self, kind: str, lifetime: timedelta, username: str | None = None,
        case_key: str | None = None, user_agent: str = "", at: datetime | None = None,
    ) -> str:  # fmt: skip
        """A new sign-in; return its token (shown to the client once, stored only hashed)."""
        if kind not in KINDS:
            raise ValueError(f"unknown sign-in kind '{kind}'; use one of {', '.join(KINDS)}")
        now = at or datetime.now(UTC)
        self.purge(now - KEEP_ENDED)
        token = secrets.token_urlsafe(32)
        self.session.add(SignIn(
            id=_digest(token), kind=kind, username=username, case_key=case_key,
            user_agent=user_agent[:MAX_AGENT], created_at=now, last_seen_at=now,
            expires_at=now + lifetime, revoked_at=None,
        ))  # fmt: skip
        return token

    def _fresh(self, row: SignIn | None, kind: str, now: datetime) -> bool:
        """Whether a row is a live sign-in of this kind (noting that it was just used)."""
        if row is None or row.kind != kind or row.revoked_at is not None or row.expires_at <= now:
            return False
        if now - row.last_seen_at >= SEEN_EVERY:
            row.last_seen_at = now
        return True

    def user(self, token: str, kind: str = "web", at: datetime | None = None) -> UserView | None:
        """The staff member a live web session or API token belongs to, else None."""
        if not token:
            return None
        # one primary-key lookup per request, with the user and the name of their unit
        found = self.session.execute(_SIGNED_IN, {"id": _digest(token)}).first()
        if found is None or not self._fresh(found[0], kind, at or datetime.now(UTC)):
            return None
        user: User = found[1]
        # Hold the row for the unit of work: the identity map keeps objects weakly, and the
        # action that follows (permission checks) would otherwise read the user again.
        self.session.info.setdefault("signed_in_users", []).append(user)
        if not user.active:
            return None
        return UserView(user.username, user.display_name, user.unit_code, found[2],
                        tuple(user.roles), tuple(user.groups))  # fmt: skip

    def tracked(self, token: str, key: str, at: datetime | None = None) -> PublicCaseView:
        """The public view of the case a live tracking grant was given for (else NotFound)."""
        row = self.session.get(SignIn, _digest(token)) if token else None
        live = row is not None and self._fresh(row, "track", at or datetime.now(UTC))
        if row is None or not live or row.case_key != key:
            raise NotFound("no case with this number and tracking code")
        return casefiles.granted_view(self.session, key)

    def why_ended(self, token: str, at: datetime | None = None) -> str:
        """Why a token no longer works: "expired", "revoked" or "unknown" (for the message)."""
        row = self.session.get(SignIn, _digest(token)) if token else None
        if row is None:
            return "unknown"
        if row.revoked_at is not None:
            return "revoked"
        return "expired" if row.expires_at <= (at or datetime.now(UTC)) else "unknown"

    def revoke(self, token: str, at: datetime | None = None) -> None:
        """End one sign-in (logout; an API client giving its token back)."""
        row = self.session.get(SignIn, _digest(token)) if token else None
        if row is not None and row.revoked_at is None:
            row.revoked_at = at or datetime.now(UTC)

    def revoke_user(self, username: str, at: datetime | None = None) -> int:
        """End every open web session and API token of a staff member; return how many."""
        now = at or datetime.now(UTC)
        live = (SignIn.username == username, SignIn.revoked_at.is_(None), SignIn.expires_at > now)
        result = self.session.execute(
            update(SignIn)
            .where(*live)
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
        # an UPDATE's result is a CursorResult, which has rowcount; execute() says Result
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def purge(self, before: datetime) -> int:
        """Delete sign-ins that ended before `before` (an indexed delete, run at each sign-in)."""
        result = self.session.execute(
            delete(SignIn).where(SignIn.expires_at < before)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        # an UPDATE's result is a CursorResult, which has rowcount; execute() says Result
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
