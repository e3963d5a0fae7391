"""The portal simulator reached in-process: `requests` to http://testserver goes through
Django's test client (same database, same transaction), so the sync and the filings run the
real HTTP code paths without a socket."""

from __future__ import annotations

import pytest
import requests
from django.test import Client
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

BASE = "http://testserver"
TOKEN = "jeton-cong-dvcqg-thu-nghiem"


class InProcess(BaseAdapter):
    """A transport adapter answering from the Django app. `timeouts` > 0: that many of the
    next requests raise requests.Timeout before reaching the app (a portal that never
    answered)."""

    def __init__(self) -> None:
        super().__init__()
        self.client = Client()
        self.timeouts = 0
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        assert timeout, "every call to the portal has a timeout"
        self.sent.append(request)
        if self.timeouts:
            self.timeouts -= 1
            raise requests.Timeout("simulated timeout")
        path = request.url.removeprefix(BASE)
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("content-type", "content-length")
        }
        answer = self.client.generic(
            request.method,
            path,
            data=request.body or b"",
            content_type=request.headers.get("Content-Type", "application/octet-stream"),
            headers=headers,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def wire(monkeypatch):
    """Every `requests` call to http://testserver answered in-process."""
    adapter = InProcess()
    original = requests.Session.get_adapter

    def get_adapter(self, url):
        return adapter if url.startswith(BASE) else original(self, url)

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
    return adapter


@pytest.fixture
def portal(settings, wire):
    """This installation connected to the portal simulator on the test server."""
    from motcua.simulator.services import simulator_url

    settings.NATIONAL_PORTAL_URL = simulator_url(BASE)
    settings.NATIONAL_PORTAL_TOKEN = TOKEN
    return wire
