"""Citizens' accounts in the admin: found by address, name or ID number, and closed there.

An account is made and changed only by its owner (sign-up, verified addresses, profile), so the
administrator sees it and can close it (`is_active`: every session of it ends at its next
request) but changes nothing it declared; the password is never shown, only whether there is
one. Deleting an account is refused while dossiers are lodged under it (the foreign key is
PROTECT): close it instead.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.adminlog.hooks import AuditedAdmin
from motcua.citizens.models import Citizen
from motcua.fields import CheckedTextAdmin


@admin.register(Citizen)
class CitizenAdmin(CheckedTextAdmin, AuditedAdmin, admin.ModelAdmin[Citizen]):
    audit_personal = True
    list_display = ["__str__", "email", "phone", "id_number", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["email", "phone", "full_name", "id_number"]
    ordering = ["-created_at"]
    SHOWN = (
        "full_name",
        "email",
        "phone",
        "id_number",
        "address",
        "provider_issuer",
        "provider_subject",
        "has_password",
        "created_at",
        "last_login",
    )
    fields = [*SHOWN, "is_active"]
    readonly_fields = SHOWN

    @admin.display(boolean=True, description=_("có mật khẩu"))
    def has_password(self, citizen: Citizen) -> bool:
        return bool(citizen.password)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an account is opened by its owner, at a verified address
