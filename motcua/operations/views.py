"""`/healthz` (for the proxy and the monitoring): cheap, no sign-in, no personal data."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from motcua.core.health import health
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
