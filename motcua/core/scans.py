"""Scans of papers received at the counter (digitisation, DOMAIN §5): what a scan may be.

A scan is judged by its content, never by its name or by what the browser claims: a PDF,
JPEG or PNG by its leading bytes (and a PDF by its end marker), within a size limit. That an
image really decodes is checked at the edge of the application (`motcua.dossiers.scans`),
where the image library lives.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from motcua.core.errors import ValidationError, _

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
_MAGIC = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
# A PDF ends with "%%EOF" (followed by at most a line end and some padding writers add).
_PDF_TAIL = 1024
# A PDF's compressed streams may inflate to at most this many times the size limit: a scan's
# images are JPEG (not inflated) or modest Flate; a "PDF bomb" inflates to gigabytes.
PDF_MAX_EXPANSION = 20
_STREAM = re.compile(rb"stream\r?\n")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(data: bytes, *, limit: int, field: str = "scan", name: str = "") -> Sniffed:
    """The kind of a scan from its bytes; ValidationError when it is empty, too large, or not
    a PDF, JPEG or PNG (a renamed file is refused whatever it is called)."""
    label = name or "tệp"
    if not data:
        raise ValidationError(_("Tệp “{name}” rỗng."), field=field, name=label)
    if len(data) > limit:
        raise ValidationError(
            _("Tệp “{name}” lớn hơn giới hạn {limit_mb} MB."),
            field=field,
            name=label,
            limit_mb=f"{limit / (1024 * 1024):g}",
            size=len(data),
        )
    kind = next((t for magic, t in _MAGIC if data.startswith(magic)), None)
    if kind is None or (kind == PDF and b"%%EOF" not in data[-_PDF_TAIL:]):
        raise ValidationError(
            _("Tệp “{name}” không phải bản quét PDF, JPEG hoặc PNG hợp lệ."),
            field=field,
            name=label,
        )
    if kind == PDF and pdf_inflates_beyond(data, limit * PDF_MAX_EXPANSION):
        raise ValidationError(
            _(
                "Tệp “{name}” là PDF có phần nén bất thường (giải nén ra quá lớn) nên không "
                "nhận; hãy quét hoặc lưu lại thành tệp PDF thông thường."
            ),
            field=field,
            name=label,
        )
    return Sniffed(content_type=kind, extension=EXTENSIONS[kind])


def pdf_inflates_beyond(data: bytes, cap: int) -> bool:
    """Whether the PDF's Flate-compressed streams inflate to more than `cap` bytes together
    (a decompression bomb), counted chunk by chunk without keeping what is inflated."""
    total = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        inflater = zlib.decompressobj()
        pending = data[start:end]
        try:
            while pending and not inflater.eof:
                inflated = len(inflater.decompress(pending, _CHUNK))
                total += inflated
                if total > cap:
                    return True
                if not inflated and inflater.unconsumed_tail == pending:
                    break  # no progress: a truncated stream
                pending = inflater.unconsumed_tail
        except zlib.error:
            continue  # not a Flate stream (JPEG, plain text): nothing to inflate
    return False
