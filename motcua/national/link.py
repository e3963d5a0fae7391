"""The national portal's data of a dossier filed there, as the inbound endpoint keeps it: the
one place the sync reads it from (`motcua.api.selectors.national_link`)."""

from __future__ import annotations

from datetime import datetime

from motcua.api.selectors import NationalLink, national_link

__all__ = ["NationalLink", "national_link", "portal_times"]


def portal_times(portal: NationalLink) -> tuple[datetime | None, datetime | None]:
    """When the citizen filed the dossier on the portal (NgayNopHoSo) and when it arrived
    here; (None, None) for a link kept before they were (then no wait is recorded)."""
    return portal.submitted_at, portal.arrived_at
