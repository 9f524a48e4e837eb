"""Form validation reports each bad value with a stable code and params, and English text."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import FieldError, FormInvalid
from engine.forms import Choice, FormField, validate_form
from engine.reporting import RatesQuery

FIELDS = (
    FormField("title", "标题", required=True, minlength=2, maxlength=5),
    FormField("code", "编号", pattern=r"[A-Z]+"),
    FormField("people", "人数", type="long", min=1, max=4),
    FormField("urgent", "紧急", type="boolean"),
    FormField("day", "日期", type="date"),
    FormField("kind", "类型", type="enum", choices=(Choice("a", "甲"), Choice("b", "乙"))),
)


def _errors(submitted: Any) -> dict[str, FieldError]:
    with pytest.raises(FormInvalid) as invalid:
        validate_form(FIELDS, submitted)
    return {e.field: e for e in invalid.value.errors}


@pytest.mark.parametrize(
    ("field", "value", "code", "params"),
    [
        ("title", "", "required", {}),
        ("title", "x", "too_short", {"min": 2}),
        ("title", "xxxxxx", "too_long", {"max": 5}),
        ("title", ["x"], "expected_text", {}),
        ("code", "abc", "bad_format", {"pattern": "[A-Z]+"}),
        ("people", "0", "too_small", {"min": 1}),
        ("people", 9, "too_large", {"max": 4}),
        ("people", "3.5", "not_integer", {"value": "3.5"}),
        ("people", True, "expected_integer", {}),
        ("urgent", "maybe", "not_boolean", {"value": "maybe"}),
        ("day", "2026/10/01", "not_a_date", {"value": "2026/10/01"}),
        ("kind", "c", "not_an_option", {"value": "c", "choices": ["a", "b"]}),
        ("nosuch", "1", "unknown_field", {}),
    ],
)
def test_validate_form__each_bad_value_has_a_stable_code_and_params(
    field: str, value: Any, code: str, params: dict[str, Any]
) -> None:
    error = _errors({"title": "好的", field: value})[field]
    assert (error.code, dict(error.params)) == (code, params)


def test_validate_form__english_message_kept_for_logs() -> None:
    errors = _errors({"title": "xxxxxx", "people": "0", "kind": "c"})
    assert errors["title"].message == "must be at most 5 characters"
    assert errors["people"].message == "must be at least 1"
    assert errors["kind"].message == "'c' is not one of the choices: a, b"


def test_validate_form__not_an_object_is_a_form_level_code() -> None:
    assert _errors(["title"])[""].code == "not_an_object"


def test_rates_query__bad_parameters_have_codes() -> None:
    query = RatesQuery(group_by="year", filters={"colour": "red"})
    with pytest.raises(FormInvalid) as invalid:
        query.check()
    errors = {e.field: e for e in invalid.value.errors}
    assert errors["group_by"].code == "not_an_option"
    assert errors["group_by"].params["value"] == "year"
    assert errors["colour"].code == "unknown_filter"
    assert "unit" in errors["colour"].params["choices"]
