"""The citizens' account pages, under /tai-khoan/."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from motcua.citizens import oidc, services
from motcua.citizens.forms import (
    CodeForm,
    ContactForm,
    ProfileForm,
    ResetForm,
    ResetRequestForm,
    SignInForm,
    SignUpForm,
)
from motcua.citizens.session import (
    CitizenRequest,
    citizen_required,
    sign_in,
    sign_out,
)
from motcua.core.accounts import EMAIL, Contact
from motcua.core.errors import DomainError
from motcua.edge import add_to_form, client_address, render_error, status_for

PENDING = "_citizen_signup"
PENDING_CONTACT = "_citizen_contact"
RESET_TOKEN = "_citizen_reset_token"  # noqa: S105 - a session key's name
RESET_STAND_IN = "dat-mat-khau"


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int
) -> HttpResponse:
    context = {**context, "oidc": oidc.enabled(), "provider_name": _provider_name()}
    return render(request, template, context, status=status)


def _provider_name() -> str:
    from django.conf import settings

    return settings.OIDC_PROVIDER_NAME or _("dịch vụ đăng nhập của tỉnh")


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()})
    if target and allowed and not target.startswith("/can-bo/"):
        return target
    return reverse("citizens:profile")


@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(_posted(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            contact: Contact = form.cleaned_data["identifier"]
            try:
                pending = services.start_signup(
                    contact=contact,
                    password=form.cleaned_data["password"],
                    full_name=form.cleaned_data["full_name"],
                    now=timezone.now(),
                )
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                request.session[PENDING] = [pending, contact.kind, contact.masked()]
                return redirect("citizens:verify")
    return _page(request, "citizens/signup.html", {"form": form}, status)


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Type the code sent to the address; or have another sent."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("citizens:signup")
    challenge_id, kind, masked = pending
    form = CodeForm(_posted(request) if "resend" not in request.POST else None)
    status = 200
    if request.method == "POST" and "resend" in request.POST:
        try:
            challenge_id = services.resend_code(challenge_id=challenge_id, now=timezone.now())
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = status_for(exc)
        else:
            request.session[PENDING] = [challenge_id, kind, masked]
            messages.success(request, _("Đã gửi mã mới. Mã cũ không còn dùng được."))
            return redirect("citizens:verify")
    elif form.is_bound:
        status = 400
        if form.is_valid():
            try:
                citizen = services.verify_signup(
                    challenge_id=challenge_id, code=form.cleaned_data["code"], now=timezone.now()
                )
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                sign_in(request, citizen)
                messages.success(request, _("Tài khoản đã được tạo. Hãy bổ sung hồ sơ của bạn."))
                return redirect("citizens:profile")
    where = _("thư điện tử") if kind == EMAIL else _("tin nhắn")
    context = {"form": form, "masked": masked, "where": where}
    return _page(request, "citizens/verify.html", context, status)


@never_cache
def signin(request: HttpRequest) -> HttpResponse:
    form = SignInForm(_posted(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                citizen = services.signin_check(
                    contact=form.cleaned_data["identifier"],
                    password=form.cleaned_data["password"],
                    ip=client_address(request),
                    now=timezone.now(),
                )
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                target = _next(request)
                sign_in(request, citizen)
                return redirect(target)
    context = {"form": form, "next": request.GET.get("next", "")}
    return _page(request, "citizens/signin.html", context, status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    messages.success(request, _("Bạn đã đăng xuất."))
    return redirect("citizens:signin")


@never_cache
def reset_request(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link; the answer is the same whether an account has the address."""
    form = ResetRequestForm(_posted(request))
    status, sent = 200, None
    if form.is_bound:
        status = 400
        if form.is_valid():
            contact: Contact = form.cleaned_data["identifier"]
            try:
                services.request_reset(contact=contact, now=timezone.now())
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                sent, status = contact.masked(), 200
    return _page(request, "citizens/reset_request.html", {"form": form, "sent": sent}, status)


@never_cache
def reset_confirm(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """The link from the message: its token goes into the session and out of the address bar
    (no Referer, no history carries it), as Django's PasswordResetConfirmView does."""
    if token != RESET_STAND_IN:
        request.session[RESET_TOKEN] = token
        return redirect("citizens:reset_confirm", uid=uid, token=RESET_STAND_IN)
    token = str(request.session.get(RESET_TOKEN, ""))
    try:
        services.reset_citizen(uid, token)
    except DomainError as exc:
        return render_error(request, "citizens/reset_invalid.html", exc)
    form = ResetForm(_posted(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.reset_password(
                    uid=uid, token=token, password=form.cleaned_data["password"], now=timezone.now()
                )
            except DomainError as exc:
                return render_error(request, "citizens/reset_invalid.html", exc)
            sign_out(request)
            messages.success(request, _("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu này."))
            return redirect("citizens:signin")
    return _page(request, "citizens/reset_confirm.html", {"form": form}, status)


@never_cache
@citizen_required
def profile(request: CitizenRequest) -> HttpResponse:
    citizen = request.citizen
    initial = {"full_name": citizen.full_name, "id_number": citizen.id_number}
    initial["address"] = citizen.address
    form = ProfileForm(_posted(request), initial=initial)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            services.update_profile(citizen_id=citizen.pk, **form.cleaned_data)
            messages.success(request, _("Đã lưu hồ sơ."))
            return redirect("citizens:profile")
    return _page(request, "citizens/profile.html", {"form": form, "citizen": citizen}, status)


@never_cache
@citizen_required
def contact(request: CitizenRequest) -> HttpResponse:
    """Add or change the account's e-mail address or mobile number, verified by a code."""
    pending = request.session.get(PENDING_CONTACT)
    form = ContactForm(_posted(request) if "identifier" in request.POST else None)
    code_form = CodeForm(_posted(request) if "code" in request.POST and pending else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            new: Contact = form.cleaned_data["identifier"]
            try:
                challenge = services.start_contact_change(
                    citizen_id=request.citizen.pk, contact=new, now=timezone.now()
                )
            except DomainError as exc:
                add_to_form(form, exc, {})
                status = status_for(exc)
            else:
                request.session[PENDING_CONTACT] = [challenge, new.masked()]
                return redirect("citizens:contact")
    elif code_form.is_bound and pending:
        status = 400
        if code_form.is_valid():
            try:
                services.verify_contact(
                    citizen_id=request.citizen.pk,
                    challenge_id=pending[0],
                    code=code_form.cleaned_data["code"],
                    now=timezone.now(),
                )
            except DomainError as exc:
                add_to_form(code_form, exc, {})
                status = status_for(exc)
            else:
                del request.session[PENDING_CONTACT]
                messages.success(request, _("Đã xác minh và lưu địa chỉ liên lạc mới."))
                return redirect("citizens:profile")
    context = {"form": form, "code_form": code_form, "pending": pending}
    return _page(request, "citizens/contact.html", context, status)


def provider_start(request: HttpRequest) -> HttpResponse:
    """To the province's sign-on (when one is configured)."""
    if not oidc.enabled():
        return _page(request, "citizens/provider_off.html", {}, 404)
    try:
        return oidc.start(request, request.build_absolute_uri(reverse("citizens:provider_back")))
    except DomainError as exc:
        return render_error(request, "citizens/provider_failed.html", exc)


@never_cache
def provider_back(request: HttpRequest) -> HttpResponse:
    """Back from the province's sign-on: the account it vouches for is signed in."""
    if not oidc.enabled():
        return _page(request, "citizens/provider_off.html", {}, 404)
    try:
        issuer, identity = oidc.finish(request)
        citizen = services.citizen_from_provider(
            issuer=issuer, identity=identity, now=timezone.now()
        )
    except DomainError as exc:
        return render_error(request, "citizens/provider_failed.html", exc)
    sign_in(request, citizen)
    return redirect("citizens:profile")
