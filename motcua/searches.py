"""Searches kept out of the address bar (issue 11). What is typed into the inbox's search
(a name, an ID number, a phone) is posted, kept in the session under a random token, and the
address carries only the token (`?s=…`); a number searched in the admin's lists is moved there
at once. An address is written down by the browser's history, every proxy and the server's
access log; a session is not."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, QueryDict

KEY = "desk_searches"
KEPT = 20  # the session keeps this many searches; older tokens find nothing


def tokenised(request: HttpRequest, data: QueryDict) -> QueryDict:
    """`data` with its search text `q` replaced by a token for it (`s`)."""
    params = data.copy()
    params.pop("csrfmiddlewaretoken", None)
    params.pop("s", None)
    text = params.pop("q", [""])[-1].strip()
    if text:
        token = secrets.token_urlsafe(9)
        kept: dict[str, str] = request.session.get(KEY, {})
        kept[token] = text
        request.session[KEY] = dict(list(kept.items())[-KEPT:])
        params["s"] = token
    return params


def recalled(request: HttpRequest, data: QueryDict) -> QueryDict:
    """`data` with its search token (`s`) read back as the search text `q`."""
    params = data.copy()
    params.pop("q", None)
    token = params.pop("s", [""])[-1]
    text = request.session.get(KEY, {}).get(token)
    if text:
        params["q"] = text
    return params
