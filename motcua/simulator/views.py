"""The portal simulator's side of the sync (a TEST DOUBLE of the national portal): it checks
the bearer token, keeps each record once per Idempotency-Key and acknowledges it in JSON; told
so, it fails, loses its answer or answers late."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from motcua.simulator import services


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sync(request: HttpRequest) -> JsonResponse:
    """POST: one record of a dossier's change; GET: what was kept (for the demo's reader)."""
    expected = settings.NATIONAL_PORTAL_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected or not constant_time_compare(given, f"Bearer {expected}"):
        return JsonResponse({"Loi": "unauthorized"}, status=401)
    if request.method == "GET":
        rows = services.received_records(portal_ref=request.GET.get("MaHoSoQG", "")[:50])
        return JsonResponse(
            {"DanhSach": [r.record for r in rows[-200:]]}, json_dumps_params={"ensure_ascii": False}
        )
    if services.take_failure("fail_next"):
        return JsonResponse({"Loi": "simulated failure"}, status=500)
    delay = services.delay_seconds()
    if delay:
        time.sleep(delay)  # the demo's slow portal; the tests never set it
    key = request.headers.get("Idempotency-Key", "")[:200]
    try:
        record = json.loads(request.body)
        int(record["SoThuTu"]), int(record["TrangThaiHoSo"])  # both are required
    except (ValueError, TypeError, KeyError):
        return JsonResponse({"Loi": "not a TT04 record"}, status=400)
    if not key:
        return JsonResponse({"Loi": "Idempotency-Key is required"}, status=400)
    ack = services.record_received(key=key, record=record, now=timezone.now())
    if services.take_failure("lose_next"):
        return JsonResponse({"Loi": "simulated timeout"}, status=504)
    return JsonResponse(
        {
            "MaTiepNhan": ack.receipt,
            "MaHoSoQG": record.get("MaHoSoQG"),
            "MaHoSo": record.get("MaHoSo"),
            "SoThuTu": record["SoThuTu"],
            "TrangThai": "DaTiepNhan",
            "TrungLap": int(ack.duplicate),
        }
    )
