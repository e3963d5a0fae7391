"""Reception at the desk: pick the procedure, enter the applicant, tick the papers, decide."""

from __future__ import annotations

import uuid

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core.errors import DomainError
from motcua.core.lifecycle import Action
from motcua.core.text import fold
from motcua.desk.access import staff_required
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Intake, dossier_receive
from motcua.i18n import error_text
from motcua.organization.models import Agency

OUTCOMES = {
    "receive": (Action.RECEIVE, "01"),
    "supplement": (Action.REQUEST_SUPPLEMENT, "02"),
    "refuse": (Action.REFUSE, "03"),
}


@staff_required
def procedure_search(request: HttpRequest) -> HttpResponse:
    """Procedures matching the typed words, accent-insensitive (an htmx fragment)."""
    words = fold(request.GET.get("q", ""))[:100]
    procedures = Procedure.objects.order_by("code")
    if words:
        procedures = procedures.filter(Q(search_key__contains=words) | Q(code__startswith=words))
    return render(request, "desk/reception.html#results", {"procedures": procedures[:20]})


@staff_required
def reception(request: HttpRequest) -> HttpResponse:
    """The reception form; its three outcomes lead to forms 01, 02 or 03."""
    actor = request.actor
    code = request.POST.get("procedure") or request.GET.get("procedure", "")
    procedure = Procedure.objects.filter(code=code).first() if code else None
    version = procedure.current_version() if procedure else None
    context = {
        "nav": "reception",
        "procedure": procedure,
        "version": version,
        "documents": list(version.documents.all()) if version else [],
        "steps": list(version.steps.all()) if version else [],
        "procedures": Procedure.objects.order_by("code")[:20],
        "needs_commune": bool(
            version and version.competent == "commune" and actor.agency.kind != "commune"
        ),
        "delivery_choices": Dossier.Delivery.choices,
        "form_key": uuid.uuid4().hex,
        "values": request.POST,
    }
    if context["needs_commune"]:
        context["communes"] = Agency.objects.filter(kind=Agency.Kind.COMMUNE).order_by("name")
    if request.method != "POST" or procedure is None:
        return render(request, "desk/reception.html", context)
    post = request.POST
    outcome, form_number = OUTCOMES.get(post.get("outcome", ""), OUTCOMES["receive"])
    intake = Intake(
        procedure_code=procedure.code,
        applicant=Applicant(
            name=post.get("name", ""),
            id_number=post.get("id_number", ""),
            address=post.get("address", ""),
            phone=post.get("phone", ""),
            email=post.get("email", ""),
            representative_name=post.get("rep_name", ""),
            representative_id_number=post.get("rep_id", ""),
            authorisation=post.get("authorisation", ""),
        ),
        channel=Dossier.Channel.IN_PERSON,
        request=post.get("request", ""),
        copies=int(post.get("copies") or 1) if (post.get("copies") or "1").isdigit() else 1,
        delivery=post.get("delivery", Dossier.Delivery.DESK),
        competent_agency_code=post.get("commune", ""),
        documents=[int(x) for x in post.getlist("documents") if x.isdigit()],
    )
    try:
        dossier = dossier_receive(
            intake=intake,
            actor=actor,
            now=timezone.now(),
            outcome=outcome,
            reason=post.get("reason", ""),
            missing=post.get("missing", "").splitlines(),
            idempotency_key=post.get("form_key") or None,
        )
    except DomainError as exc:
        context.update(
            error=error_text(exc),
            error_field=exc.details.get("field"),
            form_key=post.get("form_key") or context["form_key"],
        )
        return render(request, "desk/reception.html", context, status=400)
    return redirect("paperwork:form", pk=dossier.pk, form=form_number)
