from typing import ClassVar

from django.db import models

from django_otp.models import Device

class TOTPDevice(Device):
    objects: ClassVar[models.Manager[TOTPDevice]]  # type: ignore[assignment]
    key: models.CharField[str, str]
    last_t: models.BigIntegerField[int, int]
    @property
    def bin_key(self) -> bytes: ...
    @property
    def config_url(self) -> str: ...
