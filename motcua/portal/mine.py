"""A signed-in citizen's own dossiers: the list, one dossier in plain words, answering the
request for papers online (once), asking to withdraw, the apology letter, the electronic
result. Another citizen's dossier, or none, is the same "not found" (404)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from motcua import fields
from motcua.citizens.forms import CloseAccountForm
from motcua.citizens.session import CitizenRequest, citizen_required, sign_out
from motcua.core import fees
from motcua.core.answers import check_result_download
from motcua.core.calendar import local_date
from motcua.core.errors import DomainError
from motcua.core.lifecycle import Status
from motcua.core.payments import offer_online
from motcua.dossiers.scans import ScanUpload, read_scan
from motcua.dossiers.selectors import (
    citizen_dossier,
    citizen_dossiers,
    citizen_view,
    dossier_result_file,
    receipt_url,
)
from motcua.dossiers.services import (
    dossier_answer_supplement,
    dossier_request_withdrawal,
    dossiers_exported,
)
from motcua.edge import add_to_form, client_address, render_error, status_for
from motcua.organization.selectors import centre_tz
from motcua.paperwork import rendering
from motcua.payments.selectors import dossier_payment
from motcua.payments.services import dossier_amount_due
from motcua.portal import closing, export

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

NOT_FOUND = "portal/mine_missing.html"


class AnswerForm(fields.Form):
    """A file for each paper the request for papers listed (`paper_<n>`, in its order)."""

    def __init__(self, data: Any = None, files: Any = None, *, missing: list[str]) -> None:
        super().__init__(data, files, auto_id="answer-%s")
        for index, name in enumerate(missing):
            self.fields[f"paper_{index}"] = fields.ScanField(label=name)

    def uploads(self) -> dict[int, ScanUpload]:
        """The files sent, by their paper's position (each within the size limit)."""
        sent = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("paper_") and value is not None:
                value.seek(0)
                sent[int(name.removeprefix("paper_"))] = ScanUpload(
                    name=value.name, data=value.read()
                )
        return sent


class WithdrawForm(fields.Form):
    note = fields.ParagraphField(
        label=gettext_lazy("Lý do rút hồ sơ"), max_length=2000, required=True
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, auto_id="withdraw-%s")


@never_cache
@citizen_required
def dossiers(request: CitizenRequest) -> HttpResponse:
    """The citizen's dossiers, newest first."""
    rows = list(citizen_dossiers(request.citizen.pk)[:200])
    return render(request, "portal/mine_list.html", {"dossiers": rows})


def _here(url: str) -> str:
    """An address of this site without its host (the page may be served under another)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _rate_url(dossier: Dossier) -> str:
    query = urlencode({"code": dossier.code, "secret": dossier.tracking_secret})
    return f"{reverse('feedback:rate')}?{query}"


def _page(
    request: CitizenRequest,
    dossier: Dossier,
    *,
    answer: AnswerForm | None = None,
    withdraw: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = citizen_view(dossier, timezone.now())
    paid = dossier_payment(dossier) is not None
    amount = dossier_amount_due(dossier).amount
    context = {
        "dossier": dossier,
        "view": view,
        "pay_online": offer_online(Status(dossier.status), amount, paid),
        "fee": fees.money(amount),
        "receipt_url": _here(receipt_url(dossier)) if dossier.code else "",
        # Returned: the invitation to rate, as the return notice carries it (code and secret).
        "rate_url": _rate_url(dossier) if dossier.status == Status.RETURNED else "",
        "answer": answer or AnswerForm(missing=view.missing),
        "withdraw": withdraw or WithdrawForm(),
    }
    response = render(request, "portal/mine_dossier.html", context, status=status)
    response["Cache-Control"] = "no-store, private"
    return response


@citizen_required
def dossier(request: CitizenRequest, pk: int) -> HttpResponse:
    """One of the citizen's dossiers: what happened, the appointment, what to do now."""
    try:
        found = citizen_dossier(citizen_id=request.citizen.pk, pk=pk)
    except DomainError as exc:
        return render_error(request, NOT_FOUND, exc)
    return _page(request, found)


@citizen_required
@require_POST
def answer(request: CitizenRequest, pk: int) -> HttpResponse:
    """Send the papers asked for, once; every problem at once, nothing stored on refusal."""
    try:
        found = citizen_dossier(citizen_id=request.citizen.pk, pk=pk)
    except DomainError as exc:
        return render_error(request, NOT_FOUND, exc)
    view = citizen_view(found, timezone.now())
    form = AnswerForm(request.POST, request.FILES, missing=view.missing)
    if form.is_valid():
        try:
            dossier_answer_supplement(
                dossier=found,
                citizen_id=request.citizen.pk,
                files=form.uploads(),
                now=timezone.now(),
            )
        except DomainError as exc:
            add_to_form(form, exc, {})
            return _page(request, found, answer=form, status=status_for(exc))
        messages.success(request, _("Đã gửi giấy tờ bổ sung. Hồ sơ tiếp tục được giải quyết."))
        return redirect("portal:my-dossier", pk=found.pk)
    return _page(request, found, answer=form, status=400)


@citizen_required
@require_POST
def withdraw(request: CitizenRequest, pk: int) -> HttpResponse:
    """Ask to withdraw the dossier, with a reason."""
    try:
        found = citizen_dossier(citizen_id=request.citizen.pk, pk=pk)
    except DomainError as exc:
        return render_error(request, NOT_FOUND, exc)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            dossier_request_withdrawal(
                dossier=found,
                citizen_id=request.citizen.pk,
                reason=form.cleaned_data["note"],
                now=timezone.now(),
            )
        except DomainError as exc:
            add_to_form(form, exc, {})
            return _page(request, found, withdraw=form, status=status_for(exc))
        messages.success(
            request,
            _("Đã gửi đề nghị rút hồ sơ. Bộ phận một cửa sẽ gửi thông báo dừng giải quyết."),
        )
        return redirect("portal:my-dossier", pk=found.pk)
    return _page(request, found, withdraw=form, status=400)


@citizen_required
def apology(request: CitizenRequest, pk: int) -> HttpResponse:
    """The signed apology letter (form 04) about the citizen's dossier."""
    try:
        found = citizen_dossier(citizen_id=request.citizen.pk, pk=pk)
        view = citizen_view(found, timezone.now())
        if view.apology is None:  # a draft is not the citizen's to read
            return render(request, NOT_FOUND, {"message": _("Không tìm thấy văn bản.")}, status=404)
        spec = rendering.form_spec("04")
        context = rendering.form_context(spec, found, now=timezone.now())
    except DomainError as exc:
        return render_error(request, NOT_FOUND, exc)
    context["back_url"] = _own_url(found)
    return render(request, spec.template, context)


@citizen_required
def result(request: CitizenRequest, pk: int) -> HttpResponse:
    """The electronic result, to its citizen only, once the result is ready."""
    try:
        found = citizen_dossier(citizen_id=request.citizen.pk, pk=pk)
        copy = citizen_view(found, timezone.now()).result
        check_result_download(Status(found.status), has_copy=copy is not None)
        copy = dossier_result_file(found)
    except DomainError as exc:
        return render_error(request, NOT_FOUND, exc)
    response = HttpResponse(read_scan(copy.file.name), content_type=copy.content_type)
    name = f"ket-qua-{found.code or found.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _own_url(dossier: Dossier) -> str:
    return reverse("portal:my-dossier", kwargs={"pk": dossier.pk})


@never_cache
@citizen_required
def my_data(request: CitizenRequest) -> HttpResponse:
    """ "Tải dữ liệu của tôi": the page, and (posted) the ZIP of the account's own data."""
    if request.method != "POST":
        return render(request, "portal/my_data.html", {"per_day": settings.DATA_EXPORTS_PER_DAY})
    now = timezone.now()
    wait = export.refused_for(request.citizen.pk, now.timestamp())
    if wait is not None:
        context = {"per_day": settings.DATA_EXPORTS_PER_DAY, "wait_hours": -(-wait // 3600)}
        response = render(request, "portal/my_data.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    data = export.citizen_export(request.citizen, now)
    dossiers_exported(dossier_ids=data.dossier_ids, now=now, address=client_address(request))
    response = HttpResponse(
        export.export_zip(data, citizen=request.citizen), content_type="application/zip"
    )
    day = local_date(now, centre_tz()).isoformat()
    response["Content-Disposition"] = f'attachment; filename="du-lieu-cua-toi-{day}.zip"'
    return response


@never_cache
@citizen_required
def close_account(request: CitizenRequest) -> HttpResponse:
    """The page "Đóng tài khoản": what closing does, and (posted, confirmed) the closing."""
    citizen = request.citizen
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                closing.account_close(
                    citizen_id=citizen.pk,
                    password=form.cleaned_data["password"],
                    confirmed=form.cleaned_data["confirm"],
                    now=timezone.now(),
                )
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                sign_out(request)
                return render(request, "portal/account_closed.html")
    context = {"form": form, "has_password": bool(citizen.password)}
    return render(request, "portal/close_account.html", context, status=status)
