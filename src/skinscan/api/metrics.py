"""Prometheus metrics (``GET /metrics``, text exposition): what an operator of many replicas watches.

- ``skinscan_http_requests_total{route, method, status}`` and
  ``skinscan_http_request_duration_seconds{route}`` (histogram), for every request;
- ``skinscan_model_seconds`` (histogram): one ONNX Runtime call, i.e. one micro-batch;
- ``skinscan_batch_size`` (histogram): photos per model call;
- ``skinscan_refusals_total{code}``: photos the model would not judge (422 ``photo_unusable``,
  ``not_a_lesion``).

Labels come from bounded sets only: the route *template* (``/api/v1/predict``, ``static`` for the
page and model files, ``other`` for anything unmatched), a known method or ``other``, the status
code, a refusal code. Never a path as sent, a query, a file name, a client address, photo bytes
or an answer.

With ``serve --workers N`` the server points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh temporary
folder before the workers start (api/server.py); prometheus-client then keeps each worker's
values in files there and ``/metrics``, whichever worker answers, sums all of them. Without it
each process counts for itself (one process per replica: a pod, a ``skinscan cluster`` replica).
``SKINSCAN_METRICS=0`` turns it all off (``/metrics`` is then a JSON 404).
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
MODEL_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The classic text format, which every Prometheus reads (our names are plain ASCII, so the body is
the same in the newer 1.0.0 format)."""


class Metrics:
    """The app's metrics in a registry of its own (so that several apps in one process, as in the
    tests, never collide). Thread-safe: the model lanes record from their own threads."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "skinscan_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "skinscan_http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer, by route template.",
            ["route"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.model = Histogram(
            "skinscan_model_seconds",
            "Time of one model call (one micro-batch of photos).",
            buckets=MODEL_BUCKETS,
            registry=self.registry,
        )
        self.batch = Histogram(
            "skinscan_batch_size",
            "Photos per model call.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.refusals = Counter(
            "skinscan_refusals",
            "Photos refused without a probability (422), by code.",
            ["code"],
            registry=self.registry,
        )

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method if method in METHODS else "other", str(status)).inc()
        self.duration.labels(route).observe(seconds)

    def model_call(self, batch_size: int, seconds: float) -> None:
        self.model.observe(seconds)
        self.batch.observe(batch_size)

    def refusal(self, code: str) -> None:
        self.refusals.labels(code).inc()

    def exposition(self) -> bytes:
        """The text format: this process's registry, or every worker's files in multiprocess mode."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return bytes(generate_latest(registry))
        return bytes(generate_latest(self.registry))
