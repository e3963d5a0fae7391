"""The administrative log: one keyed hash chain of every change made through the admin or an
import command (users, posts, agencies, units, the catalog, calendars), issue 11.

Not Django's `django_admin_log`, which the admin itself lets anyone with the right edit: these
rows are append-only, chained like the dossiers' events (motcua/adminlog/chain.py), and
checked by `motcua audit verify`.
"""

from __future__ import annotations

from django.db import models


class AdminChange(models.Model):
    """One object added, changed or deleted (or one import run): who, when, from where, what
    object, which fields old → new (secrets and personal data only as "changed")."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    # Who: the user's id and name as they were (no foreign key: the log outlives the user).
    user_id = models.IntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    # Where the change came from: "admin", or the command ("catalog import" …).
    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=10)
    # What: the model's label ("organization.agency"), the object's key and its name then.
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        # Read by the oversight page: a period's changes newest first, and one user's.
        indexes = [
            models.Index(fields=["at"], name="adminchange_by_time"),
            models.Index(fields=["user_id", "at"], name="adminchange_by_user"),
        ]


class AdminChainHead(models.Model):
    """The chain's last seq and hash (one row): every change locks it, so changes chain one
    after the other, and a tail deleted shows as a head no row has."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
