"""The clerk's inbox: tabs with counts, filters, sorting, claim and give back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient

import web.cases
import web.tasks
from engine.service import Engine

from .conftest import APPEAL, login, open_task, post_form, start_appeal


def _counts(page: str) -> dict[str, int]:
    return {tab: int(n) for tab, n in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def _cases_listed(page: str) -> list[str]:
    return re.findall(r'data-case="([^"]+)"', page)


def _three_cases(engine: Engine) -> tuple[str, str, str]:
    """An overdue policy question, a fresh coordination case, and one li already claimed."""
    with engine.transaction() as service:
        old = service.cases.start(
             "mini_loop", data={**APPEAL, "kind": "policy_consultation"}, actor="public",
             at=datetime.now(UTC) - timedelta(days=10),
        )  # fmt: skip
    fresh, _code = start_appeal(engine)
    mine, _code = start_appeal(engine, kind="special_handling")
    with engine.transaction() as service:
        service.tasks.claim(open_task(engine, mine), "li")
    return old.key, fresh, mine


def test_tabs__counts_and_rows(client: FlaskClient, seeded: Engine) -> None:
    old, fresh, mine = _three_cases(seeded)
    login(client, "li")
    page = client.get("/inbox").get_data(as_text=True)
    assert _counts(page) == {"mine": 1, "group": 2, "overdue": 1, "today": _counts(page)["today"]}
    assert _cases_listed(page) == [mine]  # "mine" is the default tab when it has tasks
    group = client.get("/inbox?tab=group").get_data(as_text=True)
    assert _cases_listed(group) == [old, fresh]  # most urgent first
    assert "已超期" in group and "剩余" in group
    assert _cases_listed(client.get("/inbox?tab=overdue").get_data(as_text=True)) == [old]


def test_filters__by_kind_and_tier(client: FlaskClient, seeded: Engine) -> None:
    old, fresh, _mine = _three_cases(seeded)
    login(client, "li")
    kind = client.get("/inbox?tab=group&kind=coordination").get_data(as_text=True)
    assert _cases_listed(kind) == [fresh]
    assert _cases_listed(client.get("/inbox?tab=group&tier=village").get_data(as_text=True)) == []
    newest = client.get("/inbox?tab=group&sort=created").get_data(as_text=True)
    assert _cases_listed(newest) == [old, fresh]


def test_empty_inbox__opens_on_group_tab_and_says_so(client: FlaskClient) -> None:
    login(client, "chen")
    page = client.get("/inbox").get_data(as_text=True)
    assert "这里没有待办任务" in page and _counts(page)["group"] == 0


def test_claim_and_give_back__from_the_inbox(client: FlaskClient, seeded: Engine) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    response = post_form(client, f"/tasks/{task_id}/claim", {})
    assert response.headers["Location"] == f"/tasks/{task_id}"
    assert "已由我认领" in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = post_form(client, f"/tasks/{task_id}/unclaim", {"next": "/inbox?tab=group"})
    assert response.headers["Location"] == "/inbox?tab=group"
    with seeded.transaction() as service:
        assert service.tasks.get(task_id, "li").claimed_by is None


def test_claim__taken_by_colleague_shows_who(client: FlaskClient, seeded: Engine) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    with seeded.transaction() as service:
        service.tasks.claim(task_id, "sun")
    login(client, "li")
    response = post_form(client, f"/tasks/{task_id}/claim", {})
    assert response.status_code == 303
    assert "已被 孙丽 认领" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_case_page__summary_level_deadline_timeline_diagram(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    login(client, "li")
    post_form(client, f"/tasks/{open_task(seeded, key)}", {
        "title": "入学证明", "kind": "coordination", "level": "2", "lead_department": "housing",
    })  # fmt: skip
    page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert "二级：首席代表协调" in page and "住房和城乡建设局" in page
    sla = re.search(r'data-testid="sla">(.*?)</dd>', page, re.S)
    assert sla and re.search(r"剩余 [3-4] 个工作日", sla.group(1))  # "135": level 2 → 3 days
    assert "完成：受理登记" in page and "李明" in page and "群众/企业" in page
    data = re.search(r'id="diagram-data">(.*?)</script>', page, re.S)
    assert data and '"active": ["handle"]' in data.group(1)
    assert '"register"' in data.group(1)


def test_pages__next_link_walks_every_task_once(client: FlaskClient, seeded: Engine) -> None:
    keys = [start_appeal(seeded)[0] for _n in range(3)]
    login(client, "li")
    listed: list[str] = []
    seen_pages, page = 0, ""
    size, web.tasks.PAGE_SIZE = web.tasks.PAGE_SIZE, 2  # a small page for the test
    try:
        path: str | None = "/inbox?tab=group"
        while path:
            page = client.get(path).get_data(as_text=True)
            listed += _cases_listed(page)
            seen_pages += 1
            found = re.search(r'href="([^"]+)" rel="next"', page)
            path = found.group(1).replace("&amp;", "&") if found else None
            assert _counts(page)["group"] == 3  # counts are of the whole inbox, not the page
    finally:
        web.tasks.PAGE_SIZE = size
    assert seen_pages == 2 and 'data-page="first"' in page
    assert sorted(listed) == sorted(keys) and len(listed) == 3


def test_pages__a_bad_cursor_is_a_clear_error(client: FlaskClient, seeded: Engine) -> None:
    start_appeal(seeded)
    login(client, "li")
    response = client.get("/inbox?tab=group&after=nonsense")
    assert response.status_code == 422


def test_case_list__next_link_walks_every_case_once(client: FlaskClient, seeded: Engine) -> None:
    keys = {start_appeal(seeded)[0] for _n in range(3)}
    login(client, "li")
    listed: list[str] = []
    size, web.cases.PAGE_SIZE = web.cases.PAGE_SIZE, 2  # a small page for the test
    try:
        path: str | None = "/cases"
        while path:
            page = client.get(path).get_data(as_text=True)
            listed += re.findall(r'href="/cases/([^"?/]+)"', page)
            found = re.search(r'href="([^"]+)" rel="next"', page)
            path = found.group(1).replace("&amp;", "&") if found else None
    finally:
        web.cases.PAGE_SIZE = size
    assert keys <= set(listed) and len(listed) == len(set(listed))
