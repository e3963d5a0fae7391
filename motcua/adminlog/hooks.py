"""`AuditedAdmin`: every ModelAdmin records its changes in the administrative log.

The hook is where the admin itself says something happened: `get_object` (and, for a list's
inline edits, `save_model`) remembers the object as the database had it before; `log_addition`
and `log_change` (called after the object, its inlines and its many-to-many fields are saved,
inside the admin's transaction) read it back and record the difference; `log_deletions` records
what is about to go. Actions run in one transaction and record every selected row they changed
or deleted. So an admin's own `save_model` calling a service, a password change and a change of
a user's groups or permissions are all recorded, with the change, atomically.
`tests/adminlog/test_admin.py` checks that every registered ModelAdmin is one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.forms.models import _get_foreign_key
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone

from motcua import searches
from motcua.adminlog.services import Change, Who, admin_changes_record
from motcua.core.adminlog import field_changes, kind_of
from motcua.core.privacy import names_a_number
from motcua.edge import client_address

Snapshot = dict[str, Any]
_BEFORE = "_adminlog_before"
_NAMES = "_adminlog_names"
_IN_ACTION = "_adminlog_in_action"


def jsonable(value: Any) -> Any:
    """A field's value as the log records it."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return json.loads(json.dumps(value, default=str))
    return str(value)


def snapshot(obj: models.Model) -> Snapshot:
    """Every concrete field of `obj` and the ids of its many-to-many fields."""
    data = {f.name: jsonable(f.value_from_object(obj)) for f in obj._meta.concrete_fields}
    for m2m in obj._meta.many_to_many:
        data[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return data


def stored(model: type[models.Model], pk: Any) -> Snapshot | None:
    """The object as the database has it now, or None when there is none."""
    obj = model._base_manager.filter(pk=pk).first()
    return None if obj is None else snapshot(obj)


def who(request: HttpRequest) -> Who:
    user = request.user
    return Who(
        source="admin",
        user_id=user.pk if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        address=client_address(request),
    )


def describe(obj: models.Model, personal: bool) -> str:
    """The object's name in the log: its `str`, or only its id for a person's record."""
    return f"#{obj.pk}" if personal else str(obj)[:200]


class AuditedAdmin:
    """Mixin for a ModelAdmin (before admin.ModelAdmin among its bases)."""

    # True for a model whose `str` names a person who may ask to be forgotten (a citizen).
    audit_personal = False

    # -- remembering the object before ------------------------------------------------------

    def _remembered(self, request: HttpRequest) -> dict[tuple[str, str], Snapshot | None]:
        memo: dict[tuple[str, str], Snapshot | None] = request.__dict__.setdefault(_BEFORE, {})
        return memo

    def _names(self, request: HttpRequest) -> dict[tuple[str, str], str]:
        """The remembered objects' names: a row deleted is named as it was."""
        names: dict[tuple[str, str], str] = request.__dict__.setdefault(_NAMES, {})
        return names

    def _describe(self, obj: models.Model) -> str:
        return describe(obj, self.audit_personal and type(obj) is getattr(self, "model", None))

    def _children(self, obj: models.Model) -> list[tuple[type[models.Model], Any]]:
        """The inline objects edited with `obj`: (model, queryset of its rows)."""
        found = []
        for inline in getattr(self, "inlines", ()):
            child = inline.model
            fk = _get_foreign_key(type(obj), child, fk_name=getattr(inline, "fk_name", None))
            assert fk is not None  # an inline always has its foreign key
            found.append((child, child._base_manager.filter(**{fk.name: obj.pk})))
        return found

    def _remember(self, request: HttpRequest, obj: models.Model) -> None:
        memo = self._remembered(request)
        key = (obj._meta.label_lower, str(obj.pk))
        if key in memo:
            return
        memo[key] = stored(type(obj), obj.pk)
        names = self._names(request)
        names[key] = self._describe(obj)
        for child, rows in self._children(obj):
            for row in rows:
                memo[(child._meta.label_lower, str(row.pk))] = snapshot(row)
                names[(child._meta.label_lower, str(row.pk))] = self._describe(row)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None and request.method == "POST":
            self._remember(request, obj)
        return obj

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and obj.pk is not None:
            self._remember(request, obj)  # a list's inline edit has no get_object
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    # -- recording ------------------------------------------------------------------------

    def _record(self, request: HttpRequest, pairs: Iterable[tuple[models.Model, Any]]) -> None:
        """Record each (object, its snapshot after or None) against what was remembered."""
        memo = self._remembered(request)
        changes = []
        for obj, after in pairs:
            key = (obj._meta.label_lower, str(obj.pk))
            before = memo.pop(key, None)
            kind = kind_of(before, after)
            diff = field_changes(before, after)
            if kind is None or not diff:
                continue
            name = self._names(request).get(key) if after is None else None
            changes.append(
                Change(
                    kind=kind.value,
                    model=obj._meta.label_lower,
                    object_id=str(obj.pk),
                    object_repr=name if name is not None else self._describe(obj),
                    changes=diff,
                )
            )
        admin_changes_record(who=who(request), changes=changes, now=timezone.now())

    def _with_children(
        self, request: HttpRequest, obj: models.Model
    ) -> list[tuple[models.Model, Any]]:
        """`obj` and its inline rows now, and the inline rows remembered but gone."""
        pairs: list[tuple[models.Model, Any]] = [(obj, stored(type(obj), obj.pk))]
        memo = self._remembered(request)
        for child, rows in self._children(obj):
            present = {str(row.pk) for row in rows}
            pairs += [(row, snapshot(row)) for row in rows]
            label = child._meta.label_lower
            for gone in [pk for (m, pk) in memo if m == label and pk not in present]:
                ghost = child(pk=child._meta.pk.to_python(gone))
                pairs.append((ghost, None))
        return pairs

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._record(request, self._with_children(request, obj))
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._record(request, self._with_children(request, obj))
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        if not request.__dict__.get(_IN_ACTION):
            objs = list(queryset)
            for obj in objs:
                self._remember(request, obj)
            pairs: list[tuple[models.Model, Any]] = []
            for obj in objs:
                pairs.append((obj, None))
                for _child, rows in self._children(obj):
                    pairs += [(row, None) for row in rows]
            self._record(request, pairs)
        return super().log_deletions(request, queryset)  # type: ignore[misc]

    # -- a search for an ID number or a phone is kept out of the address -------------------

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        """The admin's list search is a GET form: a number searched for leaves the address
        for a token kept in the session (as the inbox's, desk/searches.py)."""
        query = request.GET.get(SEARCH_VAR, "")
        if request.method == "GET" and names_a_number(query):
            return redirect(
                f"{request.path}?{searches.tokenised(request, request.GET).urlencode()}"
            )
        if request.method == "GET" and "s" in request.GET:
            request.GET = searches.recalled(request, request.GET)  # type: ignore[assignment]
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def response_action(self, request: HttpRequest, queryset: Any) -> Any:
        """An action in one transaction, recording every selected row it changed or deleted."""
        chosen = queryset
        if request.POST.get("select_across") not in ("1", "True", "true"):
            try:
                pk = queryset.model._meta.pk
                ids = [pk.to_python(v) for v in request.POST.getlist(ACTION_CHECKBOX_NAME)]
            except DjangoValidationError:
                return super().response_action(request, queryset)  # type: ignore[misc]
            chosen = queryset.filter(pk__in=ids)
        with transaction.atomic():
            before = list(chosen)
            for obj in before:
                self._remember(request, obj)
            request.__dict__[_IN_ACTION] = True
            try:
                response = super().response_action(request, queryset)  # type: ignore[misc]
            finally:
                request.__dict__[_IN_ACTION] = False
            self._record(request, [(obj, stored(type(obj), obj.pk)) for obj in before])
        return response
