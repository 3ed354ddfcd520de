"""Prometheus metrics: one registry per process, request metrics, and gauges filled at scrape time."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

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
TASKS = Counter(
    "erkenning_worker_tasks_total", "Worker task outcomes by topic", ["topic", "outcome"], registry=REGISTRY
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)


def render() -> bytes:
    return generate_latest(REGISTRY)
