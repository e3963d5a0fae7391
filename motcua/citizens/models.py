"""Citizens' and businesses' accounts: a table of their own, never Django's staff users.

A citizen is found by a verified e-mail address or mobile number (each unique among accounts)
or by the subject an external identity provider gave them. The password is Django's hash
(Argon2 in production); one-time codes are kept only as HMACs.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Citizen(models.Model):
    email = models.CharField(_("thư điện tử"), max_length=254, null=True, blank=True, unique=True)
    phone = models.CharField(
        _("điện thoại di động"), max_length=15, null=True, blank=True, unique=True
    )
    # Django's password hash; "" for an account made by an identity provider (no password:
    # it signs in through the provider, or sets one by the reset link).
    password = models.CharField(max_length=200, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=20, blank=True)
    # The ID number was given by an identity provider that vouches for it (VNeID-like), not
    # typed: only then are the dossiers lodged at the counter under it taken as the
    # account's (pre-filling the e-form). Typing another number clears it.
    id_verified = models.BooleanField(_("số định danh đã xác thực"), default=False)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    # The identity provider that vouches for this person (issuer and subject), if any.
    provider_issuer = models.CharField(_("nơi xác thực danh tính"), max_length=300, blank=True)
    provider_subject = models.CharField(_("mã định danh nơi xác thực"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("ngày mở tài khoản"))
    last_login = models.DateTimeField(_("đăng nhập gần nhất"), null=True, blank=True)
    # Closed by its citizen: the row stays (ratings, drafts and dossiers name it), emptied of
    # every personal value and never signed in again.
    closed_at = models.DateTimeField(_("ngày đóng tài khoản"), null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản công dân")
        verbose_name_plural = _("tài khoản công dân")
        constraints = [
            models.UniqueConstraint(
                fields=["provider_issuer", "provider_subject"],
                condition=~Q(provider_subject=""),
                name="citizen_one_account_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(email__isnull=False)
                | Q(phone__isnull=False)
                | ~Q(provider_subject="")
                | Q(closed_at__isnull=False),
                name="citizen_reachable",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or f"#{self.pk}"


class Challenge(models.Model):
    """A one-time code sent to an address: to open an account there (`signup`, carrying the
    account's details until it is verified), to add it to an account (`contact`), or only to
    prove that whoever typed it receives there, without an account (`address`: the answer to
    a phản ánh goes to it)."""

    SIGNUP = "signup"
    CONTACT = "contact"
    ADDRESS = "address"

    purpose = models.CharField(
        max_length=10, choices=[(SIGNUP, SIGNUP), (CONTACT, CONTACT), (ADDRESS, ADDRESS)]
    )
    kind = models.CharField(max_length=10)  # email or phone
    address = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=64)
    # For a sign-up: the password's hash and the name, stored on the account once verified.
    password = models.CharField(max_length=200, blank=True)
    full_name = models.CharField(max_length=200, blank=True)
    citizen = models.ForeignKey(Citizen, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["address", "created_at"], name="challenge_address")]


class Sending(models.Model):
    """One code, link or notice sent to an address: what resending is throttled by."""

    address = models.CharField(max_length=254)
    purpose = models.CharField(max_length=20)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["address", "at"], name="sending_address")]


class SignInAttempt(models.Model):
    """A citizen's sign-in try, counted per identifier (existing account or not) for the lockout."""

    identifier = models.CharField(max_length=254)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # What the try is counted under per source (core.throttle.source_key), "" if unknown.
    source = models.CharField(max_length=50, blank=True, default="")
    at = models.DateTimeField()
    succeeded = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["identifier", "at"], name="citizen_signin_recent"),
            models.Index(fields=["source", "at"], name="citizen_signin_source"),
        ]
