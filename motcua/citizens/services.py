"""Citizens' accounts: sign-up with a verified address, sign-in with a lockout, password reset
with Django's token generator, the profile, and accounts vouched for by an identity provider.

Every answer that could tell whether an account exists (sign-up, reset) is the same either
way: a sign-up at a taken address gets a challenge like any other, whose code is never sent
(the owner is told instead that someone tried); a reset for no account sends nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from motcua.citizens.models import Challenge, Citizen, SignInAttempt
from motcua.citizens.models import Sending as SendingLog
from motcua.core import throttle
from motcua.core.accounts import (
    EMAIL,
    CodePolicy,
    CodeRefused,
    CodeState,
    Contact,
    ProviderIdentity,
    check_closing,
    check_code_usable,
    check_resend,
    new_code,
    normal_code,
    parse_contact,
    wrong_code,
)
from motcua.core.errors import ConflictError, DomainError, PermissionDenied
from motcua.core.retention import PSEUDONYM
from motcua.notify.services import outbox_message, outbox_queue

POLICY = CodePolicy()
_CODE_SALT = "motcua.citizens.code"
T = TypeVar("T")


class SignInLocked(PermissionDenied):
    code = "citizen_signin_locked"


class SignInFailed(DomainError):
    code = "citizen_signin_failed"


class ResetLinkInvalid(DomainError):
    code = "reset_link_invalid"


class AddressTaken(ConflictError):
    code = "address_taken"


def code_hash(challenge_key: str, code: str) -> str:
    """The HMAC (under SECRET_KEY) a code is kept as, bound to its challenge."""
    return salted_hmac(_CODE_SALT, f"{challenge_key}:{code}", algorithm="sha256").hexdigest()


class CitizenTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens for citizens: the hash covers the password, so a link stops
    working once it has been used to set one, and the last sign-in."""

    key_salt = "motcua.citizens.CitizenTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0)
        return f"{user.pk}{user.password}{login}{timestamp}{user.email}{user.phone}"

    def token_for(self, citizen: Citizen) -> str:
        """A token for the citizen (Django's generator is typed for its own users only)."""
        return self.make_token(cast(Any, citizen))

    def token_good(self, citizen: Citizen, token: str) -> bool:
        return self.check_token(cast(Any, citizen), token)


reset_tokens = CitizenTokenGenerator()


def _message(contact: Contact, name: str, context: dict[str, Any], now: datetime) -> None:
    """Queue the message `name` to the address, in the caller's transaction."""
    channel = "sms" if contact.kind != EMAIL else "email"
    folder = f"citizens/{'sms' if channel == 'sms' else 'email'}/{name}"
    outbox_queue(
        [
            outbox_message(
                recipient=contact.value,
                template=folder,
                context=context,
                dossier_id=None,
                dedupe_key=f"citizen:{name}:{uuid.uuid4().hex}",
                now=now,
                channel=channel,
            )
        ]
    )


def _throttle(contact: Contact, purpose: str, now: datetime) -> None:
    """Refuse when the address was sent a message of this kind (codes and notices of a
    sign-up, reset links, codes for a new address) a moment ago or too often; else log it.
    Counted whether or not an account exists there, so the answer tells nothing."""
    since = now - timedelta(hours=1)
    sent = list(
        SendingLog.objects.filter(address=contact.value, purpose=purpose, at__gt=since).values_list(
            "at", flat=True
        )
    )
    check_resend(sent, POLICY, now)
    SendingLog.objects.create(address=contact.value, purpose=purpose, at=now)


def _owner(contact: Contact) -> Citizen | None:
    field = "email" if contact.kind == EMAIL else "phone"
    return Citizen.objects.filter(**{field: contact.value}).first()


def _new_challenge(
    purpose: str, contact: Contact, now: datetime, **fields: Any
) -> tuple[Challenge, str]:
    code = new_code(POLICY)
    challenge = Challenge(
        purpose=purpose,
        kind=contact.kind,
        address=contact.value,
        created_at=now,
        expires_at=now + POLICY.lifetime,
        **fields,
    )
    challenge.save()
    challenge.code_hash = code_hash(str(challenge.pk), code)
    challenge.save(update_fields=["code_hash"])
    return challenge, code


@transaction.atomic
def start_signup(*, contact: Contact, password: str, full_name: str, now: datetime) -> int:
    """A sign-up waiting for its code; its id. A taken address gets a challenge too, whose
    code goes nowhere; its owner is told someone tried to open an account with it."""
    _throttle(contact, "signup", now)
    challenge, code = _new_challenge(
        Challenge.SIGNUP, contact, now, password=make_password(password), full_name=full_name
    )
    if _owner(contact) is not None:
        _message(contact, "account_exists", {"site": settings.SITE_URL}, now)
    else:
        _message(contact, "code", _code_context(code), now)
    return challenge.pk


def _code_context(code: str) -> dict[str, Any]:
    return {"code": code, "minutes": int(POLICY.lifetime.total_seconds() // 60)}


@transaction.atomic
def resend_code(*, challenge_id: int, now: datetime) -> int:
    """A new code for the same sign-up or address (the old one stops working); its id."""
    old = Challenge.objects.select_for_update().get(pk=challenge_id)
    contact = Contact(old.kind, old.address)
    _throttle(contact, old.purpose, now)
    Challenge.objects.filter(pk=old.pk).update(used_at=now)
    challenge, code = _new_challenge(
        old.purpose,
        contact,
        now,
        password=old.password,
        full_name=old.full_name,
        citizen=old.citizen,
    )
    taken = old.purpose == Challenge.SIGNUP and _owner(contact) is not None
    if not taken:
        name = "address_code" if old.purpose == Challenge.ADDRESS else "code"
        _message(contact, name, _code_context(code), now)
    return challenge.pk


def _redeem(challenge_id: int, code: str, now: datetime, then: Callable[[Challenge], T]) -> T:
    """Take the challenge's code: count a wrong one (committed), refuse a used, expired or
    exhausted one; when it is right, mark it used and call `then` in the same transaction
    (if `then` raises, the code stays unused and nothing is stored)."""
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge_id)
        state = CodeState(challenge.expires_at, challenge.tries, challenge.used_at is not None)
        check_code_usable(state, POLICY, now)
        typed = normal_code(code)
        if not constant_time_compare(code_hash(str(challenge.pk), typed), challenge.code_hash):
            challenge.tries += 1
            challenge.save(update_fields=["tries"])
            failed = wrong_code(CodeState(state.expires_at, challenge.tries, False), POLICY)
        else:
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            return then(challenge)
    raise failed


@transaction.atomic
def start_address_check(*, contact: Contact, now: datetime) -> int:
    """A code sent to an address to prove whoever typed it receives there, with no account
    (the same lifetime, tries and resending limits as a sign-up's); the challenge's id."""
    _throttle(contact, "address", now)
    challenge, code = _new_challenge(Challenge.ADDRESS, contact, now)
    _message(contact, "address_code", _code_context(code), now)
    return challenge.pk


def verify_address(
    *, challenge_id: int, code: str, now: datetime, then: Callable[[Contact], T]
) -> T:
    """Once the code sent by `start_address_check` is right, call `then` with the address
    proved, in the transaction that marks the code used (if `then` raises, the code stays
    unused); a wrong code is counted and refused."""

    def proved(challenge: Challenge) -> T:
        if challenge.purpose != Challenge.ADDRESS:
            raise CodeRefused(_("Mã này không dùng để xác minh địa chỉ."), field="code")
        return then(Contact(challenge.kind, challenge.address))

    return _redeem(challenge_id, code, now, proved)


def verify_signup(*, challenge_id: int, code: str, now: datetime) -> Citizen:
    """Open the account once its code is right; nothing is stored before."""

    def open_account(challenge: Challenge) -> Citizen:
        if challenge.purpose != Challenge.SIGNUP:
            raise CodeRefused(_("Mã này không dùng để đăng ký."), field="code")
        contact = Contact(challenge.kind, challenge.address)
        field = "email" if contact.kind == EMAIL else "phone"
        try:
            with transaction.atomic():
                return Citizen.objects.create(
                    **{field: contact.value},
                    password=challenge.password,
                    full_name=challenge.full_name,
                    created_at=now,
                )
        except IntegrityError:
            raise AddressTaken(
                _("Địa chỉ này đã có tài khoản. Hãy đăng nhập hoặc lấy lại mật khẩu."),
                field="code",
            ) from None

    return _redeem(challenge_id, code, now, open_account)


@transaction.atomic
def start_contact_change(*, citizen_id: int, contact: Contact, now: datetime) -> int:
    """A code to add (or change to) this address on the account; the challenge's id."""
    _throttle(contact, "contact", now)
    owner = _owner(contact)
    challenge, code = _new_challenge(
        Challenge.CONTACT, contact, now, citizen=Citizen.objects.get(pk=citizen_id)
    )
    if owner is None or owner.pk == citizen_id:
        _message(contact, "code", _code_context(code), now)
    return challenge.pk


def verify_contact(*, citizen_id: int, challenge_id: int, code: str, now: datetime) -> Citizen:
    """Put the verified address on the account once its code is right."""

    def add_address(challenge: Challenge) -> Citizen:
        if challenge.purpose != Challenge.CONTACT or challenge.citizen_id != citizen_id:
            raise CodeRefused(_("Mã này không dùng cho tài khoản này."), field="code")
        citizen = Citizen.objects.select_for_update().get(pk=citizen_id)
        setattr(citizen, "email" if challenge.kind == EMAIL else "phone", challenge.address)
        try:
            with transaction.atomic():
                citizen.save(update_fields=["email", "phone"])
        except IntegrityError:
            raise AddressTaken(
                _("Địa chỉ này đã thuộc một tài khoản khác."), field="code"
            ) from None
        return citizen

    return _redeem(challenge_id, code, now, add_address)


def _locked(minutes: int) -> SignInLocked:
    return SignInLocked(
        _(
            "Tạm khóa đăng nhập %(minutes)s phút do nhập sai nhiều lần. Vui lòng thử lại sau "
            "hoặc lấy lại mật khẩu."
        )
        % {"minutes": minutes}
    )


def signin_check(*, contact: Contact, password: str, ip: str | None, now: datetime) -> Citizen:
    """The citizen with this address and password; failures counted per address, whether or
    not an account has it (staff sign-in's lockout, `desk.signin`, applied to citizens), and
    per source whatever the addresses tried (password spraying)."""
    window = timedelta(minutes=settings.SIGNIN_LOCK_MINUTES)
    recent = SignInAttempt.objects.filter(identifier=contact.value, at__gte=now - window)
    last_success = recent.filter(succeeded=True).order_by("-at").values_list("at", flat=True)
    failures = recent.filter(succeeded=False)
    if last_success:
        failures = failures.filter(at__gt=last_success[0])
    if failures.count() >= settings.SIGNIN_MAX_FAILURES:
        raise _locked(settings.SIGNIN_LOCK_MINUTES)
    source = "" if ip is None else throttle.source_key(ip)
    if source:
        sprayed = SignInAttempt.objects.filter(
            source=source, succeeded=False, at__gte=now - window
        ).count()
        if sprayed >= settings.CITIZEN_SIGNIN_MAX_FAILURES_PER_SOURCE:
            # Not recorded: a source held is not held any longer by trying on.
            raise SignInLocked(
                _(
                    "Máy này đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau "
                    "%(minutes)s phút hoặc lấy lại mật khẩu."
                )
                % {"minutes": settings.SIGNIN_LOCK_MINUTES}
            )
    citizen = _owner(contact)
    if citizen is None or not citizen.password:
        make_password(password)  # as long as checking one, so the time tells nothing
        ok = False
    else:
        ok = check_password(password, citizen.password) and citizen.is_active
    SignInAttempt.objects.create(
        identifier=contact.value, ip=ip, source=source, at=now, succeeded=ok
    )
    if not ok or citizen is None:
        left = settings.SIGNIN_MAX_FAILURES - failures.count()
        if left <= 0:
            raise _locked(settings.SIGNIN_LOCK_MINUTES)
        message = _("Địa chỉ hoặc mật khẩu không đúng.")
        if left <= 2:
            message += " " + _("Còn %(left)s lần thử trước khi bị tạm khóa.") % {"left": left}
        raise SignInFailed(message)
    Citizen.objects.filter(pk=citizen.pk).update(last_login=now)
    citizen.last_login = now
    return citizen


@transaction.atomic
def request_reset(*, contact: Contact, now: datetime) -> None:
    """Send a reset link to the address if an account has it; nothing otherwise (the page
    says the same either way)."""
    _throttle(contact, "reset", now)
    citizen = _owner(contact)
    if citizen is None or not citizen.is_active:
        return
    uid = urlsafe_base64_encode(force_bytes(citizen.pk))
    path = reverse("citizens:reset_confirm", args=[uid, reset_tokens.token_for(citizen)])
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    _message(contact, "reset", {"link": f"{settings.SITE_URL}{path}", "hours": hours}, now)


def reset_citizen(uid: str, token: str) -> Citizen:
    """The citizen a reset link is for, when the link is still good."""
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(urlsafe_base64_decode(uid).decode())
        citizen = Citizen.objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, Citizen.DoesNotExist):
        citizen = None
    if citizen is None or not reset_tokens.token_good(citizen, token):
        raise ResetLinkInvalid(
            _(
                "Đường dẫn đặt lại mật khẩu đã được dùng hoặc đã hết hạn. Hãy yêu cầu gửi "
                "đường dẫn mới."
            )
        )
    return citizen


@transaction.atomic
def reset_password(*, uid: str, token: str, password: str, now: datetime) -> Citizen:
    """Set a new password by a good link; the link (and every other) stops working."""
    citizen = reset_citizen(uid, token)
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if not reset_tokens.token_good(citizen, token):  # the same link, used at once twice
        raise ResetLinkInvalid(_("Đường dẫn đặt lại mật khẩu đã được dùng."))
    citizen.password = make_password(password)
    citizen.save(update_fields=["password"])
    return citizen


def citizen_hold(*, citizen_id: int) -> None:
    """Hold the account's row until the caller's transaction ends, so that two requests of
    the same citizen that must not both write (two drafts of one procedure) take turns."""
    list(Citizen.objects.select_for_update().filter(pk=citizen_id).values_list("pk"))


def update_profile(*, citizen_id: int, full_name: str, id_number: str, address: str) -> Citizen:
    with transaction.atomic():
        citizen = Citizen.objects.select_for_update().get(pk=citizen_id)
        if id_number != citizen.id_number:
            citizen.id_verified = False  # typed, not vouched for
        citizen.full_name, citizen.id_number, citizen.address = full_name, id_number, address
        citizen.save(update_fields=["full_name", "id_number", "address", "id_verified"])
        return citizen


def closing_password_ok(*, citizen_id: int, password: str, now: datetime) -> bool:
    """Whether `password` is the account's, before closing it (True for an account without
    one: the confirmation alone closes it). Counted as sign-in's tries are, in its own write
    (the closing's transaction, which a wrong password rolls back, must not take the count
    with it): a session left open does not let anyone try passwords here without limit."""
    citizen = Citizen.objects.get(pk=citizen_id, is_active=True)
    if not citizen.password:
        return True
    identifier = f"close:{citizen.pk}"
    window = timedelta(minutes=settings.SIGNIN_LOCK_MINUTES)
    failures = SignInAttempt.objects.filter(
        identifier=identifier, succeeded=False, at__gte=now - window
    )
    if failures.count() >= settings.SIGNIN_MAX_FAILURES:
        raise _locked(settings.SIGNIN_LOCK_MINUTES)
    ok = check_password(password, citizen.password)
    if not ok:
        SignInAttempt.objects.create(identifier=identifier, at=now, succeeded=False)
    return ok


def citizen_close(*, citizen_id: int, password_ok: bool, confirmed: bool, now: datetime) -> None:
    """Close the account, in the caller's transaction: with the confirmation, and its
    password when it has one (`closing_password_ok`, then `core.accounts.check_closing`).
    The row stays, because the citizen's ratings, drafts and dossiers name it, emptied of
    every personal value (name, ID number, address, addresses to reach them, password,
    identity provider's link) and never signed in again (every session of it ends:
    `session.current_citizen` takes only active accounts). Its last addresses are told, so
    that a closing nobody asked for is noticed. The dossiers stay with the agencies that
    handle them, under their own rules (docs/privacy.md)."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen_id, is_active=True)
    check_closing(has_password=bool(citizen.password), password_ok=password_ok, confirmed=confirmed)
    for contact in _contacts(citizen):
        _message(contact, "closed", {"site": settings.SITE_URL}, now)
    Citizen.objects.filter(pk=citizen.pk).update(
        email=None,
        phone=None,
        password="",
        full_name=PSEUDONYM,
        id_number="",
        id_verified=False,
        address="",
        provider_issuer="",
        provider_subject="",
        is_active=False,
        last_login=None,
        closed_at=now,
    )
    # Codes sent for a new address of the account, not yet typed.
    Challenge.objects.filter(citizen_id=citizen.pk).delete()


def _contacts(citizen: Citizen) -> list[Contact]:
    found = []
    if citizen.email:
        found.append(parse_contact(citizen.email))
    if citizen.phone:
        found.append(parse_contact(citizen.phone))
    return found


@transaction.atomic
def citizen_from_provider(*, issuer: str, identity: ProviderIdentity, now: datetime) -> Citizen:
    """The account of whom the provider vouches for: the one linked to its subject, else the
    one whose verified e-mail or phone it vouches for too (then linked), else a new one. What
    it says of the person (name, ID number, address) is written on the profile; an address of
    another account is not taken."""
    citizen = (
        Citizen.objects.select_for_update()
        .filter(provider_issuer=issuer, provider_subject=identity.subject)
        .first()
    )
    if citizen is None:
        match = Q(pk__in=[])
        if identity.email:
            match |= Q(email=identity.email)
        if identity.phone:
            match |= Q(phone=identity.phone)
        citizen = (
            Citizen.objects.select_for_update()
            .filter(match, provider_subject="")
            .order_by("pk")
            .first()
        )
    if citizen is None:
        citizen = Citizen(created_at=now)
    citizen.provider_issuer, citizen.provider_subject = issuer, identity.subject
    for name in ("full_name", "id_number", "address"):
        if getattr(identity, name):
            setattr(citizen, name, getattr(identity, name))
    if identity.id_number:
        citizen.id_verified = True  # the provider vouches for it
    for name in ("email", "phone"):
        value = getattr(identity, name)
        if value and not getattr(citizen, name):
            taken = Citizen.objects.filter(**{name: value}).exclude(pk=citizen.pk).exists()
            if not taken:
                setattr(citizen, name, value)
    citizen.last_login = now
    citizen.save()
    return citizen


# The demo's citizens (`motcua demo`): verified accounts with the demo's password.
DEMO_CITIZENS = (
    ("congdan1@example.vn", "Nguyễn Thị Bình", "001190012345"),
    ("congdan2@example.vn", "Trần Quốc Dũng", "001085067890"),
    ("congdan3@example.vn", "Lê Hoàng Yến", "001293045678"),
)


def demo_citizens(*, password: str, now: datetime) -> list[Citizen]:
    """The demo's citizen accounts, created once (an address already taken is left alone)."""
    out = []
    for email, name, id_number in DEMO_CITIZENS:
        citizen, _created = Citizen.objects.get_or_create(
            email=email,
            defaults={
                "password": make_password(password),
                "full_name": name,
                "id_number": id_number,
                "address": "Phường Hoàn Kiếm, Thành phố Hà Nội",
                "created_at": now,
            },
        )
        out.append(citizen)
    return out


def citizens_purge_codes(*, before: datetime, apply: bool) -> int:
    """Sign-up and contact codes sent before `before` (long expired, used or not): delete them
    with the pending sign-up's name and password hash they hold; how many."""
    stale = Challenge.objects.filter(created_at__lt=before)
    count = stale.count()
    if apply:
        stale.delete()
    return count


def citizens_purge_traces(*, before: datetime, apply: bool) -> int:
    """Sign-in attempts and sendings counted against guessing, older than `before` (the
    limits look back an hour): delete them; how many."""
    attempts = SignInAttempt.objects.filter(at__lt=before)
    sendings = SendingLog.objects.filter(at__lt=before)
    count = attempts.count() + sendings.count()
    if apply:
        attempts.delete()
        sendings.delete()
    return count
