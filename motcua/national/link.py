"""The national portal's data of a dossier filed there, as the inbound endpoint keeps it: the
one place the sync reads it from (`motcua.api.selectors.national_link`)."""

from __future__ import annotations

from datetime import datetime

from motcua.api.selectors import NationalLink, national_link

__all__ = ["NationalLink", "national_link", "portal_times"]


def portal_times(portal: NationalLink) -> tuple[datetime | None, datetime | None]:
    """When the citizen filed the dossier on the portal (NgayNopHoSo) and when it arrived
    here, if the link tells them (`submitted_at`, `arrived_at`); else (None, None), and no
    wait is recorded. [The api branch's NationalLink does not carry them yet.]"""
    return getattr(portal, "submitted_at", None), getattr(portal, "arrived_at", None)
