"""Property tests of /api/v1 from its served OpenAPI document (schemathesis): whatever a client
sends, valid or not, no server error, and every answer (status, content type, body, headers) is
one the document declares. Authenticated as a client of Phường Hoàn Kiếm with every operation,
over the seeded world plus one online dossier, so that reads find data.

Bounded (EXAMPLES per operation and mode) and derandomized, so that CI stays stable and within
its time. schemathesis' own pytest loader (`from_fixture`) does not run under pytest 9, so each
operation's cases come from its Hypothesis strategy inside the test."""

from __future__ import annotations

import contextlib
import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from motcua.api.urls import api
from motcua.wsgi import application
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

EXAMPLES = 10
DOCUMENT = "/api/v1/openapi.json"

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]

# Every operation of the document (read at collection, from the same NinjaAPI that serves it).
OPERATIONS = sorted(
    (method.upper(), path)
    for path, methods in api.get_openapi_schema(path_prefix="/api/v1")["paths"].items()
    for method in methods
)


def test_the_document_lists_every_route():
    assert ("POST", "/api/v1/national/dossiers") in OPERATIONS
    assert len(OPERATIONS) == 9


@contextlib.contextmanager
def connection_kept():
    """The WSGI application is called directly (not through Django's test client), so its
    request signals would close the connection the test's transaction is on; Django's test
    client keeps it the same way (and reconnects them after each of its own requests, so this
    wraps the calls themselves)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def key(world, portal, client):
    """The client's key, with one online dossier lodged for the reads to find."""
    _c, key = portal
    papers = [d.pk for d in world.birth.versions.first().documents.all()]
    lodged = client.post(
        "/api/v1/dossiers",
        data=json.dumps(
            {
                "procedure": "1.001193",
                "place": "H26.100",
                "applicant": {"name": "Trần Văn An", "id_number": "001203012345"},
                "papers": papers,
            }
        ),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="seed",
        **bearer(key),
    )
    assert lodged.status_code == 201
    return key, lodged.json()["ref"], papers


def known(path: str, ref: str, papers: list[int]) -> dict[str, object] | None:
    """What names something in the world, so that positive cases find it or create it: the
    path's parameters, or a body the create accepts (its Idempotency-Key still generated)."""
    if "{ref}" in path:
        return {"path_parameters": {"ref": ref}}
    if path.startswith("/api/v1/agencies/"):
        return {"path_parameters": {"code": "H26.100"}}
    if path.startswith("/api/v1/procedures/"):
        return {"path_parameters": {"code": "1.001193"}}
    applicant = {"name": "Lê Thị Bình", "id_number": "001303012346"}
    if path == "/api/v1/dossiers":
        return {
            "body": {
                "procedure": "1.001193",
                "place": "H26.100",
                "applicant": applicant,
                "papers": papers,
            }
        }
    if path == "/api/v1/national/dossiers":
        stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d%H%M%S")
        return {
            "body": {
                "PhienBan": "tt04-2025.1",
                "MaHoSoQG": "QG-SCHEMA-1",
                "MaTTHC": "1.001193",
                "MaCoQuan": "H26.100",
                "NgayNopHoSo": stamp,
                "KenhThucHien": 2,
                "TrangThaiHoSo": 1,
                "ChuHoSo": {"HoTen": "Lê Thị Bình", "SoDinhDanh": "001303012346"},
                "TaiLieuNop": [
                    {
                        "TenTaiLieu": "Tờ khai",
                        "MaThanhPhan": papers[0],
                        "DuocSoHoa": 1,
                        "DuocLayTuKhoDMQG": 0,
                        "DuongDanTep": "",
                    }
                ],
                "DuocThanhToanTrucTuyen": 0,
                "TaiKhoanDuocXacThucVoiVNeID": 1,
            }
        }
    return None


@pytest.mark.parametrize("mode", ["random", "known", "negative"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_answer_conforms_and_none_is_a_server_error(key, method, path, mode):
    secret, ref, papers = key
    fixed = known(path, ref, papers)
    if mode == "known" and fixed is None:
        pytest.skip("nothing to fix: the operation takes no parameter and no body")
    with connection_kept():
        schema = schemathesis.openapi.from_wsgi(DOCUMENT, application)
    operation = schema[path][method]
    strategy = operation.as_strategy(
        generation_mode=GenerationMode.NEGATIVE if mode == "negative" else GenerationMode.POSITIVE,
        **(fixed if mode == "known" and fixed else {}),
    )
    auth = {"Authorization": f"Bearer {secret}"}
    calls = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        response = case.call_and_validate(headers=auth, checks=CHECKS)
        calls.append(response.status_code)

    with connection_kept():
        run()
    assert calls  # the strategy produced cases and they were sent
