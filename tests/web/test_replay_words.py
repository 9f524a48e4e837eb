"""The auditor's replay and report read as people read them: no script code such as
`pending`, no ISO instant (not even inside a text a script wrote), no group id, username
or Python literal, on every demo case and on a case the ladder's timer escalated twice."""

from __future__ import annotations

import re
from datetime import datetime

from engine.demo import ORGANISATION, demo_cases, load_organisation
from engine.deployment import read_sources
from engine.service import Engine
from tests.auditcase import KEY, ROOT, deploy_demo, escalated_rehandled_case
from tests.rawvalues import people, raw_values
from web.replayview import Labels, diff
from web.timefmt import local_times
from web.vocabulary import STATE_WORDS

from .conftest import PASSWORD, login, make_app

HASH = re.compile(r"\b[0-9a-f]{8,}\b")


def _read(html: str) -> str:
    """The text of the page's main part, without its data scripts and event hashes."""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return HASH.sub(" ", re.sub(r"<[^>]+>", " ", main))


def _escalated_by_timers(engine: Engine) -> None:
    """`KEY` reaches level 2 by the department's missed deadline, then level 3 by the
    ladder's own timer: its script writes the missed deadline into the reason."""
    deploy_demo(engine, password=PASSWORD)
    escalated_rehandled_case(engine, upto=5)
    engine.fire_due_timers(now=datetime.fromisoformat("2026-06-11T09:00:00+08:00"))


def test_replay_and_report__no_raw_values_on_any_demo_case(engine: Engine) -> None:
    _escalated_by_timers(engine)
    with engine.transaction() as service:
        keys = [KEY, *demo_cases(service)]
        assert service.cases.get(KEY).data["level"] == 3
    _members, usernames = people()
    app = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    web = app.test_client()
    login(web, "shenyi")
    problems: dict[str, list[str]] = {}
    for key in keys:
        with engine.reading() as service:
            fields = service.audit.replay(key, "shenyi").fields
        options = {c for f in fields.values() for c in f.choices if len(c) > 2}
        options |= set(STATE_WORDS)
        for path in (f"/audit/cases/{key}/replay", f"/audit/cases/{key}/report"):
            response = web.get(path)
            assert response.status_code == 200, path
            found = raw_values(_read(response.get_data(as_text=True)), usernames, options)
            if found:
                problems[path] = sorted(set(found))
    app.extensions["mashangban.engine"].close()
    assert problems == {}, problems


def test_diff__pending_and_a_deadline_inside_a_reason_read_as_words(engine: Engine) -> None:
    _escalated_by_timers(engine)
    with engine.reading() as service:
        replay = service.audit.replay(KEY, "shenyi")
    labels = Labels.of(replay, lambda user: user, lambda unit: unit)
    rows = [row for step in replay.steps for row in diff(step, labels)[0]]
    resolution = next(r for r in rows if r["key"] == "resolution")
    assert resolution["after"] == "待处理"
    reason = [r["after"] for r in rows if r["key"] == "escalation_reason"][-1]
    assert reason == "第2级未在期限 2026-06-10 17:30（北京时间）前解决，自动升级"
    assert all(r["before"] != r["after"] for r in rows)  # no "— → —" rows


def test_local_times__every_instant_in_a_text_in_beijing_time() -> None:
    text = "期限 2026-06-10T09:30:00Z 与 2026-06-11T17:30:00+08:00 间；2026-06-12 不变"
    assert local_times(text) == "期限 2026-06-10 17:30 与 2026-06-11 17:30 间；2026-06-12 不变"


NEW_REASON = 'iso(parse_datetime(sla_due))[:16].replace("T", " ") + "（北京时间）前解决'
OLD_REASON = 'sla_due + " 前解决'  # version 1 of the ladder wrote the ISO text into the reason


def test_ladder__cases_of_the_iso_writing_version_still_replay_and_read_in_beijing_time(
    engine: Engine,
) -> None:
    sources = read_sources([ROOT / "processes"])
    ladder = sources["escalation_ladder.bpmn"].decode()
    assert NEW_REASON in ladder
    old = {**sources, "escalation_ladder.bpmn": ladder.replace(NEW_REASON, OLD_REASON).encode()}
    with engine.transaction() as service:
        service.deployments.deploy(old, at=datetime.fromisoformat("2026-06-08T08:00:00+08:00"))
        load_organisation(service, ORGANISATION, password=PASSWORD)
    escalated_rehandled_case(engine, upto=5)
    engine.fire_due_timers(now=datetime.fromisoformat("2026-06-11T09:00:00+08:00"))
    with engine.transaction() as service:
        service.deployments.deploy(sources, at=datetime.fromisoformat("2026-06-11T10:00:00+08:00"))
    with engine.reading() as service:
        assert "2026-06-10T17:30:00+08:00" in service.cases.get(KEY).data["escalation_reason"]
        assert service.chain.replay(KEY).matches_stored is True
    app = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    web = app.test_client()
    login(web, "lina")
    page = _read(web.get(f"/cases/{KEY}").get_data(as_text=True))
    app.extensions["mashangban.engine"].close()
    assert "第2级未在期限 2026-06-10 17:30 前解决" in page
    assert "2026-06-10T17:30" not in page
