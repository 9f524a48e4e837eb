"""Rate limits across workers: two apps (two gunicorn workers) share one budget only via Redis.

Redis is named by TEST_REDIS_URL (default redis://127.0.0.1:6379/15, a database the app
never uses). Each test writes keys under its own random prefix and deletes only those.
Without a reachable server the Redis test is skipped with the reason, unless
MASHANGBAN_REQUIRE_POSTGRES=1 (CI, which starts Redis in .ci/run): then it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from engine.service import Engine

from .conftest import make_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LIMIT = 3


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A random key prefix in the test Redis database; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("MASHANGBAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"Redis required but unreachable at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis server at {REDIS_URL} (set TEST_REDIS_URL): {error}")
    prefix = f"msbtest{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def _workers(engine: Engine, **config: object) -> list[Flask]:
    """Two apps over one database, as two gunicorn workers each run create_app()."""
    return [make_app(engine, MASHANGBAN_RATE_LIMIT=LIMIT, **config) for _ in range(2)]


def test_two_workers_with_redis__share_one_budget(seeded: Engine, redis_prefix: str) -> None:
    apps = _workers(seeded, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    try:
        statuses = [
            apps[n % 2].test_client().get("/api/v1/appeals/MSB-X?code=BAD").status_code
            for n in range(LIMIT + 1)
        ]
        assert statuses == [404] * LIMIT + [429]  # the 4th request, whichever worker gets it
        assert apps[0].test_client().get("/api/v1/appeals/MSB-X?code=BAD").status_code == 429
    finally:
        for app in apps:
            app.extensions["mashangban.engine"].close()


def test_two_workers_in_memory__each_count_alone(seeded: Engine) -> None:
    # Why production sets RATELIMIT_STORAGE_URI: without it every worker allows LIMIT.
    apps = _workers(seeded)
    try:
        statuses = [
            apps[n % 2].test_client().get("/api/v1/appeals/MSB-X?code=BAD").status_code
            for n in range(2 * LIMIT + 1)
        ]
        assert statuses == [404] * (2 * LIMIT) + [429]
    finally:
        for app in apps:
            app.extensions["mashangban.engine"].close()


def test_unreachable_store__serves_the_request_and_logs_an_error(
    seeded: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(seeded, MASHANGBAN_RATE_LIMIT=1, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    try:
        client = app.test_client()
        statuses = [client.get("/api/v1/appeals/MSB-X?code=BAD").status_code for _ in range(2)]
        assert statuses == [404, 404]  # the front door stays open without the store
        assert "rate limit store unreachable" in caplog.text
    finally:
        app.extensions["mashangban.engine"].close()


@pytest.mark.parametrize(("trust", "expected"), [(1, 404), (0, 429)])
def test_forwarded_client_address__counts_only_behind_a_trusted_proxy(
    seeded: Engine, trust: int, expected: int
) -> None:
    app = make_app(seeded, MASHANGBAN_RATE_LIMIT=1, MASHANGBAN_TRUST_PROXY=trust)
    try:
        client = app.test_client()
        url = "/api/v1/appeals/MSB-X?code=BAD"
        assert client.get(url, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 404
        other = client.get(url, headers={"X-Forwarded-For": "203.0.113.2"})
        # Trusted: another citizen behind the proxy; untrusted: a forged header, same client.
        assert other.status_code == expected
    finally:
        app.extensions["mashangban.engine"].close()
