from django.contrib.auth.models import User
from django.db import models

class Device(models.Model):  # type: ignore[django-manager-missing]
    user: models.ForeignKey[User, User]
    name: models.CharField[str, str]
    confirmed: models.BooleanField[bool, bool]
    class Meta:
        abstract = True
    @property
    def persistent_id(self) -> str: ...
    def verify_token(self, token: str) -> bool: ...
