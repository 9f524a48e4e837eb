"""Where a matter is: an address, the village/community (from the organisation) and
optional coordinates, as the public form, the API and Open311 give them (issue 14).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from engine.organisation import UnitView

from .i18n import gettext as _

MAX_ADDRESS = 200
PLACE_KIND = "village"


def villages(units: Sequence[UnitView]) -> dict[str, list[UnitView]]:
    """The villages/communities a submitter may choose, by the town they belong to."""
    grouped: dict[str, list[UnitView]] = {}
    for unit in units:
        if unit.kind == PLACE_KIND and not unit.closed:  # a closed unit is offered nowhere
            grouped.setdefault(unit.parent_code or "", []).append(unit)
    return grouped


def parse_place(
    raw: Mapping[str, Any], units: Sequence[UnitView], errors: dict[str, str]
) -> dict[str, Any]:
    """The place keys of the intake data (`address`, `place_unit`, `latitude`, `longitude`),
    each only when given; a bad value goes into `errors` under its field name."""
    data: dict[str, Any] = {}
    address = raw.get("address")
    address = address.strip() if isinstance(address, str) else ""
    if len(address) > MAX_ADDRESS:
        errors["address"] = _("最多 {n} 个字符", n=MAX_ADDRESS)
    elif address:
        data["address"] = address
    place = raw.get("place_unit")
    place = place.strip() if isinstance(place, str) else ""
    if place and place not in {u.code for u in units if u.kind == PLACE_KIND and not u.closed}:
        errors["place_unit"] = _("请从列表中选择村（社区）")
    elif place:
        data["place_unit"] = place
    latitude = _coordinate(raw.get("latitude"), 90, "latitude", errors)
    longitude = _coordinate(raw.get("longitude"), 180, "longitude", errors)
    if (latitude is None) != (longitude is None) and "latitude" not in errors:
        errors["longitude" if latitude is not None else "latitude"] = _("经纬度需同时填写")
    elif latitude is not None and longitude is not None:
        data["latitude"], data["longitude"] = latitude, longitude
    return data


def _coordinate(value: Any, limit: int, name: str, errors: dict[str, str]) -> float | None:
    """A decimal degree within ±limit, or None when left empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        errors[name] = _("请填写 -{n} 到 {n} 之间的十进制度数", n=limit)
        return None
    return round(number, 6)
