"""Staff accounts and organisation units: who may sign in, and who they are.

`Service.staff` is this facade. The organisation as data (names over time, moves) is
`orgchart.OrgAdmin`; sign-ins and tokens are `signin.SignIns`.
"""

from __future__ import annotations

from . import organisation
from . import repository as repo
from .errors import NotFound
from .models import OrgUnit, User
from .organisation import UnitView, UserView
from .passwords import DUMMY_HASH, check_password, hash_password
from .signin import SignIns
from .work import Work


class Staff:
    """Units, staff accounts and passwords in one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def save_unit(self, code: str, name: str, kind: str, parent: str | None = None) -> None:
        """Create or update an organisation unit."""
        self.session.merge(OrgUnit(code=code, name=name, kind=kind, parent_code=parent))

    def units(self) -> list[UnitView]:
        """Every organisation unit."""
        return organisation.units(self.session)

    def save_user(
        self, username: str, display_name: str, groups: list[str], unit: str | None = None,
        roles: list[str] | tuple[str, ...] = (), password: str | None = None,
    ) -> None:  # fmt: skip
        """Create or update a staff member: candidate groups, unit, roles, password."""
        user = repo.user(self.session, username)
        if user is None:
            user = User(username=username, display_name=display_name, active=True)
            self.session.add(user)
        user.display_name, user.groups = display_name, list(groups)
        user.unit_code, user.roles = unit, list(roles)
        if password is not None:
            if user.password_hash is not None:  # a changed password ends the old sign-ins
                SignIns(self.session).revoke_user(username)
            user.password_hash = hash_password(password)

    def set_active(self, username: str, active: bool) -> None:
        """Disable (or re-enable) a staff account; history keeps their name."""
        user = repo.user(self.session, username)
        if user is None:
            raise NotFound(f"unknown user '{username}'")
        user.active = active
        if not active:
            SignIns(self.session).revoke_user(username)

    def sign_out_everywhere(self, username: str) -> int:
        """End every web session and API token of a staff member; return how many were open."""
        if repo.user(self.session, username) is None:
            raise NotFound(f"unknown user '{username}'")
        return SignIns(self.session).revoke_user(username)

    def authenticate(self, username: str, password: str) -> UserView | None:
        """The user if the password is right and the account active, else None."""
        user = repo.user(self.session, username)
        stored = user.password_hash if user is not None else DUMMY_HASH  # same work either way
        if not check_password(stored, password) or user is None or not user.active:
            return None
        return organisation.user_view(self.session, user)

    def get_user(self, username: str) -> UserView:
        """A staff member's view (NotFound if unknown or inactive)."""
        user = repo.user(self.session, username)
        if user is None or not user.active:
            raise NotFound(f"unknown user '{username}'")
        return organisation.user_view(self.session, user)

    def groups_of(self, username: str) -> list[str]:
        """A staff member's candidate groups (NotFound for an unknown or inactive user)."""
        user = repo.user(self.session, username)
        if user is None or not user.active:
            raise NotFound(f"unknown user '{username}'; add them with `mashangban user add`")
        return list(user.groups)
