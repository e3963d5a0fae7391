"""The public procedure catalog: search with filters, and one procedure's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua import fields
from motcua.catalog.selectors import (
    PublicCatalog,
    PublicProcedure,
    documents_of,
    fee_quote,
    fee_rule_of,
    level_choices,
    procedure_versions,
    public_catalog,
    public_search,
    sample_of,
)
from motcua.core import catalog as rules
from motcua.core import fees, text
from motcua.core.calendar import local_date
from motcua.core.errors import DomainError, fill
from motcua.edge import add_to_form
from motcua.organization.selectors import (
    agency_by_code,
    centre_tz,
    is_commune,
    receiving_places,
)

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureVersion

PAGE_SIZE = 20
COMMUNE = "commune"


def _words(words: rules.Words) -> str:
    return words.render(gettext)


def _competent_name(code: str) -> str:
    if code == COMMUNE:
        return gettext("Ủy ban nhân dân xã, phường")
    agency = agency_by_code(code)
    return agency.name if agency is not None else code


def _today() -> date:
    return local_date(timezone.now(), centre_tz())


class CatalogSearchForm(fields.Form):
    q = fields.TextField(
        label=_("Tên thủ tục hoặc mã thủ tục"),
        max_length=rules.MAX_QUERY_LENGTH,
        help_text=_("Gõ có dấu hay không dấu đều được, ví dụ: dang ky khai sinh."),
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false"}),
    )
    field = fields.ChoiceField(label=_("Lĩnh vực"), required=False)
    level = fields.ChoiceField(label=_("Cấp thực hiện"), required=False)
    agency = fields.ChoiceField(label=_("Cơ quan giải quyết"), required=False)
    page = fields.NumberField(
        label=_("Trang"), min_value=1, max_value=10_000, required=False, widget=forms.HiddenInput
    )

    def __init__(self, data: Any, catalog: PublicCatalog) -> None:
        super().__init__(data)
        anything = [("", gettext("Tất cả"))]
        self.fields["field"].choices = anything + [(f, f) for f in catalog.fields]  # type: ignore[attr-defined]
        levels = dict(level_choices())
        self.fields["level"].choices = anything + [  # type: ignore[attr-defined]
            (level, gettext(levels[level])) for level in catalog.levels
        ]
        agencies = sorted(
            ((code, _competent_name(code)) for code in catalog.competents),
            key=lambda pair: text.fold(pair[1]),
        )
        self.fields["agency"].choices = anything + agencies  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Row:
    """One procedure of the result list, said in plain words."""

    procedure: PublicProcedure
    level: str
    time_limit: str
    online: str
    online_level: str
    fee: str
    competent: str


def _row(procedure: PublicProcedure, levels: dict[str, str]) -> Row:
    return Row(
        procedure=procedure,
        level=gettext(levels.get(procedure.level, procedure.level)),
        time_limit=_words(rules.time_limit_words(procedure.time_limit, procedure.time_limit_unit)),
        online=_words(rules.online_label(procedure.online_level)),
        online_level=procedure.online_level,
        fee=_words(rules.fee_words(procedure.fee)),
        competent=_competent_name(procedure.competent),
    )


def catalog(request: HttpRequest) -> HttpResponse:
    """Search the procedures by name or code, filter them, one page at a time (a GET form:
    works without JavaScript, and a result page can be bookmarked or shared)."""
    published = public_catalog(_today())
    form = CatalogSearchForm(request.GET, published)
    context: dict[str, object] = {"form": form, "total_procedures": len(published.procedures)}
    if not form.is_valid():
        return render(request, "portal/catalog.html", context, status=400)
    data = form.cleaned_data
    found = public_search(
        published,
        query=data["q"],
        field=data["field"],
        level=data["level"],
        competent=data["agency"],
    )
    page, first, pages = rules.page_of(len(found), data["page"] or 1, PAGE_SIZE)
    levels = dict(level_choices())
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        searched=bool(data["q"] or data["field"] or data["level"] or data["agency"]),
        rows=[_row(p, levels) for p in found[first : first + PAGE_SIZE]],
        count=len(found),
        page=page,
        pages=pages,
        first=first + 1,
        last=min(first + PAGE_SIZE, len(found)),
        query=query.urlencode(),
    )
    return render(request, "portal/catalog.html", context)


def _published(code: str) -> tuple[PublicProcedure, ProcedureVersion] | None:
    found = public_catalog(_today()).procedures.get(code)
    if found is None:
        return None
    versions = procedure_versions(code) or []
    version = next((v for v in versions if v.pk == found.version_id), None)
    return None if version is None else (found, version)


def _missing(request: HttpRequest, code: str, *, sample: bool = False) -> HttpResponse:
    context = {"code": code[:60], "sample": sample}
    return render(request, "portal/procedure_missing.html", context, status=404)


_SAMPLE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


def sample(request: HttpRequest, code: str, order: int) -> HttpResponseBase:
    """Download the sample form of one paper of a published procedure."""
    published = _published(code)
    document = (
        next((d for d in documents_of(published[1]) if d.order == order), None)
        if published
        else None
    )
    stored = sample_of(document) if document is not None else ""
    if not stored or not default_storage.exists(stored):
        return _missing(request, code, sample=True)
    filename = stored.rsplit("/", 1)[-1]
    return FileResponse(
        default_storage.open(stored, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=_SAMPLE_TYPES.get(filename.rsplit(".", 1)[-1], "application/octet-stream"),
    )


class FeeForm(fields.Form):
    """What the amount due depends on, asked on the procedure page (a GET form)."""

    ban = fields.NumberField(
        label=_("Số bản"), min_value=1, max_value=fees.MAX_COPIES, required=False, initial=1
    )
    trang = fields.NumberField(
        label=_("Số trang mỗi bản"),
        min_value=1,
        max_value=fees.MAX_PAGES,
        required=False,
        initial=1,
    )
    cach = fields.ChoiceField(
        label=_("Cách nộp"),
        required=False,
        choices=[
            (fees.Channel.IN_PERSON.value, _("Nộp trực tiếp")),
            (fees.Channel.ONLINE.value, _("Nộp trực tuyến")),
        ],
    )

    def __init__(self, data: Any, rule: fees.FeeRule) -> None:
        super().__init__(data)
        if rule.per is not fees.Per.PAGE:
            del self.fields["trang"]
        if rule.per is fees.Per.DOSSIER:
            del self.fields["ban"]
        if rule.online_amount is None:
            del self.fields["cach"]

    def quantity(self) -> fees.Quantity:
        data = self.cleaned_data
        return fees.Quantity(
            channel=fees.Channel(data.get("cach") or fees.Channel.IN_PERSON.value),
            copies=data.get("ban") or 1,
            pages=data.get("trang") or 1,
        )


def line_text(line: fees.Line) -> str:
    """One line of a fee's explanation, in the reader's language."""
    return fill(gettext(line.label), line.values)


FEE_INPUTS = {"copies": "ban", "pages": "trang"}


def _fee_context(request: HttpRequest, version: ProcedureVersion) -> dict[str, Any]:
    rule = fee_rule_of(version)
    context: dict[str, Any] = {"fee_lines": [line_text(line) for line in fees.rule_words(rule)]}
    form = FeeForm(request.GET if "tinh-phi" in request.GET else None, rule)
    context["fee_form"] = form if form.fields else None
    if form.fields and form.is_bound and form.is_valid():
        try:
            quote = fee_quote(version, form.quantity())
        except DomainError as exc:
            add_to_form(form, exc, FEE_INPUTS)
        else:
            context["quote"] = quote
            context["quote_lines"] = [line_text(line) for line in quote.lines]
            context["quote_amount"] = fees.money(quote.amount)
    return context


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    """One procedure: papers, fee, time, where and how to hand it in, and the result."""
    published = _published(code)
    if published is None:
        return _missing(request, code)
    found, version = published
    levels = dict(level_choices())
    places = receiving_places()
    context = {
        "row": _row(found, levels),
        "procedure": found,
        "future": found.effective_from > _today(),
        "documents": documents_of(version),
        "online_words": _words(rules.online_words(found.online_level)),
        "online": found.online_level in (rules.ONLINE_FULL, rules.ONLINE_PARTIAL),
        "centres": [p for p in places if not is_commune(p)],
        "communes": [p for p in places if is_commune(p)],
        "track_url": reverse("portal:track"),
        **_fee_context(request, version),
        # The e-form exists: the version declares its fields and is offered online.
        "eform": bool(version.form_fields) and bool(found.online_level),
    }
    return render(request, "portal/procedure.html", context)
