"""Sign-in attempts, kept to lock an account after repeated failures."""

from __future__ import annotations

from django.db import models


class SignInAttempt(models.Model):
    """One try at signing in (the password is never stored)."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()
    succeeded = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["username", "at"], name="signin_by_user")]
