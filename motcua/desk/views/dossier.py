"""The dossier page and its actions."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.core.lifecycle import Action
from motcua.desk.access import staff_required
from motcua.desk.page import dossier_page_context
from motcua.desk.views.common import int_or_none
from motcua.dossiers.selectors import access_dossier
from motcua.dossiers.services import dossier_act, dossier_view_personal_data
from motcua.i18n import error_text


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one dossier, and only the actions the state and the role allow."""
    try:
        dossier = access_dossier(actor=request.actor, pk=pk)
    except NotFound as exc:
        return render(request, "desk/not_found.html", {"message": error_text(exc)}, status=404)
    now = timezone.now()
    dossier_view_personal_data(dossier=dossier, actor=request.actor, now=now)
    return render(request, "desk/dossier.html", dossier_page_context(dossier, request.actor, now))


@staff_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply one action; a conflict or a refusal shows the fresh state with the reason."""
    actor = request.actor
    try:
        dossier = access_dossier(actor=actor, pk=pk)
    except NotFound as exc:
        return render(request, "desk/not_found.html", {"message": error_text(exc)}, status=404)
    post = request.POST
    now = timezone.now()
    try:
        action = Action(post.get("action", ""))
        dossier = dossier_act(
            dossier=dossier,
            action=action,
            actor=actor,
            now=now,
            expected_version=int_or_none(post.get("version")),
            note=post.get("note", ""),
            to_user_id=int_or_none(post.get("to_user")),
            new_due_at=_parse_local(post.get("new_due", ""), now),
            missing=post.get("missing", "").splitlines(),
            delivery=post.get("delivery", ""),
        )
    except ValueError:
        messages.error(request, _("Thao tác không hợp lệ."))
        return redirect("desk:dossier", pk=pk)
    except DomainError as exc:
        dossier.refresh_from_db()
        context = dossier_page_context(dossier, actor, now)
        context.update(error=error_text(exc), error_code=exc.code)
        return render(
            request, "desk/dossier.html", context, status=409 if exc.code == "conflict" else 400
        )
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": action.label})
    return redirect("desk:dossier", pk=dossier.pk)


def _parse_local(value: str, now: datetime) -> datetime | None:
    """A datetime-local input (YYYY-MM-DDTHH:MM) in the site's zone, or None when empty."""
    if not value.strip():
        return None
    parsed = datetime.fromisoformat(value)  # ValueError -> "invalid" above
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
