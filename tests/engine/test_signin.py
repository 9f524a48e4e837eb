"""Server-side sign-ins: a token works until it expires or is revoked, and only for its kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import NotFound
from engine.service import Engine

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def staffed(any_engine: Engine) -> Engine:
    with any_engine.transaction() as service:
        service.staff.save_user("li", "李明", ["town_a_clerks"], password="old pass 1")
        service.staff.save_user("sun", "孙丽", ["town_a_clerks"], password="old pass 2")
    return any_engine


def test_session__works_until_it_expires(staffed: Engine) -> None:
    with staffed.transaction() as service:
        token = service.signins.open("web", HOUR, username="li", at=NOW)
    with staffed.transaction() as service:
        assert service.signins.user(token, at=NOW + HOUR / 2).username == "li"
        assert service.signins.user(token, at=NOW + HOUR) is None
        assert service.signins.why_ended(token, at=NOW + HOUR) == "expired"


def test_session__a_web_session_is_not_an_api_token(staffed: Engine) -> None:
    with staffed.transaction() as service:
        token = service.signins.open("web", HOUR, username="li", at=NOW)
        assert service.signins.user(token, "api", at=NOW) is None
        assert service.signins.user("made-up", at=NOW) is None


def test_sign_out_everywhere__ends_only_that_users_sessions(staffed: Engine) -> None:
    with staffed.transaction() as service:
        li = [service.signins.open(kind, HOUR, username="li") for kind in ("web", "web", "api")]
        sun = service.signins.open("web", HOUR, username="sun")
    with staffed.transaction() as service:
        assert service.staff.sign_out_everywhere("li") == 3
    with staffed.transaction() as service:
        kinds = ("web", "web", "api")
        assert [service.signins.user(t, k) for t, k in zip(li, kinds, strict=True)] == [None] * 3
        assert service.signins.why_ended(li[0]) == "revoked"
        assert service.signins.user(sun).username == "sun"
        with pytest.raises(NotFound):
            service.staff.sign_out_everywhere("nobody")


def test_password_change__ends_sessions_but_first_password_does_not(staffed: Engine) -> None:
    with staffed.transaction() as service:
        token = service.signins.open("web", HOUR, username="li")
        service.staff.save_user("li", "李明", ["town_a_clerks"])  # no password given: nothing ends
    with staffed.transaction() as service:
        assert service.signins.user(token) is not None
        service.staff.save_user("li", "李明", ["town_a_clerks"], password="new pass 3")
    with staffed.transaction() as service:
        assert service.signins.user(token) is None


def test_tracking_grant__opens_only_its_case(staffed: Engine) -> None:
    with staffed.transaction() as service:
        token = service.signins.open("track", HOUR, case_key="MSB-1")
        with pytest.raises(NotFound):
            service.signins.tracked(token, "MSB-2")


def test_purge__old_ended_sessions_are_deleted_when_someone_signs_in(staffed: Engine) -> None:
    with staffed.transaction() as service:
        old = service.signins.open("web", HOUR, username="li", at=NOW - timedelta(days=30))
        recent = service.signins.open("web", HOUR, username="li", at=NOW - timedelta(days=1))
    with staffed.transaction() as service:
        service.signins.open("web", HOUR, username="sun", at=NOW)
    with staffed.transaction() as service:
        assert service.signins.why_ended(old, at=NOW) == "unknown"  # gone
        assert service.signins.why_ended(recent, at=NOW) == "expired"  # kept a week
