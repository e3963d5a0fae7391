"""Sign in and out; the second factor after the password, and its enrolment.

After a right password, someone whose sign-in needs a second factor is not signed in: the
session only remembers who gave the password (`PENDING`, for a few minutes), which opens
the code page or, until a device is enrolled, the enrolment page, and nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.models import Device

from motcua import fields
from motcua.core.errors import DomainError
from motcua.core.signin import Next
from motcua.desk import second_factor
from motcua.desk.middleware import LAST_SEEN, NOT_REQUIRED, SECOND_FACTOR, VERIFIED
from motcua.desk.signin import Attempt, next_step, sessions_end_all, signin_check
from motcua.edge import add_to_form, client_address, status_for

PENDING = "_signin_pending"


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


class CodeForm(fields.Form):
    code = fields.TextField(
        label=_("Mã xác thực"),
        max_length=20,
        required=True,
        help_text=_("6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


def _target(request: HttpRequest, target: str) -> str:
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return "desk:inbox"
    return target or "desk:inbox"


def signin(request: HttpRequest) -> HttpResponse:
    """The staff and admin sign-in page; repeated failures hold the account and source."""
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200 if request.method != "POST" else 400  # until signed in
    if form.is_bound and form.is_valid():
        now = timezone.now()
        try:
            user, step = signin_check(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_address(request),
                now=now,
            )
        except DomainError as exc:
            add_to_form(form, exc, {})
            status = status_for(exc)
        else:
            target = _target(request, request.GET.get("next", ""))
            if step is Next.SIGNED_IN:
                return _complete(request, user, None, target)
            logout(request)  # a new session, and nobody else left signed in in this browser
            request.session[PENDING] = {"user": user.pk, "at": now.isoformat(), "next": target}
            return redirect("desk:second_factor" if step is Next.VERIFY else "desk:enrol")
    return render(request, "desk/signin.html", {"form": form}, status=status)


def _complete(
    request: HttpRequest, user: User, device: Device | None, target: str
) -> HttpResponseRedirect:
    request.session.pop(PENDING, None)
    login(request, user)
    if device is not None:
        otp_login(request, device)
    request.session[SECOND_FACTOR] = VERIFIED if device is not None else NOT_REQUIRED
    request.session[LAST_SEEN] = timezone.now().isoformat()
    return redirect(target)


def _pending(request: HttpRequest, now: datetime) -> tuple[User, str] | None:
    """Who gave the right password in this session a few minutes ago, and where to go."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    since = datetime.fromisoformat(pending["at"])
    if now - since > timedelta(minutes=settings.SIGNIN_PENDING_MINUTES):
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return None if user is None else (user, str(pending["next"]))


def verify(request: HttpRequest) -> HttpResponse:
    """The code after the password, from the authenticator app or a recovery code."""
    now = timezone.now()
    pending = _pending(request, now)
    if pending is None:
        return redirect("desk:login")
    user, target = pending
    if next_step(user) is not Next.VERIFY:
        return redirect("desk:enrol")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200 if request.method != "POST" else 400
    if form.is_bound and form.is_valid():
        try:
            attempt = Attempt(user.get_username(), client_address(request), now)
            device = second_factor.second_factor_verify(
                user=user, code=form.cleaned_data["code"], attempt=attempt
            )
        except DomainError as exc:
            add_to_form(form, exc, {})
            status = status_for(exc)
        else:
            return _complete(request, user, device, target)
    return render(request, "desk/second_factor.html", {"form": form}, status=status)


def enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: after the password (required roles, until enrolled) or
    from the workspace (anyone signed in, verified if required)."""
    now = timezone.now()
    pending = _pending(request, now)
    if pending is not None:
        user, target = pending
    elif request.user.is_authenticated and isinstance(request.user, User):
        user, target = request.user, "desk:inbox"
    else:
        return redirect("desk:login")
    if pending is not None and next_step(user) is Next.VERIFY:
        return redirect("desk:second_factor")  # enrolled: a new device only once signed in
    device = second_factor.enrolment_start(user=user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200 if request.method != "POST" else 400
    if form.is_bound and form.is_valid():
        try:
            attempt = Attempt(user.get_username(), client_address(request), now)
            codes = second_factor.enrolment_confirm(
                user=user, code=form.cleaned_data["code"], attempt=attempt
            )
        except DomainError as exc:
            add_to_form(form, exc, {})
            status = status_for(exc)
        else:
            if pending is not None:
                _complete(request, user, second_factor.confirmed_app(user), target)
            else:
                otp_login(request, second_factor.confirmed_app(user))
                request.session[SECOND_FACTOR] = VERIFIED
            return render(request, "desk/recovery_codes.html", {"codes": codes, "next": target})
    qr = segno.make(device.config_url, error="m").svg_inline(
        border=2, scale=4, omitsize=True, svgclass="qr-code"
    )
    context = {
        "form": form,
        "qr": mark_safe(qr),  # noqa: S308 - segno's own markup; the secret is drawn, not embedded
        "secret": second_factor.secret_text(device),
        "required": pending is not None,
    }
    return render(request, "desk/enrol.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("desk:login")


@require_POST
def signout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the signed-in user, on this device and any other."""
    if isinstance(request.user, User) and request.user.is_authenticated:
        sessions_end_all(user=request.user, now=timezone.now())
    logout(request)
    messages.success(request, _("Đã đăng xuất khỏi mọi thiết bị."))
    return redirect("desk:login")
