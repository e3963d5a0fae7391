"""The API's clients in the admin: scope, limit, active or not. A new client's key is shown once,
in the message after saving; afterwards only its prefix is (the key is stored as a hash)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.adminlog.hooks import AuditedAdmin
from motcua.api.models import ApiClient
from motcua.api.services import client_new_key
from motcua.core.apiclients import OPERATIONS


class ApiClientForm(forms.ModelForm[ApiClient]):
    operations = forms.MultipleChoiceField(
        label=_("thao tác được phép"),
        choices=[(o, o) for o in OPERATIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "agencies", "operations", "requests_per_minute", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdmin, admin.ModelAdmin[ApiClient]):
    form = ApiClientForm
    list_display = ("name", "key_prefix", "requests_per_minute", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    filter_horizontal = ("agencies",)
    readonly_fields = ("key_prefix", "created_at", "revoked_at", "rotated_at")

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        key = None
        if not change:
            obj.created_at = timezone.now()
            key = client_new_key(obj)
        if change and not obj.is_active and obj.revoked_at is None:
            obj.revoked_at = timezone.now()
        super().save_model(request, obj, form, change)
        if key is not None:
            messages.warning(
                request,
                _("Khóa API của “{name}” (chỉ hiện một lần, hãy lưu lại ngay): {key}").format(
                    name=obj.name, key=key
                ),
            )
