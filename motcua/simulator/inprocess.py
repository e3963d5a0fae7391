"""A `requests` transport that answers from this Django app in-process (no socket): how the
demo's loading, before any server runs, files dossiers through the real inbound endpoint."""

from __future__ import annotations

from typing import Any

import requests
from django.test import Client
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class InProcessAdapter(BaseAdapter):
    """Answers every request from the app, through Django's test client."""

    def __init__(self) -> None:
        super().__init__()
        self.client = Client()

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        path = "/" + url.split("://", 1)[-1].partition("/")[2]
        skipped = ("content-type", "content-length", "host")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in skipped}
        body = request.body or b""
        answer = self.client.generic(
            request.method or "GET",
            path,
            data=body.encode() if isinstance(body, str) else body,
            content_type=str(request.headers.get("Content-Type", "application/octet-stream")),
            headers=headers,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = url
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to close."""


def in_process_session() -> requests.Session:
    """A session whose every http(s) request is answered by this app in-process."""
    session = requests.Session()
    adapter = InProcessAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
