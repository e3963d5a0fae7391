"""The peers, their keys and the agencies they host, edited by the administrator (each change
in the administrative log); the message log, read only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from motcua.adminlog.hooks import AuditedAdmin
from motcua.exchange.models import Installation, LogEntry, PeerKey, RemoteAgency


class PeerKeyInline(admin.TabularInline[PeerKey, Installation]):
    model = PeerKey
    extra = 0
    fields = ("key_id", "public_key", "valid_from", "valid_until")


class RemoteAgencyInline(admin.TabularInline[RemoteAgency, Installation]):
    model = RemoteAgency
    extra = 0
    fields = ("agency_code", "procedure_code")


@admin.register(Installation)
class InstallationAdmin(AuditedAdmin, admin.ModelAdmin[Installation]):
    list_display = ["code", "name", "base_url", "active"]
    search_fields = ["code", "name"]
    inlines = [PeerKeyInline, RemoteAgencyInline]


@admin.register(LogEntry)
class LogEntryAdmin(AuditedAdmin, admin.ModelAdmin[LogEntry]):
    list_display = ["seq", "at", "kind", "peer", "type", "dossier", "message_id"]
    list_filter = ["kind", "type"]
    search_fields = ["message_id__exact", "dossier__exact"]
    ordering = ["-seq"]
    show_full_result_count = False
    readonly_fields = [f.name for f in LogEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LogEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: LogEntry | None = None) -> bool:
        return False
