"""A dossier's stamp: a mark in the shared cache that every write of the dossier removes.

What a reader keeps from a dossier outside the database (the public tracking page,
`motcua/portal/tracking.py`) it keeps with the stamp it saw before it read the dossier, and
uses again only while that stamp is still there: the stamp is then proof that no write has
committed since that read, without asking the database. A reader that finds no stamp makes one
(a new random value, never an old one) after its read, and keeps nothing under it that time.

Every write removes the stamp twice, as `motcua.caching.Family.forget` renews its token: at
once, inside the write's transaction (a failure then fails the write, so nothing changes
unmarked), and again once it commits (a reader between the two saw the dossier as it was
before the commit). So a reader that saw a stamp and then read the dossier kept what it read
under a stamp that is gone as soon as any later write commits. Only `dossiers.services` calls
`dossier_changed`; the key is keyed by the code, which the tracking page knows before its
lookup.
"""

from __future__ import annotations

import hashlib
from typing import Final

from django.core.cache import cache
from django.db import transaction

# How long a stamp lives unused; a reader makes a new one when it is gone.
TTL_SECONDS: Final = 3600


def stamp_key(code: str) -> str:
    """The cache key of the stamp of the dossier with this code (as `parse_dossier_code`
    spells it)."""
    return "dossier:stamp:" + hashlib.sha256(code.encode()).hexdigest()[:32]


def dossier_changed(code: str | None) -> None:
    """Remove the dossier's stamp now and again when the transaction commits."""
    if code is None:  # not registered yet (an online draft): nothing was kept for it
        return
    key = stamp_key(code)
    cache.delete(key)
    # Committed by then, the write stands whatever happens here: a failure is logged
    # (robust), and what a reader kept between the two removals shows until it expires.
    transaction.on_commit(lambda: cache.delete(key), robust=True)
