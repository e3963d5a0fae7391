"""The centre sets each branch's appointment windows and their places here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from motcua.adminlog.hooks import AuditedAdmin
from motcua.appointments.models import Booking, Window
from motcua.appointments.services import window_save
from motcua.core import appointments as rules


class WindowForm(forms.ModelForm[Window]):
    class Meta:
        model = Window
        fields = ["branch", "weekday", "start", "end", "capacity"]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end, capacity = data.get("start"), data.get("end"), data.get("capacity")
        if start is not None and end is not None and capacity is not None:
            window = rules.Window(int(str(data.get("weekday", 0))), start, end, int(capacity))
            for problem in rules.check_window(window):
                self.add_error(None, problem)
        return data


@admin.register(Window)
class WindowAdmin(AuditedAdmin, admin.ModelAdmin[Window]):
    form = WindowForm
    list_display = ("branch", "weekday", "start", "end", "capacity")
    list_filter = ("weekday",)
    ordering = ("branch", "weekday", "start")

    def save_model(
        self, request: HttpRequest, obj: Window, form: forms.ModelForm[Window], change: bool
    ) -> None:
        window_save(window=obj)


@admin.register(Booking)
class BookingAdmin(AuditedAdmin, admin.ModelAdmin[Booking]):
    """Bookings are read here, never written: they change through the citizens and the desk."""

    list_display = ("day", "start", "ticket", "branch", "procedure", "state")
    list_filter = ("state", "day")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return False
