"""The receiver: POST /lien-thong/v1/messages takes one signed message and answers with the
signed acknowledgement, or a refusal as the API's structured error (motcua/edge.py)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError
from motcua.edge import problem_body, status_for
from motcua.exchange.services import exchange_receive


@csrf_exempt  # machine to machine: the message's own signature authenticates it
@require_POST
def messages(request: HttpRequest) -> JsonResponse:
    try:
        ack = exchange_receive(raw=request.body, now=timezone.now())
    except DomainError as exc:
        return JsonResponse(problem_body(exc), status=status_for(exc))
    return JsonResponse(ack)
