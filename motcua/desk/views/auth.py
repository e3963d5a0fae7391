"""Sign in and out."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from motcua import fields
from motcua.core.errors import DomainError
from motcua.desk.signin import signin_check
from motcua.edge import add_to_form, client_address, status_for


class SignInForm(fields.Form):
    username = fields.TextField(
        label=_("Tên đăng nhập"),
        max_length=150,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": fields.REQUIRED, "max_length": fields.TOO_LONG},
    )


def signin(request: HttpRequest) -> HttpResponse:
    """The staff sign-in page; repeated failures lock the account for a while."""
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200 if request.method != "POST" else 400  # until signed in
    if form.is_bound and form.is_valid():
        try:
            user = signin_check(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_address(request),
                now=timezone.now(),
            )
        except DomainError as exc:
            add_to_form(form, exc, {})
            status = status_for(exc)
        else:
            login(request, user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "desk:inbox"
            return redirect(target or "desk:inbox")
    return render(request, "desk/signin.html", {"form": form}, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("desk:login")
