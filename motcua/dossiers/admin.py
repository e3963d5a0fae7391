"""A read-only list of dossiers for supervisors; only the services write these tables.

No applicant fields: staff reads of personal data are recorded (DossierAccess), and the admin
would bypass that record. Officers open a dossier in the desk instead.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.adminlog.hooks import AuditedAdmin
from motcua.dossiers.models import Dossier


@admin.register(Dossier)
class DossierAdmin(AuditedAdmin, admin.ModelAdmin[Dossier]):
    list_display = ["code", "status", "current_agency", "received_at", "due_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["current_agency"]
    # Exact match on the unique code, so the search uses its index.
    search_fields = ["code__exact"]
    # Counting every dossier on each page view is slow at national scale.
    show_full_result_count = False
    ordering = ["-pk"]
    fields = (
        "code",
        "status",
        "procedure_version",
        "channel",
        "receiving_agency",
        "competent_agency",
        "current_agency",
        "current_unit",
        "received_at",
        "due_at",
        "original_due_at",
        "finished_at",
        "returned_at",
    )
    readonly_fields = fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Dossier], search_term: str
    ) -> tuple[QuerySet[Dossier], bool]:
        return super().get_search_results(request, queryset, search_term.strip().upper())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Dossier | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Dossier | None = None) -> bool:
        return False
