"""Prometheus metrics: the API's registry (requests, and gauges filled at scrape time from PostgreSQL and
Redis) and the worker's registry (task outcomes, counted where they happen).

The worker is another process, so the API's `/metrics` cannot see its counters. It serves them
itself (`serve_worker_metrics`, port `WORKER_METRICS_PORT`) — exact counts of every attempt,
including failures that later succeed, which the database does not keep. Where API and worker share
a process (`erkenning dev`, the tests) the API's `/metrics` shows both registries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server
from sqlmodel.ext.asyncio.session import AsyncSession

REGISTRY = CollectorRegistry(auto_describe=True)
WORKER_REGISTRY = CollectorRegistry(auto_describe=True)

# A domain's scrape-time gauges: read in the scrape's one session, set on the API's registry (wired in the app).
GaugeReader = Callable[[AsyncSession], Awaitable[None]]

HTTP_REQUESTS = Counter(
    "erkenning_http_requests_total", "HTTP requests by route and status", ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "erkenning_http_request_duration_seconds", "HTTP request latency by route", ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge("erkenning_outbox_pending", "Outbox events not yet done", registry=REGISTRY)
OUTBOX_DEAD = Gauge("erkenning_outbox_dead", "Outbox events that exhausted their attempts", registry=REGISTRY)
OUTBOX_OLDEST_AGE = Gauge(
    "erkenning_outbox_oldest_pending_age_seconds", "Seconds since the oldest pending event became due",
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge("erkenning_queue_depth", "Jobs waiting in the arq queue (-1: Redis unreachable)", registry=REGISTRY)
SCRAPE_DATABASE_OK = Gauge(
    "erkenning_metrics_database_ok",
    "1 when this scrape read the database gauges (outbox, and the domains' own) from PostgreSQL; "
    "0 when it could not (they are stale)",
    registry=REGISTRY,
)

TASKS = Counter(
    "erkenning_worker_tasks_total",
    "Outbox event runs by topic and outcome (done; failed: will be retried; dead: attempts exhausted)",
    ["topic", "outcome"],
    registry=WORKER_REGISTRY,
)
TASK_DURATION = Histogram(
    "erkenning_worker_task_duration_seconds", "Time an outbox event's handler took, by topic", ["topic"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=WORKER_REGISTRY,
)


# The labelled series of each (method, route, status), looked up once: `labels()` builds and locks on every call,
# and the request path runs this for every request. Routes are templates, so the keys are few.
_REQUEST_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    series = _REQUEST_SERIES.get((method, route, status))
    if series is None:
        series = _REQUEST_SERIES[(method, route, status)] = (
            HTTP_REQUESTS.labels(method, route, str(status)), HTTP_LATENCY.labels(method, route),
        )
    series[0].inc()
    series[1].observe(seconds)


def observe_task(topic: str, outcome: str, seconds: float | None = None) -> None:
    TASKS.labels(topic, outcome).inc()
    if seconds is not None:
        TASK_DURATION.labels(topic).observe(seconds)


def render() -> bytes:
    """The API's exposition: its own registry, and the worker's where a worker runs in this process."""
    return generate_latest(REGISTRY) + generate_latest(WORKER_REGISTRY)


def serve_worker_metrics(host: str, port: int) -> WSGIServer:
    """Expose the worker's registry over HTTP (a daemon thread) for Prometheus to scrape."""
    server, _ = start_http_server(port, addr=host, registry=WORKER_REGISTRY)
    return server
