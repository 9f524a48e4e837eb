"""Prometheus metrics at `/metrics`: requests, latency, and figures read at scrape time.

Request counts and latencies are counted in each process; under gunicorn set
`PROMETHEUS_MULTIPROC_DIR` (deploy/gunicorn.conf.py does) and every worker's numbers are
summed at scrape time. Open and overdue tasks, timer lag and quarantined cases come from
the engine's service API when Prometheus scrapes (`Engine.operations()`), so they are
always current and cost one set of queries per scrape, not per request.

Access: only clients in `MASHANGBAN_METRICS_NETWORKS` (default: this machine), or any
client presenting `Authorization: Bearer $MASHANGBAN_METRICS_TOKEN` when that is set.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from . import db
from .config import ConfigError
from .requestlog import route

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)

# registry=None: these live in this module; each scrape builds a registry around them.
REQUESTS = Counter(
    "mashangban_http_requests", "HTTP requests by route, method and status",
    ["route", "method", "status"], registry=None,
)  # fmt: skip
LATENCY = Histogram(
    "mashangban_action_duration_seconds", "Time to answer a request (an action), by route",
    ["route", "method"], registry=None,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)  # fmt: skip


def init_app(app: Flask) -> None:
    """Count every request and serve `/metrics`."""
    app.after_request(_observe)
    app.register_blueprint(bp)
    with app.app_context():
        _networks()  # a mistyped network stops the start, not the first scrape


def _observe(response: Response) -> Response:
    if request.endpoint != "metrics.metrics":  # scrapes would swamp the real traffic
        name, method = route(), request.method
        REQUESTS.labels(name, method, str(response.status_code)).inc()
        started = g.get("msb_started")
        LATENCY.labels(name, method).observe(time.perf_counter() - started if started else 0.0)
    return response


@bp.get("/metrics")
def metrics() -> Response:
    """The Prometheus text exposition (403 for clients that are not allowed)."""
    if not _allowed():
        abort(403)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # prometheus_client leaves this constructor unannotated
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(_Operations())
    registry.register(_Outbox())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _allowed() -> bool:
    token = current_app.config.get("MASHANGBAN_METRICS_TOKEN")
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(client in network for network in _networks())


def _networks() -> Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    text = current_app.config.get("MASHANGBAN_METRICS_NETWORKS") or ""
    try:
        return [ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise ConfigError(
            f"MASHANGBAN_METRICS_NETWORKS: {error} (give networks like "
            f"'127.0.0.1/32,10.0.0.0/8', separated by commas)"
        ) from None


class _ThisProcess:
    """The request metrics of this process (single-process servers and tests)."""

    def collect(self) -> Iterator[Metric]:
        """Yield the counters and histograms."""
        yield from REQUESTS.collect()
        yield from LATENCY.collect()


class _Operations:
    """Figures from the database, read through the service API at scrape time."""

    def collect(self) -> Iterator[Metric]:
        """Yield the gauges (and whether the database could be read)."""
        up = GaugeMetricFamily("mashangban_database_up", "1 if the scrape could read the database")
        try:
            figures: Any = db.get_engine().operations()
        except Exception as error:  # a scrape must still answer when the database is down
            log.warning("metrics: cannot read the database: %s: %s", type(error).__name__, error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("mashangban_open_tasks", "Open human tasks",
                                value=figures.open_tasks)  # fmt: skip
        overdue = GaugeMetricFamily("mashangban_overdue_tasks",
                                    "Open tasks past their due time, by the case's unit",
                                    labels=["unit"])  # fmt: skip
        for unit, count in sorted(figures.overdue_by_unit.items()):
            overdue.add_metric([unit], count)
        yield overdue
        yield GaugeMetricFamily("mashangban_timer_lag_seconds",
                                "How long the oldest due timer or scheduled start has waited",
                                value=figures.timer_lag_seconds)  # fmt: skip
        yield GaugeMetricFamily("mashangban_quarantined_cases",
                                "Cases taken out of the timer rotation after an error",
                                value=figures.quarantined_cases)  # fmt: skip


class _Outbox:
    """Outgoing notifications by status (one GROUP BY over an index: cheap at scrape time)."""

    def collect(self) -> Iterator[Metric]:
        """Yield the outbox depth per status (nothing when the database cannot be read)."""
        try:
            with db.get_engine().transaction() as service:
                depth = service.notifications.depth()
        except Exception as error:  # mashangban_database_up already says so
            log.warning("metrics: cannot read the outbox: %s: %s", type(error).__name__, error)
            return
        gauge = GaugeMetricFamily("mashangban_outbox_messages",
                                  "E-mail and SMS in the outbox by status (dead: gave up)",
                                  labels=["status"])  # fmt: skip
        for status, count in sorted(depth.items()):
            gauge.add_metric([status], count)
        yield gauge
