"""Prometheus metrics: one registry for the process, served at ``/metrics``.

Metrics are declared next to the code they measure and registered here, so a test can build an app
without clashing with a previous one's collectors.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "hirehub_http_requests_total",
    "HTTP requests served, by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "hirehub_http_request_duration_seconds",
    "Time to serve an HTTP request, by route template.",
    ["route"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ENTRA_CERTIFICATE_DAYS_LEFT = Gauge(
    "hirehub_entra_certificate_days_left",
    "Days until an Entra connection's certificate expires (negative once expired), by tenant, connection and "
    "which certificate (current, or pending during a rotation). Read from the database at each scrape.",
    ["tenant", "connection", "name", "certificate"],
    registry=REGISTRY,
)
