"""The citizen's online submission pages: start or resume a draft, fill and submit it, the
list of drafts; and form 01 for the citizen, opened with the dossier code and tracking secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from motcua.catalog.selectors import documents_of
from motcua.citizens.session import CitizenRequest, citizen_required
from motcua.core import fees
from motcua.core.errors import DomainError, InvalidInput, fill
from motcua.dossiers.services import ScanUpload
from motcua.edge import add_to_form, render_error
from motcua.online import selectors, services
from motcua.online.forms import EForm, field_names, initial_of
from motcua.online.models import Draft
from motcua.organization.selectors import provinces, wards_by_province

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

PROBLEM = "online/problem.html"


@citizen_required
@require_http_methods(["GET", "POST"])
def start(request: CitizenRequest, code: str) -> HttpResponse:
    """GET: the open draft of this procedure, else a page whose button begins one (a GET
    changes nothing). POST: begin the draft, or resume the one already open."""
    if request.method == "GET" and (existing := selectors.open_draft(request.citizen, code)):
        return redirect("online:draft", existing.pk)
    try:
        if request.method == "GET":
            version = selectors.online_version(code, timezone.now())
            return render(request, "online/start.html", {"procedure": version.procedure})
        draft = services.draft_start(
            citizen=request.citizen, procedure_code=code, now=timezone.now()
        )
    except DomainError as exc:
        return render_error(request, PROBLEM, exc)
    return redirect("online:draft", draft.pk)


@citizen_required
def drafts(request: CitizenRequest) -> HttpResponse:
    """The citizen's drafts, to resume."""
    rows = selectors.drafts_of(request.citizen)
    days = services.policy().draft_days
    return render(request, "online/drafts.html", {"rows": rows, "days": days})


def _form(
    request: CitizenRequest, draft: Draft, data: object = None, files: object = None
) -> EForm:
    specs = selectors.form_specs(draft.version)
    papers = [(d.pk, d.name) for d in documents_of(draft.version) if not d.show_only]
    results = {
        doc_id: [(d.pk, _result_label(d)) for d in found]
        for doc_id, found in selectors.reusable_results(request.citizen.pk, papers).items()
    }
    places = selectors.places_for(commune_level=selectors.commune_level(draft.version))
    wards = wards_by_province()
    initial = initial_of(specs, draft.values)
    initial.update(
        place=str(draft.place_id or ""),
        delivery=draft.delivery,
        post_address=draft.post_address,
        fee_copies=draft.copies,
        fee_pages=draft.pages,
    )
    return EForm(
        data,
        files,
        specs=specs,
        places=[(p.pk, p.name) for p in places],
        provinces=[(p.code, p.name) for p in provinces()],
        wards={p: [(w.code, w.name) for w in ws] for p, ws in wards.items()},
        papers=papers,
        results=results,
        asks=selectors.fee_asks(draft.version),
        initial=initial,
    )


def _result_label(dossier: Dossier) -> str:
    return f"{selectors.result_description(dossier)} – {dossier.code}"


def _page(
    request: CitizenRequest, draft: Draft, form: EForm, status: int = 200, saved: bool = False
) -> HttpResponse:
    papers = selectors.draft_papers(draft)
    rows = [
        (
            form[f"paper_{doc_id}"],
            form[f"reuse_{doc_id}"],
            form[f"remove_{doc_id}"],
            papers.get(doc_id),
        )
        for doc_id, _name in form.paper_names
    ]
    context = {
        "draft": draft,
        "form": form,
        "procedure": draft.version.procedure,
        "version": draft.version,
        "papers": rows,
        "saved": saved,
        **_fee(draft),
    }
    return render(request, "online/draft.html", context, status=status)


def _fee(draft: Draft) -> dict[str, object]:
    """The amount the draft owes online for the copies and pages last saved, with how it
    was counted (a per-page fee: the pages declared)."""
    try:
        quote = selectors.draft_fee(draft)
    except DomainError:  # a quantity the rule refuses: it was never saved
        return {"fee_words": "", "fee_lines": []}
    if not quote.amount:
        return {"fee_words": gettext("Miễn phí"), "fee_lines": []}
    words = gettext("{amount} đồng").replace("{amount}", fees.money(quote.amount))
    asked = selectors.fee_asks(draft.version)
    lines = [fill(gettext(line.label), line.values) for line in quote.lines]
    return {"fee_words": words, "fee_lines": lines if asked.copies or asked.pages else []}


@citizen_required
def draft(request: CitizenRequest, pk: int) -> HttpResponse:
    """The e-form: save as draft, or submit (parse → service → page)."""
    try:
        found = selectors.draft_of(request.citizen, pk)
    except DomainError as exc:
        return render_error(request, PROBLEM, exc)
    if found.state == Draft.State.SUBMITTED:
        return render(request, "online/submitted.html", {"draft": found, "dossier": found.dossier})
    if found.state != Draft.State.OPEN:
        return render(request, "online/closed.html", {"draft": found}, status=410)
    if request.method != "POST":
        return _page(request, found, _form(request, found), saved="saved" in request.GET)
    form = _form(request, found, request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, found, form, status=400)
    data = form.cleaned_data
    now = timezone.now()
    names = field_names(form.specs)
    try:
        place = int(data["place"]) if data["place"] else None
        saved = services.draft_save(
            draft=found,
            data=services.DraftInput(
                values=form.values(),
                place_id=place,
                delivery=data["delivery"] or "",
                post_address=data["post_address"] or "",
                uploads={
                    doc_id: ScanUpload(name=f.name, data=f.read())
                    for doc_id, _n in form.paper_names
                    if (f := data.get(f"paper_{doc_id}")) is not None
                },
                reuse={
                    doc_id: int(data[f"reuse_{doc_id}"])
                    for doc_id, _n in form.paper_names
                    if data.get(f"reuse_{doc_id}")
                },
                remove=[d for d, _n in form.paper_names if data.get(f"remove_{d}")],
                copies=data.get("fee_copies"),
                pages=data.get("fee_pages"),
            ),
            now=now,
        )
        if request.POST.get("action") != "submit":
            return redirect(f"{request.path}?saved=1")
        services.draft_submit(draft=saved, now=now)
    except InvalidInput as exc:
        add_to_form(form, exc, names)
        return _page(request, found, form, status=400)
    except DomainError as exc:
        found.refresh_from_db()
        if found.state == Draft.State.SUBMITTED:  # a second click while the first went in
            return redirect("online:draft", found.pk)
        return render_error(request, PROBLEM, exc)
    return redirect("online:draft", found.pk)


def receipt(request: HttpRequest) -> HttpResponse:
    """Form 01 of a received dossier, for the citizen: opened with its code and tracking
    secret (the link in the reception e-mail), the same "not found" for both wrong."""
    from motcua.online.receipt import receipt_page

    return receipt_page(request)
