"""Reads of the catalog on the write path, cached: every reception needs the version in force,
its required documents and its steps, and they change only by `catalog import` (which refuses
to change a version that has dossiers) or in the admin, both of which forget the cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from motcua.caching import Family
from motcua.catalog.models import Procedure, ProcedureVersion, RequiredDocument, StepTemplate
from motcua.core import fees, text
from motcua.core.catalog import Entry, SearchIndex

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


# ---------------------------------------------------------------------------------------------
# The public catalog: what citizens search and read (motcua.portal)


@dataclass(frozen=True)
class PublicProcedure:
    """A procedure as the public catalog lists it: the version in force on the day (or, when
    none is yet, the first one to come)."""

    code: str
    name: str
    field: str
    level: str
    version_id: int
    effective_from: date
    competent: str  # "commune" or an agency e-ID code
    time_limit: Decimal
    time_limit_unit: str
    time_limit_note: str
    fee: int
    fee_note: str
    online_level: str
    result: str
    legal_basis: str
    verified: bool  # False while an administrator has a value still to confirm


@dataclass
class PublicCatalog:
    """Every published procedure by code, with the search index over their names."""

    procedures: dict[str, PublicProcedure]
    index: SearchIndex
    fields: list[str]
    levels: list[str]
    competents: list[str]


def _public_version(versions: list[ProcedureVersion], today: date) -> ProcedureVersion | None:
    in_force = [v for v in versions if v.effective_from <= today]
    if in_force:
        return max(in_force, key=lambda v: (v.effective_from, v.version))
    return min(versions, key=lambda v: (v.effective_from, v.version), default=None)


def _load_public(today: date) -> PublicCatalog:
    procedures: dict[str, PublicProcedure] = {}
    for procedure in Procedure.objects.order_by("code").prefetch_related("versions"):
        version = _public_version(list(procedure.versions.all()), today)
        if version is None:
            continue
        procedures[procedure.code] = PublicProcedure(
            code=procedure.code,
            name=procedure.name,
            field=procedure.field,
            level=procedure.level,
            version_id=version.pk,
            effective_from=version.effective_from,
            competent=version.competent,
            time_limit=version.time_limit,
            time_limit_unit=version.time_limit_unit,
            time_limit_note=version.time_limit_note,
            fee=version.fee,
            fee_note=version.fee_note,
            online_level=version.online_level,
            result=version.result,
            legal_basis=version.legal_basis,
            verified=procedure.verified,
        )
    listed = procedures.values()
    return PublicCatalog(
        procedures=procedures,
        index=SearchIndex.build(Entry(p.code, p.code, p.name) for p in listed),
        fields=sorted({p.field for p in listed}, key=text.fold),
        levels=[level for level in Procedure.Level.values if any(p.level == level for p in listed)],
        competents=sorted({p.competent for p in listed}),
    )


def public_catalog(today: date) -> PublicCatalog:
    """The public catalog as of a local date, built once per catalog generation and day. The
    value is shared: read it, do not change it."""
    return _CATALOG.fetch("public", today.isoformat(), load=lambda: _load_public(today))


def public_search(
    catalog: PublicCatalog,
    *,
    query: str = "",
    field: str = "",
    level: str = "",
    competent: str = "",
) -> list[PublicProcedure]:
    """The procedures matching the query (ranked, `core.catalog`) and the filters; every
    procedure by name when the query is empty."""
    if query:
        found = [catalog.procedures[str(hit.key)] for hit in catalog.index.search(query)]
    else:
        found = sorted(catalog.procedures.values(), key=lambda p: (text.fold(p.name), p.code))
    return [
        p
        for p in found
        if (not field or p.field == field)
        and (not level or p.level == level)
        and (not competent or p.competent == competent)
    ]


def public_documents(version_id: int) -> list[RequiredDocument]:
    """The papers of a published version, in order."""
    return list(RequiredDocument.objects.filter(version_id=version_id).order_by("order"))


# What `catalog import` stores a sample form as (services.sample_name): nothing else is served.
_STORED_SAMPLE = re.compile(r"mau-don/[0-9a-f]{32}/[a-z0-9][a-z0-9-]{0,80}\.(pdf|docx|odt)")


def sample_of(document: RequiredDocument) -> str:
    """The storage name of the paper's sample form, "" when it has none or the row holds a
    name the import never makes (a tampered row must not reach the storage)."""
    return document.sample if _STORED_SAMPLE.fullmatch(document.sample) else ""


def level_choices() -> list[tuple[str, str]]:
    """(value, label) of each level a procedure is carried out at."""
    return [(str(value), str(label)) for value, label in Procedure.Level.choices]


def fee_rule_of(version: ProcedureVersion) -> fees.FeeRule:
    """How a version's fee is counted (`core.fees`), from its catalog entry."""
    return fees.rule_from_data(version.fee, version.fee_rule)


def fee_quote(version: ProcedureVersion, quantity: fees.Quantity) -> fees.Quote:
    """The amount due for a dossier of this version: what the online form shows before
    submission, and what a payment is checked against. Bad quantities raise InvalidInput."""
    return fees.fee_due(fee_rule_of(version), quantity)


def step_names(procedure_ids: list[int]) -> dict[tuple[int, int], str]:
    """Each procedure's step names by (procedure id, step index: the position in its version's
    steps), as its newest version names them (an older version's extra steps keep theirs)."""
    names: dict[tuple[int, int], str] = {}
    versions = ProcedureVersion.objects.filter(procedure_id__in=procedure_ids).order_by(
        "effective_from", "version"
    )
    for version in versions.prefetch_related("steps"):
        for index, step in enumerate(version.steps.all()):
            names[(version.procedure_id, index)] = step.name  # newer versions come later
    return names


def procedure_labels(ids: list[int]) -> dict[int, tuple[str, str]]:
    """(code, name) of these procedures, by id."""
    rows = Procedure.objects.filter(pk__in=ids).values_list("pk", "code", "name")
    return {pk: (code, name) for pk, code, name in rows}
