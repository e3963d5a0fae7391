"""`/healthz` (for the proxy and the monitoring): cheap, no sign-in, no personal data; and
`/metrics` (Prometheus), only for the bearer of METRICS_TOKEN or an address in
METRICS_NETWORKS, since its volumes are the service's business."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from motcua.core.health import health
from motcua.edge import client_address
from motcua.operations import metrics as prometheus
from motcua.operations import selectors


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and a worker beat recently, 503 otherwise."""
    database_ok = selectors.database_answers()
    verdict = health(
        database_ok=database_ok,
        last_beat=selectors.last_worker_beat() if database_ok else None,
        now=timezone.now(),
        max_lag_seconds=settings.WORKER_MAX_LAG_SECONDS,
    )
    body = {
        "status": "ok" if verdict.ok else "fail",
        "database": "ok" if verdict.database_ok else "fail",
        "worker": {
            "status": "ok" if verdict.worker_ok else "fail",
            "last_beat": verdict.last_beat.isoformat() if verdict.last_beat else None,
            "lag_seconds": None if verdict.lag_seconds is None else round(verdict.lag_seconds, 1),
        },
    }
    return JsonResponse(body, status=200 if verdict.ok else 503)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format; 404 while neither a token nor a network is set, 403 to
    anyone else."""
    if not (settings.METRICS_TOKEN or settings.METRICS_NETWORKS):
        return HttpResponse(status=404)
    if not _may_scrape(request):
        return HttpResponse(status=403, headers={"WWW-Authenticate": "Bearer"})
    body, content_type = prometheus.exposition()
    return HttpResponse(body, content_type=content_type)


def _may_scrape(request: HttpRequest) -> bool:
    """The right bearer token, or a source address within METRICS_NETWORKS."""
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    address = client_address(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(net) for net in settings.METRICS_NETWORKS)
