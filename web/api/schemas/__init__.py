"""The API's shapes as pydantic models: one class per request body, query and response.

The same class validates a request (`operations.operation`), serializes the answer and
is the schema in /api/v1/openapi.json (`openapi.document`), so the document cannot say
one thing while the code does another. Three bases set the rules of each kind of shape:

- `Body`: a JSON request body, checked strictly (no text for numbers, no 1 for true);
  unknown keys are ignored, as they always were.
- `Query`: query parameters (text from the URL, so "3" is read as 3).
- `Answer`: a response; every field is always present and nothing else is
  (`extra="forbid"`), so a serializer that drifts from its model fails at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic.config import JsonDict, JsonValue
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError


class Body(BaseModel):
    """A JSON request body."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Query(BaseModel):
    """The query parameters of an operation (unknown ones are ignored, empty ones absent,
    as a GET form sends every field)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _without_empty(cls, values: Any) -> Any:
        if isinstance(values, dict):
            return {name: value for name, value in values.items() if value != ""}
        return values


class Answer(BaseModel):
    """A response body (or a part of one)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def iso(value: datetime | None) -> str | None:
    """An optional `Instant` as its text (None stays None)."""
    return None if value is None else value.isoformat()


def _filled(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("required", "this field is required")
    return value


# ISO-8601 with offset, exactly as `datetime.isoformat()` writes it.
Instant = Annotated[str, BeforeValidator(_iso), Field(json_schema_extra={"format": "date-time"})]
# Text the server trims and then refuses if nothing is left (code `required`).
_FILLED_SCHEMA: JsonDict = {"minLength": 1, "pattern": r"\S"}
Filled = Annotated[str, AfterValidator(_filled), Field(json_schema_extra=_FILLED_SCHEMA)]
Texts = list[str]
JsonObject = dict[str, Any]


def checked(check: Callable[[str], str], **field: Any) -> FieldInfo:
    """`Field(**field)` whose `check` runs first, for `Annotated[str, checked(...)]`.

    A field's annotation cannot be a call (type checkers refuse it), so the helpers below
    return this metadata rather than a whole `Annotated` type.
    """
    info: FieldInfo = Field(**field)
    info.metadata.insert(0, AfterValidator(check))
    return info


def filled(max_length: int, **extra: Any) -> FieldInfo:
    """Filled text of at most `max_length` characters: `Annotated[str, filled(50)]`."""
    return checked(_filled, json_schema_extra=_FILLED_SCHEMA, max_length=max_length, **extra)


def one_of(choices: Iterable[str], **extra: Any) -> FieldInfo:
    """Text that must be one of `choices` (code `not_an_option{value, choices}`):
    `Annotated[str, one_of(KINDS)]`."""
    values = list(choices)

    def check(value: str) -> str:
        if value not in values:
            raise PydanticCustomError(
                "not_an_option", "'{value}' is not one of the choices",
                {"value": value, "choices": values},
            )  # fmt: skip
        return value

    enum: list[JsonValue] = [*values]
    return checked(check, json_schema_extra={"enum": enum}, **extra)


class OpenApiDocument(BaseModel):
    """The OpenAPI document itself (its parts are described by the OpenAPI standard)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    openapi: str
    info: JsonObject
    paths: JsonObject
    components: JsonObject
