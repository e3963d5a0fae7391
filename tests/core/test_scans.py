"""What a scan may be: judged by its bytes and size, never by its name."""

from __future__ import annotations

import zlib

import pytest

from motcua.core import scans
from motcua.core.errors import ValidationError
from motcua.core.scans import sniff

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 20


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_a_scan_is_known_by_its_leading_bytes(data, kind):
    assert sniff(data, limit=1000, name="a.bin").content_type == kind


@pytest.mark.parametrize(
    ("data", "limit", "message"),
    [
        (b"", 1000, "rỗng"),
        (PDF, 10, "lớn hơn giới hạn"),
        (b"MZ\x90\x00 an executable renamed to scan.pdf", 1000, "không phải"),
        (b"<html><script>alert(1)</script>", 1000, "không phải"),
        # A PDF cut short (no end marker): not a whole document.
        (PDF[:-7], 1000, "không phải"),
        (b"GIF89a" + b"\0" * 10, 1000, "không phải"),
    ],
)
def test_anything_else_is_refused_with_a_plain_reason(data, limit, message):
    with pytest.raises(ValidationError) as info:
        sniff(data, limit=limit, field="scan_3", name="scan.pdf")
    assert message in info.value.message
    assert info.value.details["field"] == "scan_3"


def _pdf_with_stream(raw_size: int) -> bytes:
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(b"\0" * (1 << 20)) for _ in range(raw_size >> 20))
    body += packer.flush()
    return (
        b"%PDF-1.4\n1 0 obj <</Length "
        + str(len(body)).encode()
        + b" /Filter /FlateDecode>>\nstream\n"
        + body
        + b"\nendstream\nendobj\ntrailer <<>>\n%%EOF\n"
    )


def test_a_pdf_bomb_is_refused_and_modest_compression_is_not():
    limit = 1 << 20  # 1 MiB: the streams may inflate to 20 MiB together
    bomb = _pdf_with_stream(40 << 20)
    assert len(bomb) < limit
    with pytest.raises(ValidationError, match="nén bất thường"):
        scans.sniff(bomb, limit=limit, name="to-khai.pdf")
    assert scans.sniff(_pdf_with_stream(2 << 20), limit=limit).content_type == scans.PDF
