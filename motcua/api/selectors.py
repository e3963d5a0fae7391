"""The API's reads: the client a key belongs to, and the national portal's data of a dossier
(`national_link`, read by the outbound sync)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua.api.chain import ChainReport, verify_call_chain
from motcua.api.models import ApiClient, NationalDossier
from motcua.core import apiclients
from motcua.core.errors import NotAuthenticated, _


@dataclass(frozen=True)
class Caller:
    """The client a call is from, as routes see it."""

    id: int
    name: str
    operations: frozenset[str]
    agency_codes: frozenset[str]
    agency_ids: frozenset[int]
    requests_per_minute: int


def _unknown() -> NotAuthenticated:
    return NotAuthenticated(
        _("Khóa API không hợp lệ hoặc đã bị thu hồi."),
    )


def caller_for_key(key: str) -> tuple[Caller | None, str]:
    """The active client whose key this is, or None with why ("unknown", "revoked")."""
    prefix = apiclients.key_prefix(key)
    if prefix is None:
        return None, "unknown"
    client = ApiClient.objects.filter(key_prefix=prefix).first()
    if client is None or not apiclients.key_matches(key, client.key_hash):
        return None, "unknown"
    # A revoked key stops for good, even if the client is made active again in the admin
    # (`motcua apiclient rotate` issues it a new key).
    if not client.is_active or client.revoked_at is not None:
        return None, "revoked"
    agencies = list(client.agencies.values_list("pk", "code"))
    return (
        Caller(
            id=client.pk,
            name=client.name,
            operations=frozenset(client.operations),
            agency_codes=frozenset(code for _pk, code in agencies),
            agency_ids=frozenset(pk for pk, _code in agencies),
            requests_per_minute=client.requests_per_minute,
        ),
        "",
    )


def authenticate(key: str) -> Caller:
    """The client of this key, or the 401 (the same for unknown and revoked keys: a caller
    learns nothing about which keys exist)."""
    caller, _why = caller_for_key(key)
    if caller is None:
        raise _unknown()
    return caller


@dataclass(frozen=True)
class NationalLink:
    """What the national portal sent with a dossier, for the outbound sync."""

    portal_ref: str
    adapter_version: str
    vneid: bool
    paid_online: int
    digitised: bool
    papers: tuple[tuple[str, bool, bool], ...]  # (name, digitised, from the data store)
    fees: tuple[tuple[str, int], ...]  # (name, amount in VND)
    submitted_at: datetime | None = None  # NgayNopHoSo: submitted on the portal
    arrived_at: datetime | None = None  # when the portal's message arrived here


def national_link(dossier_id: int) -> NationalLink | None:
    """The national portal's data of a dossier it sent, or None for any other dossier."""
    row = NationalDossier.objects.filter(dossier_id=dossier_id).first()
    if row is None:
        return None
    return NationalLink(
        portal_ref=row.portal_ref,
        adapter_version=row.adapter_version,
        vneid=row.vneid,
        paid_online=row.paid_online,
        digitised=row.digitised,
        papers=tuple((str(p[0]), bool(p[1]), bool(p[2])) for p in row.papers),
        fees=tuple((str(f[0]), int(f[1])) for f in row.fees),
        submitted_at=row.filed_at,
        arrived_at=row.received_at,
    )


def national_by_ref(portal_ref: str) -> int | None:
    """The dossier id the national portal's reference was lodged as, or None."""
    return (
        NationalDossier.objects.filter(portal_ref=portal_ref)
        .values_list("dossier_id", flat=True)
        .first()
    )


def call_chain_report() -> ChainReport:
    """The API call record's chain checked (`motcua audit verify` reports it)."""
    return verify_call_chain()
