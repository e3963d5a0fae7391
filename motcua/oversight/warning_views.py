"""The supervisors' early-warning page: the grassroots warnings raised for the agencies in
their scope (with what was done about each), and the dossiers bounced, sent back or idle."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core.errors import DomainError
from motcua.desk.access import StaffRequest, staff_required
from motcua.edge import add_to_form, status_for
from motcua.oversight.selectors import early_warning_list, scope_of
from motcua.oversight.warnings import warning_handle, warnings_for


class HandleForm(forms.Form):
    action_taken = forms.CharField(
        label=gettext_lazy("Việc đã làm"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _not_for_you(request: StaffRequest) -> HttpResponse:
    message = _("Trang dành cho bộ phận giám sát và người đứng đầu cơ quan.")
    return render(request, "desk/not_found.html", {"message": message}, status=404)


@staff_required
def warning_list(request: StaffRequest) -> HttpResponse:
    scope = scope_of(request.actor)
    if not scope.sees_dashboards:
        return _not_for_you(request)
    found = early_warning_list(agencies=scope.agencies, now=timezone.now())
    context = {
        "nav": "warnings",
        "warnings": warnings_for(request.actor),
        "found": found,
        "form": HandleForm(),
    }
    return render(request, "oversight/warnings.html", context)


@staff_required
def warning_act(request: StaffRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("oversight_warnings:list")
    if not scope_of(request.actor).sees_dashboards:
        return _not_for_you(request)
    form = HandleForm(request.POST)
    if form.is_valid():
        try:
            warning_handle(
                actor=request.actor,
                pk=pk,
                action_taken=form.cleaned_data["action_taken"],
                now=timezone.now(),
            )
        except DomainError as exc:
            add_to_form(form, exc, {})
            status = status_for(exc)
        else:
            return redirect("oversight_warnings:list")
    else:
        status = 400
    found = early_warning_list(agencies=scope_of(request.actor).agencies, now=timezone.now())
    context = {
        "nav": "warnings",
        "warnings": warnings_for(request.actor),
        "found": found,
        "form": form,
        "failed": pk,
    }
    return render(request, "oversight/warnings.html", context, status=status)
