"""Scans of papers: checked by their content, stored through Django's storage API.

`inspect` judges an upload by its bytes (the core's rule: PDF, JPEG or PNG, within
SCAN_MAX_BYTES) and, for an image, by decoding it whole with Pillow (already installed for
WeasyPrint), so that a file with a valid signature but a broken or hostile body is refused.
`store` writes it to the default storage under a name derived from its SHA-256 (never the
name the browser sent), and `discard` removes what a failed write left behind.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from motcua.core import scans as core_scans
from motcua.core import text
from motcua.core.errors import ValidationError, _

MAX_NAME = 200


@dataclass(frozen=True)
class ScanUpload:
    """A file as the desk sent it: the name the browser gave and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedScan:
    """A scan that passed the checks, ready to be stored."""

    data: bytes
    sha256: str
    content_type: str
    extension: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.data)


def inspect(upload: ScanUpload, *, field: str) -> CheckedScan:
    """Check one upload by its content; ValidationError (on `field`) when it is not a scan."""
    name = _display_name(upload.name)
    sniffed = core_scans.sniff(upload.data, limit=settings.SCAN_MAX_BYTES, field=field, name=name)
    if sniffed.content_type != core_scans.PDF and not _decodes(upload.data):
        raise ValidationError(
            _("Tệp “{name}” không phải bản quét PDF, JPEG hoặc PNG hợp lệ."), field=field, name=name
        )
    return CheckedScan(
        data=upload.data,
        sha256=hashlib.sha256(upload.data).hexdigest(),
        content_type=sniffed.content_type,
        extension=sniffed.extension,
        original_name=name,
    )


def _decodes(data: bytes) -> bool:
    """Whether Pillow decodes the whole image (a decompression bomb or a cut file does not)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except Exception:
        return False
    return True


def _display_name(name: str) -> str:
    """The browser's file name, kept only to show it: its last part, NFC, printable, bounded."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    shown = "".join(c for c in text.nfc(base) if c.isprintable())
    return shown[:MAX_NAME]


def path_for(dossier_id: int, scan: CheckedScan, folder: str = "scans") -> str:
    return f"{folder}/{dossier_id}/{scan.sha256}.{scan.extension}"


def store(dossier_id: int, scan: CheckedScan, folder: str = "scans") -> tuple[str, bool]:
    """Write the scan to the default storage: (its name, whether this call created the file).
    The same content for the same dossier is one file. Results go to their own `folder`."""
    name = path_for(dossier_id, scan, folder)
    if default_storage.exists(name):
        return name, False
    saved = default_storage.save(name, ContentFile(scan.data))
    return saved, True


def discard(names: Sequence[str]) -> None:
    """Remove files written for a change that was then rolled back (or whose rows are gone)."""
    for name in names:
        if name:
            default_storage.delete(name)


def discard_on_commit(names: Sequence[str]) -> None:
    """Remove the files once the caller's transaction has committed the rows' going: a
    failure before then leaves every file in place."""
    kept = list(names)
    transaction.on_commit(lambda: discard(kept))


def read_scan(name: str) -> bytes:
    """A stored scan's bytes (each is within SCAN_MAX_BYTES)."""
    with default_storage.open(name, "rb") as stored:
        data: bytes = stored.read()
    return data
