from typing import ClassVar

from django.db import models

from django_otp.models import Device

class StaticDevice(Device):
    objects: ClassVar[models.Manager[StaticDevice]]  # type: ignore[assignment]

class StaticToken(models.Model):
    objects: ClassVar[models.Manager[StaticToken]]
    device: models.ForeignKey[StaticDevice, StaticDevice]
    token: models.CharField[str, str]
