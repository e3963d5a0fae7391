"""Catalog writes: import the procedure files under `catalog/procedures/` (one TOML per procedure).

Every file is parsed and checked before anything is written, and the whole import runs in one
transaction: one bad file means nothing is imported. The file format is described in
`catalog/README.md`.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from motcua.adminlog.services import Change, admin_changes_record, command_who, file_digests
from motcua.catalog.models import Procedure, ProcedureVersion, RequiredDocument, StepTemplate
from motcua.catalog.selectors import catalog_cache_clear
from motcua.core import eform, routing
from motcua.core import fees as core_fees
from motcua.core.adminlog import Kind
from motcua.core.codes import validate_agency_code, validate_procedure_code
from motcua.core.errors import ValidationError
from motcua.core.lifecycle import Role
from motcua.core.text import fold, nfc

LEVELS = frozenset(Procedure.Level.values)
LIMIT_UNITS = frozenset(ProcedureVersion.LimitUnit.values)
ONLINE_LEVELS = frozenset({"toàn trình", "một phần", ""})
# Where a step happens, besides an agency e-ID code (see StepTemplate.agency_ref).
STEP_AGENCY_REFS = frozenset({"receiving", "competent", "commune_police"})
# Who decides, besides an agency e-ID code: the commune People's Committee chosen at
# reception. Commune-police procedures use it too and route their steps to "commune_police",
# which is found through the commune (Agency.serves).
COMPETENT_REFS = frozenset({"commune"})
STEP_ROLES = frozenset({"desk", "specialist", "unit_leader", "agency_leader"})
# Used only to check a "working_hours" limit against the allotments (which are in working
# days); centres may keep other office hours, and the calendar decides the real due time.
HOURS_PER_WORKING_DAY = Decimal(8)
# Same-day procedures: the steps share out (at most) the one working day of reception.
SAME_DAY_MAX_ALLOTMENT = Decimal(1)

_LOCAL_CODE = re.compile(r"LOCAL\.[A-Z0-9]+(?:[.-][A-Z0-9]+)*")
_UNIT_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_THOUSANDTH = Decimal("0.001")
# The largest value a DecimalField(max_digits=6, decimal_places=3) holds.
_DECIMAL_MAX = Decimal("999.999")


@dataclass(frozen=True)
class FileError:
    """One problem in one catalog file: which file, which key, what is wrong (in Vietnamese)."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}: {self.message}"
            if self.key
            else f"{self.file}: {self.message}"
        )


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    copies: int
    original: bool
    optional: bool
    show_only: bool
    sample: str = ""  # the sample form's storage name (`sample_name`), "" when none
    sample_file: Path | None = None  # where the import reads it


@dataclass(frozen=True)
class StepSpec:
    name: str
    agency: str
    unit: str
    role: str
    allotment: Decimal


@dataclass(frozen=True)
class VersionSpec:
    version: int
    effective_from: datetime.date
    competent: str
    time_limit: Decimal
    time_limit_unit: str
    time_limit_note: str
    fee: int
    fee_note: str
    fee_rule: dict[str, Any]
    online_level: str
    legal_basis: str
    result: str
    inter_agency: bool
    documents: tuple[DocumentSpec, ...]
    steps: tuple[StepSpec, ...]
    # The online form's fields (`motcua.core.eform`), as stored: they change no rule, so
    # like sample forms they may change on a version that already has dossiers.
    form_fields: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ProcedureSpec:
    """A procedure file, parsed and checked."""

    file: str
    code: str
    national: bool
    name: str
    field: str
    level: str
    verified: bool
    unverified_note: str
    versions: tuple[VersionSpec, ...]


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would have done)."""

    dry_run: bool = False
    procedures: int = 0
    created_procedures: int = 0
    updated_procedures: int = 0
    new_versions: int = 0
    replaced_versions: int = 0
    unchanged_versions: int = 0
    removed_versions: int = 0
    files: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The one-line Vietnamese summary printed by `motcua catalog import`."""
        parts = [f"{self.new_versions} phiên bản mới"]
        if self.replaced_versions:
            parts.append(f"{self.replaced_versions} phiên bản cập nhật")
        if self.removed_versions:
            parts.append(f"{self.removed_versions} phiên bản xóa")
        parts.append(f"{self.unchanged_versions} không đổi")
        line = f"Đã nhập {self.procedures} thủ tục ({', '.join(parts)})"
        return f"Chạy thử, không ghi gì. {line}" if self.dry_run else line


def default_catalog_dir() -> Path:
    """The catalog shipped with the repository."""
    return Path(settings.BASE_DIR) / "catalog" / "procedures"


def catalog_import(*, paths: Iterable[Path | str], dry_run: bool = False) -> ImportReport:
    """Check every file, then import all of them in one transaction (or none on any error)."""
    files, errors = _collect_files(paths)
    specs: list[ProcedureSpec] = []
    seen: dict[str, str] = {}
    for path in files:
        spec = _parse_file(path, errors)
        if spec is None:
            continue
        if spec.code in seen:
            errors.append(
                FileError(spec.file, "code", f"mã «{spec.code}» đã có trong tệp {seen[spec.code]}")
            )
            continue
        seen[spec.code] = spec.file
        specs.append(spec)
    if errors:
        raise _import_refused(errors)

    report = ImportReport(dry_run=dry_run, files=[spec.file for spec in specs])
    if not dry_run:
        _store_samples(specs)
    with transaction.atomic():
        for spec in specs:
            _import_procedure(spec, report, errors)
        if errors:
            # Raising inside the block rolls back what the files before the bad one wrote.
            raise _import_refused(errors)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _record_import(report, files)
            # Receptions in every process use the new versions from the commit on.
            catalog_cache_clear()
    return report


def _record_import(report: ImportReport, files: list[Path]) -> None:
    """The import in the administrative log, in its transaction: the files read (with their
    SHA-256) and what they changed."""
    summary = {
        "files": file_digests(files),
        "procedures": report.procedures,
        "created_procedures": report.created_procedures,
        "updated_procedures": report.updated_procedures,
        "new_versions": report.new_versions,
        "replaced_versions": report.replaced_versions,
        "removed_versions": report.removed_versions,
    }
    change = Change(
        kind=Kind.IMPORT.value,
        model="catalog.procedure",
        object_id="",
        object_repr=report.summary[:200],
        changes=summary,
    )
    admin_changes_record(who=command_who("catalog import"), changes=[change], now=timezone.now())


def _import_refused(errors: list[FileError]) -> ValidationError:
    """The error raised when any file is wrong; it lists every problem found."""
    return ValidationError(
        f"Không nhập thủ tục nào: có {len(errors)} lỗi trong danh mục.",
        errors=[str(error) for error in errors],
    )


# --- Reading and checking the files -----------------------------------------------------------


def _collect_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[FileError]]:
    """Expand directories to their *.toml files, sorted; report paths that do not exist."""
    files: list[Path] = []
    errors: list[FileError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                errors.append(FileError(str(path), "", "thư mục không có tệp .toml nào"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(FileError(str(path), "", "không tìm thấy tệp hoặc thư mục"))
    if not files and not errors:
        errors.append(FileError("(không có)", "", "chưa chỉ ra tệp danh mục nào"))
    return files, errors


class _Reader:
    """Takes typed values out of one TOML table, recording an error for each bad key."""

    def __init__(self, file: str, table: dict[str, Any], prefix: str, errors: list[FileError]):
        self.file = file
        self.table = table
        self.prefix = prefix
        self.errors = errors
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, message: str) -> None:
        self.errors.append(FileError(self.file, self.key(name), message))

    def _get(self, name: str, required: bool) -> object:
        self.used.add(name)
        if name not in self.table:
            if required:
                self.error(name, "thiếu khóa bắt buộc")
            return None
        return self.table[name]

    def text(self, name: str, *, required: bool = True, blank: bool = False) -> str:
        value = self._get(name, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(name, "phải là chuỗi ký tự")
            return ""
        value = nfc(value.strip())
        if not value and not blank:
            self.error(name, "không được để trống")
        return value

    def flag(self, name: str, *, default: bool | None = None) -> bool:
        value = self._get(name, default is None)
        if value is None:
            return bool(default)
        if not isinstance(value, bool):
            self.error(name, "phải là true hoặc false")
            return False
        return value

    def integer(self, name: str, *, minimum: int, default: int | None = None) -> int:
        value = self._get(name, default is None)
        if value is None:
            return default if default is not None else minimum
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, "phải là số nguyên")
            return minimum
        if value < minimum:
            self.error(name, f"phải từ {minimum} trở lên, nhận được {value}")
            return minimum
        return value

    def number(self, name: str) -> Decimal | None:
        """A non-negative number with at most three decimals, as a Decimal."""
        value = self._get(name, True)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(name, "phải là một số")
            return None
        # str() gives the shortest spelling of a float, so 0.125 stays exactly 0.125.
        number = Decimal(str(value))
        if not number.is_finite() or number < 0:
            self.error(name, f"không được âm, nhận được {value}")
            return None
        if number != number.quantize(_THOUSANDTH) or number > _DECIMAL_MAX:
            self.error(name, f"tối đa 3 chữ số thập phân và không quá {_DECIMAL_MAX}")
            return None
        return number

    def choice(self, name: str, allowed: frozenset[str], *, default: str | None = None) -> str:
        value = self._get(name, default is None)
        if value is None:
            return default or ""
        if not isinstance(value, str) or nfc(value) not in allowed:
            shown = ", ".join(f"«{option}»" for option in sorted(allowed))
            self.error(name, f"giá trị «{value}» không hợp lệ; chỉ nhận {shown}")
            return default or ""
        return nfc(value)

    def date(self, name: str) -> datetime.date | None:
        value = self._get(name, True)
        if value is None:
            return None
        # TOML datetimes are also dates in Python; a time of day makes no sense here.
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            self.error(name, "phải là ngày dạng YYYY-MM-DD (không kèm giờ)")
            return None
        return value

    def tables(self, name: str) -> list[dict[str, Any]]:
        value = self._get(name, True)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.error(name, f"phải là danh sách [[{self.key(name)}]]")
            return []
        if not value:
            self.error(name, "phải có ít nhất một mục")
        return value

    def finish(self) -> None:
        """Refuse keys the schema does not know: a misspelt key would otherwise be ignored."""
        for name in sorted(set(self.table) - self.used):
            self.error(name, "khóa không có trong lược đồ danh mục (viết sai tên khóa?)")


def _parse_file(path: Path, errors: list[FileError]) -> ProcedureSpec | None:
    """Parse and check one procedure file; None (with errors recorded) if it is not valid."""
    file = path.name
    before = len(errors)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        errors.append(FileError(file, "", f"không đọc được cú pháp TOML: {exc}"))
        return None
    except OSError as exc:
        errors.append(FileError(file, "", f"không mở được tệp: {exc.strerror}"))
        return None

    top = _Reader(file, data, "", errors)
    raw_code = top.text("code")
    national = top.flag("national")
    code = _check_procedure_code(top, raw_code, national)
    if code and path.stem != code:
        top.error("code", f"tên tệp phải là «{code}.toml» để khớp với mã thủ tục")
    name = top.text("name")
    field_name = top.text("field")
    level = top.choice("level", LEVELS)
    verified = top.flag("verified")
    unverified_note = top.text("unverified_note", required=False, blank=True)
    if not verified and not unverified_note and "verified" in data:
        top.error("unverified_note", "phải ghi rõ điểm cần kiểm tra khi verified = false")
    forms = path.parent.parent / "forms"  # catalog/forms beside catalog/procedures
    versions = [
        _parse_version(file, table, f"versions[{index}]", errors, forms=forms)
        for index, table in enumerate(top.tables("versions"), start=1)
    ]
    top.finish()
    _check_version_order(file, [v for v in versions if v is not None], errors)
    if len(errors) > before:
        return None
    return ProcedureSpec(
        file=file,
        code=code,
        national=national,
        name=name,
        field=field_name,
        level=level,
        verified=verified,
        unverified_note=unverified_note,
        versions=tuple(v for v in versions if v is not None),
    )


def _check_procedure_code(top: _Reader, raw_code: str, national: bool) -> str:
    """A national code from the National Database, or LOCAL.xxx for a local procedure."""
    if not raw_code:
        return ""
    if national:
        try:
            return validate_procedure_code(raw_code)
        except ValidationError as exc:
            top.error("code", exc.message)
            return ""
    if not _LOCAL_CODE.fullmatch(raw_code):
        top.error(
            "code",
            f"mã «{raw_code}» của thủ tục địa phương (national = false) phải có dạng "
            "LOCAL.XXX (chữ in hoa, chữ số, dấu chấm hoặc gạch ngang)",
        )
        return ""
    return raw_code


def _parse_version(
    file: str, table: dict[str, Any], prefix: str, errors: list[FileError], *, forms: Path
) -> VersionSpec | None:
    """Parse one [[versions]] entry with its documents and steps."""
    before = len(errors)
    reader = _Reader(file, table, prefix, errors)
    number = reader.integer("version", minimum=1)
    effective_from = reader.date("effective_from")
    competent = _check_agency_ref(reader, "competent", COMPETENT_REFS)
    time_limit = reader.number("time_limit")
    unit = reader.choice("time_limit_unit", LIMIT_UNITS)
    time_limit_note = reader.text("time_limit_note", required=False, blank=True)
    fee = reader.integer("fee", minimum=0)
    fee_note = reader.text("fee_note", required=False, blank=True)
    fee_rule = _parse_fee_rule(file, reader, fee, prefix, errors)
    online_level = reader.choice("online_level", ONLINE_LEVELS, default="")
    legal_basis = reader.text("legal_basis", required=False, blank=True)
    result = reader.text("result")
    inter_agency = reader.flag("inter_agency", default=False)
    documents = [
        _parse_document(file, item, f"{prefix}.documents[{index}]", errors, forms=forms)
        for index, item in enumerate(reader.tables("documents"), start=1)
    ]
    steps = [
        _parse_step(file, item, f"{prefix}.steps[{index}]", errors)
        for index, item in enumerate(reader.tables("steps"), start=1)
    ]
    form_fields = _parse_form_fields(reader)
    reader.finish()
    if len(errors) > before or effective_from is None or time_limit is None:
        return None
    step_specs = tuple(s for s in steps if s is not None)
    _check_time_limit(reader, time_limit, unit)
    _check_steps(reader, step_specs, time_limit, unit, competent)
    if len(errors) > before:
        return None
    return VersionSpec(
        version=number,
        effective_from=effective_from,
        competent=competent,
        time_limit=time_limit,
        time_limit_unit=unit,
        time_limit_note=time_limit_note,
        fee=fee,
        fee_note=fee_note,
        fee_rule=fee_rule,
        online_level=online_level,
        legal_basis=legal_basis,
        result=result,
        inter_agency=inter_agency,
        documents=tuple(d for d in documents if d is not None),
        steps=step_specs,
        form_fields=form_fields,
    )


FEE_PER = frozenset(p.value for p in core_fees.Per)


def _parse_fee_rule(
    file: str, version: _Reader, fee: int, prefix: str, errors: list[FileError]
) -> dict[str, Any]:
    """The optional [versions.fee_rule] table: how `fee` is counted (per dossier, copy or page;
    a lower amount online; cheaper pages from a given page on; a cap per copy), checked by
    `core.fees.check_rule`; {} when the fee is one flat amount per dossier."""
    if "fee_rule" not in version.table:
        version.used.add("fee_rule")
        return {}
    table = version.table["fee_rule"]
    version.used.add("fee_rule")
    if not isinstance(table, dict):
        version.error("fee_rule", "phải là bảng [versions.fee_rule]")
        return {}
    before = len(errors)
    reader = _Reader(file, table, f"{prefix}.fee_rule", errors)
    per = reader.choice("per", FEE_PER)
    online = reader.integer("online_amount", minimum=0, default=-1)
    cap = reader.integer("max_per_copy", minimum=1, default=-1)
    tiers = []
    if "tiers" in table:
        for index, item in enumerate(reader.tables("tiers"), start=1):
            tier = _Reader(file, item, f"{prefix}.fee_rule.tiers[{index}]", errors)
            tiers.append(
                core_fees.Tier(
                    from_page=tier.integer("from_page", minimum=2),
                    amount=tier.integer("amount", minimum=0),
                )
            )
            tier.finish()
    else:
        reader.used.add("tiers")
    reader.finish()
    if len(errors) > before:
        return {}
    rule = core_fees.FeeRule(
        amount=fee,
        per=core_fees.Per(per),
        online_amount=online if online >= 0 else None,
        tiers=tuple(tiers),
        max_per_copy=cap if cap > 0 else None,
    )
    for problem in core_fees.check_rule(rule):
        version.error("fee_rule", problem)
    return core_fees.rule_to_data(rule) if len(errors) == before else {}


def _parse_form_fields(reader: _Reader) -> tuple[dict[str, Any], ...]:
    """The optional [[versions.fields]] of the online form, checked by the core's rule."""
    raw = reader._get("fields", False)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.error("fields", f"phải là danh sách [[{reader.key('fields')}]]")
        return ()
    specs, problems = eform.parse_fields(raw)
    for key, message in problems:
        reader.errors.append(FileError(reader.file, reader.key(key), message))
    return tuple(spec.as_dict() for spec in specs)


def _check_agency_ref(reader: _Reader, name: str, symbolic: frozenset[str]) -> str:
    """A symbolic agency reference or an agency e-ID code such as H26.41."""
    value = reader.text(name)
    if not value or value in symbolic:
        return value
    try:
        return validate_agency_code(value)
    except ValidationError as exc:
        shown = ", ".join(f"«{ref}»" for ref in sorted(symbolic))
        reader.error(name, f"phải là {shown} hoặc mã định danh cơ quan: {exc.message}")
        return ""


def _check_time_limit(reader: _Reader, time_limit: Decimal, unit: str) -> None:
    """Same-day procedures carry no number; the others need a positive one."""
    if unit == ProcedureVersion.LimitUnit.SAME_DAY and time_limit != 0:
        reader.error(
            "time_limit", "thủ tục giải quyết trong ngày (same_day) phải ghi time_limit = 0"
        )
    elif unit != ProcedureVersion.LimitUnit.SAME_DAY and time_limit <= 0:
        reader.error("time_limit", "phải lớn hơn 0")


def _check_steps(
    reader: _Reader, steps: tuple[StepSpec, ...], time_limit: Decimal, unit: str, competent: str
) -> None:
    """The first step is the desk's; the allotments share out exactly the time limit."""
    if not steps:
        return
    for index, step in enumerate(steps, start=1):
        if step.agency == "commune_police" and competent != "commune":
            reader.error(
                f"steps[{index}].agency",
                "«commune_police» là công an của xã có thẩm quyền, nên chỉ dùng được khi "
                "competent = «commune»",
            )
    plan = [
        routing.PlannedStep(
            name=s.name, agency_ref=s.agency, unit=s.unit, role=Role(s.role), allotment=s.allotment
        )
        for s in steps
        if s.role in {r.value for r in Role}
    ]
    if len(plan) == len(steps):  # an unknown role is reported where the step is read
        for index, problem in routing.plan_problems(plan):
            reader.error(f"steps[{index + 1}]", f"{problem}: hồ sơ không thể có kết quả")
    first = steps[0]
    if (first.agency, first.unit, first.role) != ("receiving", "mot-cua", "desk"):
        reader.error(
            "steps[1]",
            "bước đầu tiên phải là bước tiếp nhận: agency = «receiving», unit = «mot-cua», "
            "role = «desk»",
        )
    total = sum((step.allotment for step in steps), Decimal(0))
    if unit == ProcedureVersion.LimitUnit.SAME_DAY:
        if total > SAME_DAY_MAX_ALLOTMENT:
            reader.error(
                "steps",
                f"tổng thời gian các bước là {_show(total)} ngày làm việc, vượt quá "
                f"{_show(SAME_DAY_MAX_ALLOTMENT)} ngày của thủ tục giải quyết trong ngày",
            )
        return
    expected = time_limit
    if unit == ProcedureVersion.LimitUnit.WORKING_HOURS:
        expected = time_limit / HOURS_PER_WORKING_DAY
    if total != expected:
        limit_text = (
            f"{_show(time_limit)} giờ làm việc (= {_show(expected)} ngày làm việc)"
            if unit == ProcedureVersion.LimitUnit.WORKING_HOURS
            else f"{_show(time_limit)} ngày làm việc"
        )
        reader.error(
            "steps",
            f"tổng thời gian các bước là {_show(total)} ngày làm việc, "
            f"phải bằng thời hạn giải quyết {limit_text}",
        )


def _show(number: Decimal) -> str:
    """A number the way Vietnamese documents write it: 0,125 rather than 0.125000."""
    text = format(number.normalize(), "f")
    return text.replace(".", ",")


def _parse_document(
    file: str, table: dict[str, Any], prefix: str, errors: list[FileError], *, forms: Path
) -> DocumentSpec | None:
    """Parse one [[versions.documents]] entry."""
    before = len(errors)
    reader = _Reader(file, table, prefix, errors)
    sample_name = reader.text("sample", required=False)
    spec = DocumentSpec(
        name=reader.text("name"),
        copies=reader.integer("copies", minimum=1, default=1),
        original=reader.flag("original", default=False),
        optional=reader.flag("optional", default=False),
        show_only=reader.flag("show_only", default=False),
        sample=_check_sample(reader, forms, sample_name) if sample_name else "",
        sample_file=forms / sample_name if sample_name else None,
    )
    reader.finish()
    return spec if len(errors) == before else None


SAMPLE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,80}\.(pdf|docx|odt)")
SAMPLE_MAX_BYTES = 5 * 1024 * 1024
# What each kind of file starts with: a PDF its header, .docx and .odt a ZIP archive.
_SAMPLE_MAGIC = {"pdf": b"%PDF-", "docx": b"PK\x03\x04", "odt": b"PK\x03\x04"}


def _check_sample(reader: _Reader, forms: Path, name: str) -> str:
    """Check a document's sample form (a file in the catalog's `forms/` folder) and store it;
    its storage name, or "" with an error recorded."""
    if not SAMPLE_NAME.fullmatch(name):
        reader.error(
            "sample",
            "tên tệp mẫu chỉ gồm chữ thường không dấu, số và «-», đuôi .pdf, .docx hoặc .odt",
        )
        return ""
    path = forms / name
    if not path.is_file():
        reader.error("sample", f"không có tệp mẫu «{name}» trong thư mục forms/")
        return ""
    if path.stat().st_size > SAMPLE_MAX_BYTES:
        reader.error("sample", f"tệp mẫu «{name}» lớn hơn 5 MB")
        return ""
    content = path.read_bytes()
    if not content.startswith(_SAMPLE_MAGIC[name.rsplit(".", 1)[1]]):
        reader.error("sample", f"nội dung tệp mẫu «{name}» không đúng loại tệp theo đuôi")
        return ""
    return sample_name(name, content)


def sample_name(name: str, content: bytes) -> str:
    """The storage name of a sample form: under its content's digest, so re-importing the
    same file writes nothing, two versions share one copy, and a changed file is a new name."""
    return f"mau-don/{hashlib.sha256(content).hexdigest()[:32]}/{name}"


def _store_samples(specs: list[ProcedureSpec]) -> None:
    """Copy the sample forms into the storage, each once. Before the transaction, since the
    storage is not part of it: a refused import can leave a copy nothing names, never a name
    without its copy."""
    for spec in specs:
        for version in spec.versions:
            for doc in version.documents:
                if doc.sample_file is not None and not default_storage.exists(doc.sample):
                    default_storage.save(doc.sample, ContentFile(doc.sample_file.read_bytes()))


def _parse_step(
    file: str, table: dict[str, Any], prefix: str, errors: list[FileError]
) -> StepSpec | None:
    """Parse one [[versions.steps]] entry."""
    before = len(errors)
    reader = _Reader(file, table, prefix, errors)
    name = reader.text("name")
    agency = _check_agency_ref(reader, "agency", STEP_AGENCY_REFS)
    unit = reader.text("unit")
    if unit and not _UNIT_CODE.fullmatch(unit):
        reader.error("unit", f"mã đơn vị «{unit}» chỉ gồm chữ thường không dấu, chữ số và «-»")
    role = reader.choice("role", STEP_ROLES)
    allotment = reader.number("allotment")
    if allotment is not None and allotment <= 0:
        reader.error("allotment", "thời gian của bước phải lớn hơn 0 ngày làm việc")
    reader.finish()
    if len(errors) > before or allotment is None:
        return None
    return StepSpec(name=name, agency=agency, unit=unit, role=role, allotment=allotment)


def _check_version_order(file: str, versions: list[VersionSpec], errors: list[FileError]) -> None:
    """Version numbers are unique, and a later version starts on a later date."""
    numbers = [v.version for v in versions]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        errors.append(FileError(file, "versions", f"số phiên bản {number} bị lặp"))
    ordered = sorted(versions, key=lambda v: v.version)
    for earlier, later in itertools.pairwise(ordered):
        if later.version != earlier.version and later.effective_from <= earlier.effective_from:
            errors.append(
                FileError(
                    file,
                    "versions",
                    f"phiên bản {later.version} phải áp dụng sau ngày áp dụng của phiên bản "
                    f"{earlier.version} ({earlier.effective_from:%d/%m/%Y})",
                )
            )


# --- Writing ----------------------------------------------------------------------------------


def _import_procedure(spec: ProcedureSpec, report: ImportReport, errors: list[FileError]) -> None:
    """Create or update one procedure and its versions; versions with dossiers never change."""
    report.procedures += 1
    fields = {
        "national": spec.national,
        "name": spec.name,
        "field": spec.field,
        "level": spec.level,
        "verified": spec.verified,
        "unverified_note": spec.unverified_note,
        "search_key": fold(f"{spec.code} {spec.name}")[:600],
    }
    procedure = Procedure.objects.filter(code=spec.code).first()
    if procedure is None:
        procedure = Procedure(code=spec.code, **fields)
        if not _clean(procedure, spec.file, "", errors):
            return
        procedure.save()
        report.created_procedures += 1
    else:
        changed = [name for name, value in fields.items() if getattr(procedure, name) != value]
        if changed:
            for name in changed:
                setattr(procedure, name, fields[name])
            if not _clean(procedure, spec.file, "", errors, validate_unique=False):
                return
            procedure.save(update_fields=changed)
            report.updated_procedures += 1

    # FOR UPDATE: a dossier received meanwhile would need a key-share lock on its version, so
    # "has no dossiers" stays true until we commit (PostgreSQL; SQLite locks the whole file).
    existing = {v.version: v for v in procedure.versions.select_for_update()}
    for index, version_spec in enumerate(spec.versions, start=1):
        key = f"versions[{index}]"
        current = existing.pop(version_spec.version, None)
        if current is None:
            _write_version(procedure, None, version_spec, spec.file, key, errors)
            report.new_versions += 1
        elif _version_state(current) == _spec_state(version_spec):
            _update_samples(current, version_spec)
            _update_form_fields(current, version_spec)
            report.unchanged_versions += 1
        elif _formalises_fee(current, version_spec):
            # The rule only puts into data what fee_note already said of a version whose
            # fee was stored as one number: dossiers of it keep the amount they were told.
            current.fee_rule = version_spec.fee_rule
            current.save(update_fields=["fee_rule"])
            _update_samples(current, version_spec)
            _update_form_fields(current, version_spec)
            report.unchanged_versions += 1
        elif current.dossiers.exists():
            errors.append(
                FileError(
                    spec.file,
                    key,
                    f"phiên bản {version_spec.version} đã có hồ sơ nên không được sửa; hãy giữ "
                    "nguyên mục này và thêm một mục [[versions]] mới với số phiên bản và ngày "
                    "áp dụng mới",
                )
            )
        else:
            _write_version(procedure, current, version_spec, spec.file, key, errors)
            report.replaced_versions += 1
    for leftover in existing.values():
        if leftover.dossiers.exists():
            errors.append(
                FileError(
                    spec.file,
                    "versions",
                    f"phiên bản {leftover.version} đã có hồ sơ nên không được xóa khỏi tệp; "
                    "hãy giữ lại mục [[versions]] của phiên bản này",
                )
            )
        else:
            leftover.delete()
            report.removed_versions += 1


def _write_version(
    procedure: Procedure,
    current: ProcedureVersion | None,
    spec: VersionSpec,
    file: str,
    key: str,
    errors: list[FileError],
) -> None:
    """Create a version, or rewrite one that has no dossiers, with its documents and steps."""
    fields = {
        "effective_from": spec.effective_from,
        "competent": spec.competent,
        "time_limit": spec.time_limit,
        "time_limit_unit": spec.time_limit_unit,
        "time_limit_note": spec.time_limit_note,
        "fee": spec.fee,
        "fee_note": spec.fee_note,
        "fee_rule": spec.fee_rule,
        "online_level": spec.online_level,
        "legal_basis": spec.legal_basis,
        "result": spec.result,
        "inter_agency": spec.inter_agency,
        "form_fields": list(spec.form_fields),
    }
    if current is None:
        version = ProcedureVersion(procedure=procedure, version=spec.version, **fields)
    else:
        version = current
        for name, value in fields.items():
            setattr(version, name, value)
    if not _clean(version, file, key, errors, exclude=["procedure"], validate_unique=False):
        return
    documents = [
        RequiredDocument(
            version=version,
            order=order,
            name=doc.name,
            copies=doc.copies,
            original=doc.original,
            optional=doc.optional,
            show_only=doc.show_only,
            sample=doc.sample,
        )
        for order, doc in enumerate(spec.documents, start=1)
    ]
    steps = [
        StepTemplate(
            version=version,
            order=order,
            name=step.name,
            agency_ref=step.agency,
            unit_code=step.unit,
            role=step.role,
            allotment=step.allotment,
        )
        for order, step in enumerate(spec.steps, start=1)
    ]
    # The parent is not saved yet, or known to exist: no existence query per row.
    parent: dict[str, Any] = {"exclude": ["version"]}
    valid = all(
        [
            *(_clean(d, file, f"{key}.documents[{d.order}]", errors, **parent) for d in documents),
            *(_clean(s, file, f"{key}.steps[{s.order}]", errors, **parent) for s in steps),
        ]
    )
    if not valid:
        return
    if current is None:
        version.save()
    else:
        version.save(update_fields=list(fields))
        # Nothing refers to these rows while the version has no dossiers.
        version.documents.all().delete()
        version.steps.all().delete()
    RequiredDocument.objects.bulk_create(documents)
    StepTemplate.objects.bulk_create(steps)


def _clean(
    obj: Any,
    file: str,
    key: str,
    errors: list[FileError],
    *,
    exclude: list[str] | None = None,
    validate_unique: bool = True,
) -> bool:
    """full_clean() a row; a model rule the file checks missed becomes a file error."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=False)
    except DjangoValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.append(FileError(file, f"{key}.{name}" if key else name, message))
        return False
    return True


def _update_samples(version: ProcedureVersion, spec: VersionSpec) -> None:
    """Give an unchanged version's papers the sample forms the file names now: a sample
    form helps the citizen fill the paper and changes no rule, so it may change even on a
    version that has dossiers."""
    for document, doc in zip(version.documents.order_by("order"), spec.documents, strict=True):
        if document.sample != doc.sample:
            document.sample = doc.sample
            document.save(update_fields=["sample"])


def _formalises_fee(version: ProcedureVersion, spec: VersionSpec) -> bool:
    """A stored version without a fee rule, the file giving one and changing nothing else."""
    if version.fee_rule or not spec.fee_rule:
        return False
    stored, given = list(_version_state(version)), list(_spec_state(spec))
    position = 7  # fee_rule's place in both states
    stored[position] = given[position]
    return stored == given


def _update_form_fields(version: ProcedureVersion, spec: VersionSpec) -> None:
    """Give an unchanged version the online form the file declares now (no rule changes with
    it: a dossier keeps the values it was submitted with)."""
    if version.form_fields != list(spec.form_fields):
        version.form_fields = list(spec.form_fields)
        version.save(update_fields=["form_fields"])


def _spec_state(spec: VersionSpec) -> tuple[Any, ...]:
    """Everything a version file entry says, in a form comparable with `_version_state`."""
    return (
        spec.effective_from,
        spec.competent,
        spec.time_limit,
        spec.time_limit_unit,
        spec.time_limit_note,
        spec.fee,
        spec.fee_note,
        spec.fee_rule,
        spec.online_level,
        spec.legal_basis,
        spec.result,
        spec.inter_agency,
        tuple((d.name, d.copies, d.original, d.optional, d.show_only) for d in spec.documents),
        tuple((s.name, s.agency, s.unit, s.role, s.allotment) for s in spec.steps),
    )


def _version_state(version: ProcedureVersion) -> tuple[Any, ...]:
    """Everything stored for a version, in the shape of `_spec_state`."""
    return (
        version.effective_from,
        version.competent,
        version.time_limit,
        version.time_limit_unit,
        version.time_limit_note,
        version.fee,
        version.fee_note,
        version.fee_rule,
        version.online_level,
        version.legal_basis,
        version.result,
        version.inter_agency,
        tuple(
            (d.name, d.copies, d.original, d.optional, d.show_only)
            for d in version.documents.order_by("order")
        ),
        tuple(
            (s.name, s.agency_ref, s.unit_code, s.role, s.allotment)
            for s in version.steps.order_by("order")
        ),
    )
