"""Sign-in attempts, kept for the record and to know the sources an account signs in from,
and the guessing counters that hold repeated failures (motcua/core/signin.py)."""

from __future__ import annotations

from django.db import models


class SignInAttempt(models.Model):
    """One password or second-factor check (the password is never stored)."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # core.throttle.source_key(ip): an account's known sources are those it succeeded from.
    source = models.CharField(max_length=64, blank=True, default="")
    at = models.DateTimeField()
    succeeded = models.BooleanField()
    # The check completed a sign-in: a right password needing no second factor, or a right
    # second factor. Only these make a source known to the account.
    signed_in = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["username", "at"], name="signin_by_user")]


class SignInCounter(models.Model):
    """Wrong tries of one limit's key in one fixed window: raised by a compare-and-set that
    refuses to pass the limit, so tries sent at once cannot overshoot it."""

    scope = models.CharField(max_length=16)
    key = models.CharField(max_length=64)  # a digest of what the scope counts
    window = models.BigIntegerField()  # core.throttle.Limit.window(now)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window"], name="signin_counter_key")
        ]
