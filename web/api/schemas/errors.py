"""The error body every failing API call answers with (written by web/errors.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldProblem(BaseModel):
    """One bad value: which field, a stable code, its params, and a message to show."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="The field, dotted for nested ones (`contact.name`).")
    code: str = Field(
        description="required, unknown_field, not_an_object, expected_text, "
        "expected_integer, expected_number, expected_list, not_integer{value}, "
        "not_boolean{value}, not_a_date{value}, not_an_option{value,choices}, too_short{min}, "
        "too_long{max}, too_few{min}, too_many{max}, bad_format{pattern}, too_small{min}, "
        "too_large{max}, unknown_filter{choices}, ends_before_start, the organisation's codes, "
        "or `invalid` (a rule of the matter; `message` says which).",
        examples=["too_long"],
    )
    params: dict[str, Any] = Field(description='The code\'s values, e.g. `{"max": 50}`.')
    message: str = Field(description="In the request's language (Accept-Language).")


class ErrorDetail(BaseModel):
    """What went wrong (`code` is stable; `message` is for people)."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(examples=["validation_failed"])
    message: str
    fields: dict[str, str] | None = Field(None, description="Per field, its message.")
    errors: list[FieldProblem] | None = Field(
        None, description="422 `validation_failed` and `form_invalid`: every bad value."
    )


class ErrorBody(BaseModel):
    """`{"error": {...}}`."""

    error: ErrorDetail
