"""Reads of the catalog on the write path, cached: every reception needs the version in force,
its required documents and its steps, and they change only by `catalog import` (which refuses
to change a version that has dossiers) or in the admin, both of which forget the cache.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.caching import Family
from motcua.catalog.models import Procedure, ProcedureVersion, RequiredDocument, StepTemplate

_CATALOG = Family("catalog")


def catalog_cache_clear() -> None:
    """Forget the cached versions; called by the import and by the admin's writes."""
    _CATALOG.forget()


def procedure_versions(code: str) -> list[ProcedureVersion] | None:
    """A procedure's versions, newest first (by effective date, then number), each with its
    procedure, steps and documents loaded; None when no procedure has this code. The instances
    are shared: read them, do not change them."""
    return _CATALOG.fetch("versions", code, load=lambda: _load_versions(code))


def _load_versions(code: str) -> list[ProcedureVersion] | None:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        return None
    versions = list(
        procedure.versions.order_by("-effective_from", "-version").prefetch_related(
            "steps", "documents"
        )
    )
    for version in versions:
        version.procedure = procedure
        # Read now, so the cached copies carry them and a reception does not query them.
        steps_of(version)
        documents_of(version)
    return versions


def steps_of(version: ProcedureVersion) -> list[StepTemplate]:
    """The version's step templates in order, read once per loaded version."""
    cached: list[StepTemplate] | None = version.__dict__.get("_cached_steps")
    if cached is None:
        cached = version.__dict__["_cached_steps"] = list(version.steps.all())
    return cached


def documents_of(version: ProcedureVersion) -> list[RequiredDocument]:
    """The version's required documents in order, read once per loaded version."""
    cached: list[RequiredDocument] | None = version.__dict__.get("_cached_documents")
    if cached is None:
        cached = version.__dict__["_cached_documents"] = list(version.documents.all())
    return cached


def procedures() -> QuerySet[Procedure]:
    """Every procedure, unevaluated: what a form picks a procedure from by its code."""
    return Procedure.objects.all()


def procedure_search(words: str, *, limit: int = 20) -> QuerySet[Procedure]:
    """The first `limit` procedures by code whose folded name contains `words` or whose code
    starts with them (`words` folded as `motcua.core.text.fold` folds); the first `limit` of
    all procedures when `words` is empty. Unevaluated."""
    found = Procedure.objects.order_by("code")
    if words:
        found = found.filter(Q(search_key__contains=words) | Q(code__startswith=words))
    return found[:limit]


def procedure_names() -> QuerySet[Procedure, tuple[str, str]]:
    """(code, name) of every procedure by code, unevaluated: the choices of a filter."""
    return Procedure.objects.order_by("code").values_list("code", "name")


def procedure_catalog() -> list[Procedure]:
    """Every procedure with its versions, their steps and their documents loaded."""
    return list(Procedure.objects.prefetch_related("versions__steps", "versions__documents"))


def is_commune_level(procedure: Procedure) -> bool:
    """Whether the procedure is carried out at the commune level."""
    return procedure.level == Procedure.Level.COMMUNE
