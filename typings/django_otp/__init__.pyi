# The parts of django-otp 1.7 that motcua uses (motcua/desk); the package ships no types.
from django.http import HttpRequest

from django_otp.models import Device

DEVICE_ID_SESSION_KEY: str

def login(request: HttpRequest, device: Device) -> None: ...
