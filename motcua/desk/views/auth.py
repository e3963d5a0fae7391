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

from motcua.core.errors import DomainError
from motcua.desk.signin import signin_check
from motcua.i18n import error_text


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput)


def signin(request: HttpRequest) -> HttpResponse:
    """The staff sign-in page; repeated failures lock the account for a while."""
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = signin_check(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=request.META.get("REMOTE_ADDR"),
                now=timezone.now(),
            )
        except DomainError as exc:
            form.add_error(None, error_text(exc))
            status = 403 if exc.code == "signin_locked" else 400
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
