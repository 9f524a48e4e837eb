"""The organisation as data (engine/orgchart.py, orgtransfer.py, formoptions.py): names over
time, closing, form options read live, the deploy lint of `options_from`, no department
code left in the diagrams, and concurrent admin changes on PostgreSQL."""

from __future__ import annotations

import itertools
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.demo import ORGANISATION
from engine.errors import Conflict, FormInvalid
from engine.formoptions import OptionsReader
from engine.forms import FormField, validate_form
from engine.orgtransfer import export_json, import_rows
from engine.service import Engine
from engine.settings import Settings
from engine.validation import validate
from tests.engine.test_lint import HEAD, TAIL

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def seed(engine: Engine) -> None:
    with engine.transaction() as service:
        service.staff.save_unit("district", "临江区政务服务中心", "district")
        service.staff.save_unit("civil", "区民政局", "department")
        service.staff.save_unit("labor", "区人社局", "department")


def test_rename__each_instant_gets_the_name_it_had(engine: Engine) -> None:
    seed(engine)
    with engine.transaction() as service:
        service.org.rename_unit("civil", "区民政和退役军人局", "admin", at=T0 + timedelta(days=10))
        service.org.rename_unit("civil", "区社会事务局", "admin", at=T0 + timedelta(days=20))
    with engine.transaction() as service:
        book = service.org.names()
        changes = service.org.changes()
    assert book.name("civil", T0) == "区民政局"
    assert book.name("civil", T0 + timedelta(days=15)) == "区民政和退役军人局"
    assert book.name("civil", T0 + timedelta(days=25)) == "区社会事务局"
    assert book.name("civil") == "区社会事务局"
    assert book.name("unknown", T0) == "unknown"
    assert [c.action for c in changes] == ["unit_renamed", "unit_renamed"]


def test_options__open_units_of_the_kind_by_name_read_at_each_use(engine: Engine) -> None:
    seed(engine)
    form = (FormField("lead", "牵头部门", "enum", properties={"options_from": "units:department"}),
            FormField("co", "协办部门", "string", properties={"options_from": "units:department"}),
            FormField("note", "意见"))  # fmt: skip
    with engine.transaction() as service:
        filled = OptionsReader(service.session).fill(form)
        service.org.add_unit("emergency", "区应急管理局", "department", None, "admin")
        service.org.close_unit("labor", "admin")
        later = OptionsReader(service.session).fill(form)
    assert [c.label for c in filled[0].choices] == ["区人社局", "区民政局"]
    assert {c.id for c in later[1].choices} == {"civil", "emergency"}
    assert filled[2] is form[2]
    assert validate_form(later, {"lead": "civil", "co": ["emergency", "civil", "emergency"]}) == {
        "lead": "civil", "co": "emergency,civil"}  # fmt: skip
    with pytest.raises(FormInvalid) as refused:
        validate_form(later, {"lead": "labor", "co": "civil,labor"})
    assert [(e.field, e.code, e.params["value"]) for e in refused.value.errors] == [
        ("lead", "not_an_option", "labor"), ("co", "not_an_option", "labor")]  # fmt: skip


def test_close__refused_while_staff_or_units_remain(engine: Engine) -> None:
    seed(engine)
    with engine.transaction() as service:
        service.staff.save_unit("town_a", "江滨街道", "town", "district")
        service.org.add_staff("heyun", "何芸", "labor", ["department_handler"], "admin")
    with engine.transaction() as service, pytest.raises(FormInvalid) as refused:
        service.org.close_unit("labor", "admin")
    assert refused.value.errors[0].code == "unit_has_staff"
    with engine.transaction() as service, pytest.raises(FormInvalid) as refused:
        service.org.close_unit("district", "admin")
    assert refused.value.errors[0].code == "unit_has_units"
    with engine.transaction() as service:
        staff = service.org.set_staff_active("heyun", False, "admin")
        assert staff.groups == ("dept:labor",) and not staff.active
        assert not service.org.close_unit("labor", "admin").open


def test_import__all_or_nothing_with_each_rows_result(engine: Engine) -> None:
    seed(engine)
    organisation = json.loads(ORGANISATION.read_text("utf-8"))
    organisation["users"].append({"username": "x", "name": "", "unit": "mars", "roles": ["god"]})
    with engine.transaction() as service:
        report = import_rows(service.org, organisation, "admin", T0)
    assert not report.applied
    bad = report.failed
    assert len(bad) == 1 and bad[0].line == len(organisation["users"])
    assert {e.code for e in bad[0].errors} == {"bad_username", "required", "unknown_unit",
                                               "not_an_option"}  # fmt: skip
    with engine.transaction() as service:
        assert len(service.org.units()) == 3  # nothing was imported
    organisation["users"].pop()
    with engine.transaction() as service:
        report = import_rows(service.org, organisation, "admin", T0)
        exported = export_json(service.org)
    assert report.applied and report.count("error") == 0
    assert report.count("unchanged") == 3 and report.count("created") == len(report.rows) - 3
    with engine.transaction() as service:
        again = import_rows(service.org, exported, "admin", T0)
    assert again.applied and again.count("unchanged") == len(again.rows)


LINTED = (
    '<bpmn:userTask id="t1"><bpmn:extensionElements><camunda:formData>{field}'
    "</camunda:formData></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming>"
    "<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>"
)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ('<camunda:formField id="d" label="部门" type="enum"><camunda:properties>'
         '<camunda:property id="options_from" value="units:planet"/></camunda:properties>'
         "</camunda:formField>",
         "p.bpmn:7: t1: form field 'd': options_from=\"units:planet\" is not a known source"),
        ('<camunda:formField id="d" label="部门" type="long"><camunda:properties>'
         '<camunda:property id="options_from" value="units:department"/></camunda:properties>'
         "</camunda:formField>",
         "p.bpmn:7: t1: form field 'd': options_from needs type=\"enum\""),
        ('<camunda:formField id="d" label="部门" type="enum"><camunda:properties>'
         '<camunda:property id="options_from" value="units:department"/></camunda:properties>'
         '<camunda:value id="labor" name="区人社局"/></camunda:formField>',
         "options_from replaces the field's own camunda:value options"),
    ],
)  # fmt: skip
def test_lint__options_from_is_checked_at_deploy(field: str, expected: str) -> None:
    problems = [str(p) for p in validate({"p.bpmn": (HEAD + LINTED.format(field=field)
                                                     + TAIL).encode()}).problems]  # fmt: skip
    assert any(expected in p for p in problems), problems


def test_lint__a_good_options_from_passes() -> None:
    field = ('<camunda:formField id="d" label="部门" type="string"><camunda:properties>'
             '<camunda:property id="options_from" value="units:department"/>'
             "</camunda:properties></camunda:formField>")  # fmt: skip
    assert validate({"p.bpmn": (HEAD + LINTED.format(field=field) + TAIL).encode()}).problems == []


def race(url: str, action: Any, racers: int = 6) -> list[Any]:
    engines = [Engine(Settings(database_url=url, instance_path=Path("."))) for _ in range(racers)]
    barrier = threading.Barrier(racers)
    results: list[Any] = [None] * racers

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            with engines[index].transaction() as service:
                results[index] = action(service, index)
        except Exception as error:  # collected and asserted on by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in engines:
        engine.close()
    return results


@pytest.mark.postgres
def test_add_unit__concurrent_adds_of_one_code_have_one_winner(
    pg_engine: Engine, postgres_url: str
) -> None:
    seed(pg_engine)
    results = race(postgres_url, lambda s, i: s.org.add_unit(
        "emergency", f"应急局{i}", "department", None, f"admin{i}"))  # fmt: skip
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == len(results) - 1, results
    assert all(isinstance(e, Conflict | FormInvalid) for e in errors), errors
    with pg_engine.transaction() as service:
        assert [c.action for c in service.org.changes()] == ["unit_added"]


@pytest.mark.postgres
def test_rename__concurrent_renames_leave_an_unbroken_chain_of_names(
    pg_engine: Engine, postgres_url: str
) -> None:
    seed(pg_engine)
    results = race(postgres_url, lambda s, i: s.org.rename_unit("civil", f"民政{i}", f"a{i}"))
    assert not [r for r in results if isinstance(r, Exception)], results
    with pg_engine.transaction() as service:
        book = service.org.names()
        current = book.name("civil")
    chain = sorted(book.past["civil"], key=lambda row: row[1])
    assert chain[0][0] is None and chain[0][2] == "区民政局"
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chain))
    names = [row[2] for row in chain] + [current]
    assert sorted(names[1:]) == sorted(f"民政{i}" for i in range(6))
