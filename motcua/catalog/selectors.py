"""Reads of the catalog on the write path, remembered: every reception needs the version in
force, its required documents and its steps, and they change only by `catalog import` (which
refuses to change a version that has dossiers).
"""

from __future__ import annotations

from threading import Lock
from time import monotonic

from django.db.models.signals import post_delete, post_save

from motcua.catalog.models import Procedure, ProcedureVersion, RequiredDocument, StepTemplate

# Rebuilt at least this often, so a process that did not run the import sees it soon.
CACHE_SECONDS = 60.0
_versions: dict[str, tuple[float, list[ProcedureVersion] | None]] = {}
_lock = Lock()


def catalog_cache_clear(**_kwargs: object) -> None:
    """Forget remembered versions; connected to every save and delete of the catalog (ids
    can come back after a rollback, as in tests on SQLite)."""
    with _lock:
        _versions.clear()


for _model in (Procedure, ProcedureVersion, RequiredDocument, StepTemplate):
    post_save.connect(catalog_cache_clear, sender=_model, dispatch_uid=f"catalog-{_model}")
    post_delete.connect(catalog_cache_clear, sender=_model, dispatch_uid=f"catalog-del-{_model}")


def procedure_versions(code: str) -> list[ProcedureVersion] | None:
    """A procedure's versions, newest first (by effective date, then number), each with its
    procedure loaded; None when no procedure has this code. The instances are shared: read
    them, do not change them."""
    with _lock:
        cached = _versions.get(code)
    if cached is not None and monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    procedure = Procedure.objects.filter(code=code).first()
    versions = None
    if procedure is not None:
        versions = list(procedure.versions.order_by("-effective_from", "-version"))
        for version in versions:
            version.procedure = procedure
    with _lock:
        _versions[code] = (monotonic(), versions)
    return versions


def steps_of(version: ProcedureVersion) -> list[StepTemplate]:
    """The version's step templates in order, read once per loaded version."""
    cached = version.__dict__.get("_cached_steps")
    if cached is None:
        cached = version.__dict__["_cached_steps"] = list(version.steps.all())
    return cached


def documents_of(version: ProcedureVersion) -> list[RequiredDocument]:
    """The version's required documents in order, read once per loaded version."""
    cached = version.__dict__.get("_cached_documents")
    if cached is None:
        cached = version.__dict__["_cached_documents"] = list(version.documents.all())
    return cached
