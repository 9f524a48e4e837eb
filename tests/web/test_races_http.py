"""Eight signed-in clerks press "认领" on one task at once over real HTTP, on PostgreSQL."""

from __future__ import annotations

import http.client
import re
import threading
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from engine.service import Engine

from .conftest import PASSWORD, make_app, open_task, seed, start_appeal

pytestmark = pytest.mark.postgres
CLERKS = [f"clerk{n}" for n in range(8)]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A minimal cookie-keeping HTTP client (one connection per request, like browsers' tabs)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        result = (response.status, response.getheader("Location"), response.read().decode())
        connection.close()
        return result

    def csrf(self, path: str) -> str:
        match = _CSRF.search(self.request("GET", path)[2])
        assert match, path
        return match.group(1)

    def sign_in(self, username: str) -> None:
        form = {"username": username, "password": PASSWORD, "csrf_token": self.csrf("/login")}
        assert self.request("POST", "/login", form)[0] == 303


def test_claim_over_http__eight_clerks_one_winner(pg_engine: Engine) -> None:
    seed(pg_engine)
    with pg_engine.transaction() as service:
        for name in CLERKS:
            service.staff.save_user(name, name, ["clerks:town_a"], unit="town_a", password=PASSWORD)
    key, _code = start_appeal(pg_engine)
    task_id = open_task(pg_engine, key)
    app = make_app(pg_engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browsers = [Browser(server.server_port) for _ in CLERKS]
        tokens = []
        for browser, name in zip(browsers, CLERKS, strict=True):
            browser.sign_in(name)
            tokens.append(browser.csrf("/inbox"))
        barrier = threading.Barrier(len(CLERKS))
        outcomes: list[str | None] = [None] * len(CLERKS)

        def claim(index: int) -> None:
            barrier.wait(timeout=30)
            form = {"csrf_token": tokens[index]}
            outcomes[index] = browsers[index].request("POST", f"/tasks/{task_id}/claim", form)[1]

        racers = [threading.Thread(target=claim, args=(i,)) for i in range(len(CLERKS))]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=120)
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["mashangban.engine"].close()

    assert outcomes.count(f"/tasks/{task_id}") == 1, outcomes
    assert outcomes.count("/inbox?tab=group") == len(CLERKS) - 1, outcomes
    with pg_engine.transaction() as service:
        assert [e.kind for e in service.cases.history(key)].count("claimed") == 1
