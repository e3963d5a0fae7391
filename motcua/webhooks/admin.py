"""Admin for webhook subscribers: name, address, agencies and whether it receives; its secrets
are listed by a fingerprint only. A new subscriber's first secret, and the new secret of a
rotation (the list's action), are shown once in a message and never again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.adminlog.hooks import AuditedAdmin, who
from motcua.core.errors import DomainError
from motcua.fields import CheckedTextAdmin
from motcua.i18n import error_text
from motcua.webhooks.models import Subscriber, SubscriberSecret
from motcua.webhooks.selectors import fingerprint, subscribers_cache_clear
from motcua.webhooks.services import checked_url, new_secret, subscriber_rotate


class SubscriberForm(forms.ModelForm[Subscriber]):
    url = forms.URLField(label="địa chỉ nhận", max_length=300, assume_scheme="https")

    class Meta:
        model = Subscriber
        fields = ["name", "url", "agencies", "active"]

    def clean_url(self) -> str:
        try:
            return checked_url(self.cleaned_data["url"])
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc)) from None


class SecretInline(admin.TabularInline[SubscriberSecret, Subscriber]):
    model = SubscriberSecret
    fields = ["shown", "created_at", "retire_at"]
    readonly_fields = ["shown", "created_at", "retire_at"]
    extra = 0
    max_num = 0
    can_delete = False

    @admin.display(description="dấu nhận dạng")
    def shown(self, obj: SubscriberSecret) -> str:
        return fingerprint(obj.secret)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(CheckedTextAdmin, AuditedAdmin, admin.ModelAdmin[Subscriber]):
    form = SubscriberForm
    list_display = ["name", "url", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["agencies"]
    readonly_fields = ["created_at"]
    inlines = [SecretInline]
    actions = ["rotate"]

    def save_model(
        self, request: HttpRequest, obj: Subscriber, form: forms.ModelForm[Subscriber], change: bool
    ) -> None:
        if not change:
            obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[Subscriber], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        subscriber = form.instance
        if not subscriber.secrets.exists():  # a new subscriber: its first secret, shown once
            secret = new_secret()
            SubscriberSecret.objects.create(
                subscriber=subscriber, secret=secret, created_at=subscriber.created_at
            )
            self._show_secret(request, subscriber, secret)
        subscribers_cache_clear()

    def delete_model(self, request: HttpRequest, obj: Subscriber) -> None:
        super().delete_model(request, obj)
        subscribers_cache_clear()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        super().delete_queryset(request, queryset)
        subscribers_cache_clear()

    @admin.action(description="Đổi khóa bí mật (khóa cũ còn hiệu lực trong thời gian chuyển)")
    def rotate(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        for subscriber in queryset:
            secret = subscriber_rotate(
                subscriber_id=subscriber.pk, now=timezone.now(), who=who(request)
            )
            self._show_secret(request, subscriber, secret)

    def _show_secret(self, request: HttpRequest, subscriber: Subscriber, secret: str) -> None:
        message = _(
            "Khóa bí mật mới của “%(name)s”: %(secret)s. Khóa chỉ hiện một lần này; hãy "
            "chuyển ngay cho bên nhận."
        ) % {"name": subscriber.name, "secret": secret}
        self.message_user(request, message, messages.WARNING)
