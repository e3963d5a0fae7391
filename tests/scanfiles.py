"""Small real scans for the tests: a PNG and a JPEG Pillow decodes, a PDF, and impostors."""

from __future__ import annotations

import io

from PIL import Image

from motcua.dossiers.services import ScanUpload


def image(kind: str = "PNG", size: tuple[int, int] = (40, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (240, 240, 235)).save(out, format=kind)
    return out.getvalue()


PNG = image("PNG")
JPEG = image("JPEG")
PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
# A PNG's signature in front of bytes that are not an image, and a PNG cut in half.
FAKE_PNG = b"\x89PNG\r\n\x1a\n" + b"<?php system($_GET['c']); ?>" * 4
CUT_PNG = PNG[: len(PNG) // 2]
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 64


def upload(data: bytes, name: str = "scan.png") -> ScanUpload:
    return ScanUpload(name=name, data=data)
