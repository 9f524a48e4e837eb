"""Open311 GeoReport v2 (issue 14): a 12345 hotline system or a city platform submits
matters and follows them.

Routes (JSON by default or with `.json`, XML with `.xml`):
`GET /open311/v2/services` · `GET|POST /open311/v2/requests` · `GET /open311/v2/requests/<id>`.
Services are our matter kinds; a request is a `closed_loop` case (its number is the
`service_request_id`); status is `open` while the case runs and `closed` once it is
finished or merged into another. Requests need an API key (`api_key` parameter or
`X-API-Key` header; `mashangban open311 key NAME` issues one), and a client sees only
the requests it filed. Errors are GeoReport's list of `{code, description}`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, request

from engine.open311 import ClientView, RequestView

from . import db
from .appeals import AppealInvalid, parse_appeal, window_units
from .casefacts import unit_name
from .vocabulary import KINDS

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Misconduct reports go to the 一键直达 channel (straight to discipline), not through here.
SERVICES = {code: name for code, name in KINDS.items() if code != "misconduct_report"}
DESCRIPTIONS = {
    "special_handling": "急事提速办、延时办、预约办、帮办代办",
    "policy_consultation": "复杂政策看不懂、拿不准",
    "coordination": "需要多个部门一起办的事",
    "conduct": "服务态度差、慢作为、不作为",
}
CLOSED = frozenset({"completed", "merged"})
MAX_LISTED = 1000


class Open311Error(Exception):
    """A GeoReport error: HTTP status, code and description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


@bp.errorhandler(Open311Error)
def _error(error: Open311Error) -> Response:
    return _respond([{"code": error.status, "description": error.description}], error.status,
                    root="errors", item="error")  # fmt: skip


@bp.get("/services")
@bp.get("/services.<fmt>")
def services(fmt: str = "json") -> Response:
    """The matter kinds a client may file (no key needed)."""
    rows = [{"service_code": code, "service_name": name, "description": DESCRIPTIONS.get(code, ""),
             "metadata": False, "type": "realtime", "keywords": "", "group": "马上办"}
            for code, name in SERVICES.items()]  # fmt: skip
    return _respond(rows, 200, fmt, root="services", item="service")


@bp.post("/requests")
@bp.post("/requests.<fmt>")
def create(fmt: str = "json") -> Response:
    """File a matter: a new case of the intake process; answers its number."""
    client = _client()
    raw = _params()
    data = _intake(raw)
    process = current_app.config["MASHANGBAN_INTAKE_PROCESS"]
    service = db.service()
    case = service.cases.start(process, data=data, actor="public")
    service.reach.open311.record(client, case.key)
    db.commit()
    notice = "已受理，将在 24 小时内首次响应"
    return _respond([{"service_request_id": case.key, "service_notice": notice,
                      "account_id": None}], 201, fmt, root="service_requests",
                    item="request")  # fmt: skip


@bp.get("/requests")
@bp.get("/requests.<fmt>")
def index(fmt: str = "json") -> Response:
    """The client's own requests, newest first, filtered as GeoReport describes."""
    client = _client()
    keys = [k.strip() for k in request.args.get("service_request_id", "").split(",") if k.strip()]
    since, until = _date("start_date"), _date("end_date")
    found = db.service().reach.open311.requests(client, keys or None, since, until, MAX_LISTED)
    rows = [_request(r) for r in found]
    code, status = request.args.get("service_code"), request.args.get("status")
    rows = [r for r in rows if (not code or r["service_code"] in code.split(","))
            and (not status or r["status"] in status.split(","))]  # fmt: skip
    return _respond(rows, 200, fmt, root="service_requests", item="request")


@bp.get("/requests/<key>.<fmt>")
@bp.get("/requests/<key>")
def show(key: str, fmt: str = "json") -> Response:
    """One of the client's requests (404 for anyone else's)."""
    client = _client()
    found = db.service().reach.open311.requests(client, [key], None, None, 1)
    if not found:
        raise Open311Error(404, f"no request {key} filed by this client")
    return _respond([_request(found[0])], 200, fmt, root="service_requests", item="request")


def _client() -> ClientView:
    key = request.values.get("api_key") or request.headers.get("X-API-Key", "")
    client = db.service().reach.open311.client(key.strip())
    if client is None:
        raise Open311Error(403, "a valid api_key is required (ask the district's office for one)")
    return client


def _params() -> dict[str, Any]:
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise Open311Error(400, "the JSON body must be an object")
        return body
    return request.form.to_dict()


def _intake(raw: dict[str, Any]) -> dict[str, Any]:
    """GeoReport's fields as our intake data (processes/CONTRACT.md), or a 400."""
    code = str(raw.get("service_code") or "")
    if code not in SERVICES:
        raise Open311Error(400, f"service_code must be one of {', '.join(SERVICES)}")
    description = str(raw.get("description") or "").strip()
    place = str(raw.get("attribute[place_unit]") or raw.get("place_unit") or "").strip()
    name = f"{raw.get('last_name') or ''}{raw.get('first_name') or ''}".strip() or "热线来电人"
    units = db.service().staff.units()
    tier, unit = ("village", place) if place else ("district", _district_window(units))
    appeal = {
        "kind": code, "title": str(raw.get("attribute[title]") or description[:30]),
        "description": description, "tier": tier, "intake_unit": unit,
        "contact": {"name": name, "phone": str(raw.get("phone") or "")},
        "address": raw.get("address_string"), "place_unit": place,
        "latitude": raw.get("lat"), "longitude": raw.get("long"),
    }  # fmt: skip
    try:
        return parse_appeal(appeal, units, channel="open311")
    except AppealInvalid as error:
        fields = "; ".join(f"{_FIELD_NAMES.get(k, k)}: {v}" for k, v in error.fields.items())
        raise Open311Error(400, fields) from None


_FIELD_NAMES = {"contact.phone": "phone", "contact.name": "first_name", "latitude": "lat",
                "longitude": "long", "address": "address_string", "intake_unit": "place_unit",
                "place_unit": "attribute[place_unit]", "title": "attribute[title]"}  # fmt: skip


def _district_window(units: Any) -> str:
    windows = window_units(units)["district"]
    return windows[0].code if windows else ""


def _date(name: str) -> datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _request(found: RequestView) -> dict[str, Any]:
    """A case as a GeoReport service request."""
    case, data = found.summary, found.data
    closed = case.status in CLOSED
    notes = data.get("public_reply") if closed else "、".join(found.stage)
    lead = data.get("lead_department")
    return {
        "service_request_id": case.key, "status": "closed" if closed else "open",
        "status_notes": notes or None, "service_name": SERVICES.get(data.get("kind", ""), ""),
        "service_code": data.get("kind"), "description": data.get("description"),
        "agency_responsible": unit_name(lead) if lead else None, "service_notice": None,
        "requested_datetime": _iso(case.created_at), "updated_datetime": _iso(case.updated_at),
        "expected_datetime": data.get("sla_due") or data.get("first_response_due"),
        "address": data.get("address"), "address_id": None, "zipcode": None,
        "lat": data.get("latitude"), "long": data.get("longitude"), "media_url": None,
    }  # fmt: skip


def _iso(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def _respond(rows: list[dict[str, Any]], status: int, fmt: str = "json", *, root: str,
             item: str) -> Response:  # fmt: skip
    if fmt == "xml":
        top = ElementTree.Element(root)
        for row in rows:
            node = ElementTree.SubElement(top, item)
            for key, value in row.items():
                ElementTree.SubElement(node, key).text = "" if value is None else str(value)
        body = ElementTree.tostring(top, encoding="unicode", xml_declaration=True)
        return Response(body, status, mimetype="text/xml")
    if fmt != "json":
        rows = [{"code": 404, "description": "use .json or .xml"}]
        status = 404
    response = jsonify(rows)
    response.status_code = status
    return response
