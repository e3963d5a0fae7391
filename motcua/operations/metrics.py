"""Prometheus metrics (`/metrics`): request latency per view, observed by a middleware, and the
service's volumes read from the database when the page is scraped.

One process: the default registry. Under gunicorn with several workers, set
PROMETHEUS_MULTIPROC_DIR to an empty directory (emptied at each start): prometheus_client then
keeps each process's histogram in a file there and the page adds them up (docs/operations.md).
The gauges read from the database are the same whichever process answers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from motcua.core.health import worker_lag
from motcua.dossiers.selectors import overdue_open_count
from motcua.notify.selectors import outbox_backlog
from motcua.operations.selectors import last_worker_beat
from motcua.oversight.selectors import received_total

REQUEST_SECONDS = Histogram(
    "motcua_request_duration_seconds",
    "Time to answer a request, per view (URL name), method and status class.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def view_name(request: HttpRequest) -> str:
    """The URL's name (`desk:inbox`), never its path: a path carries ids and codes."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or "<unnamed>"


class RequestMetricsMiddleware:
    """Observes each request's duration in REQUEST_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            view=view_name(request),
            method=request.method if request.method in _METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class VolumesCollector(Collector):
    """The figures read at each scrape: a count each, by an index."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield CounterMetricFamily(
            "motcua_dossiers_received",
            "Dossiers received, every agency, as far as the worker has tallied.",
            value=received_total(),
        )
        yield GaugeMetricFamily(
            "motcua_dossiers_overdue_open",
            "Open dossiers past their appointment date with the agency's clock running.",
            value=overdue_open_count(now=now),
        )
        yield GaugeMetricFamily(
            "motcua_outbox_backlog",
            "Messages due and not yet sent nor given up.",
            value=outbox_backlog(now=now),
        )
        lag = worker_lag(last_worker_beat(), now)
        yield GaugeMetricFamily(
            "motcua_worker_lag_seconds",
            "Seconds since a worker last finished a pass (NaN: none ever did).",
            value=float("nan") if lag is None else lag,
        )


_VOLUMES = CollectorRegistry()
_VOLUMES.register(VolumesCollector())


def exposition() -> tuple[bytes, str]:
    """The metrics page's body and content type: this process's metrics (or, with
    PROMETHEUS_MULTIPROC_DIR, every process's, from their files), then the volumes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)  # type: ignore[no-untyped-call]
    else:
        processes = REGISTRY
    return generate_latest(processes) + generate_latest(_VOLUMES), CONTENT_TYPE_LATEST
