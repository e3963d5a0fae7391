"""The national portal's data of a dossier filed there, as the inbound endpoint keeps it.

The one place that reads it: `motcua.api.selectors.national_link` (the `api` branch's), with
a stand-in that knows of no portal dossier until that branch is merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NationalLink:
    """What the inbound endpoint kept of a dossier filed on the national portal."""

    portal_ref: str  # MaHoSoQG
    adapter_version: str
    vneid: bool
    paid_online: int  # DuocThanhToanTrucTuyen: 0, 1 (on the portal) or 2 (another gateway)
    digitised: bool
    papers: tuple[tuple[str, bool, bool], ...]  # (name, digitised, from the data store)
    fees: tuple[tuple[str, int], ...]  # (name, amount in đồng)
    submitted_at: datetime | None = None  # NgayNopHoSo: the citizen's submission there
    arrived_at: datetime | None = None  # when the endpoint here took it


def national_link(dossier_id: int) -> NationalLink | None:
    """The portal's data of a dossier filed there; None for any other (stand-in: always)."""
    return None
