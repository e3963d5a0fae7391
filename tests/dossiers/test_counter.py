"""The counter's record: papers brought on each visit, their scans, and the result handed over.

Issue 8, items 1, 8 and 9: a supplement at the counter records the papers (the reception
checklist, completeness checked again), scans are judged by their content and stored with
their hash, and the return of the result records who took which document and how.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from motcua.core.errors import ConflictError, InvalidInput, TransitionError, ValidationError
from motcua.core.lifecycle import Action, Status
from motcua.dossiers import writes
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierScan
from motcua.dossiers.selectors import (
    digitisation_figure,
    dossier_digitisation,
    dossier_papers,
)
from motcua.dossiers.services import Handover, Papers, dossier_act, dossier_receive
from tests import scanfiles
from tests.conftest import at
from tests.dossiers.test_services import PERSON, forward, intake


def papers_of(procedure):
    return list(procedure.versions.get().documents.order_by("order", "id"))


def state() -> tuple[int, int, int, int, list[Path]]:
    media = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        DossierDocument.objects.count(),
        DossierScan.objects.count(),
        files,
    )


@pytest.fixture
def form_02(world):
    """Form 02 at the desk: only the first paper of the chain procedure was brought."""
    first, _second = papers_of(world.chain)
    return dossier_receive(
        intake=intake(world, documents=[first.pk]),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
        outcome=Action.REQUEST_SUPPLEMENT,
    )


# ---------------------------------------------------------------------------------------------
# 1. The supplement at the counter


def test_the_papers_brought_back_complete_the_dossier_and_form_01_lists_both_visits(world, form_02):
    first, second = papers_of(world.chain)
    assert form_02.status == Status.SUPPLEMENT
    d = dossier_act(
        dossier=form_02,
        action=Action.SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-26 09:00"),
        papers=Papers(ticked=[second.pk], others=["Bản sao sổ hộ khẩu"]),
    )
    assert d.status == Status.NEW
    d = dossier_act(dossier=d, action=Action.RECEIVE, actor=world.lan, now=at("2026-11-26 09:05"))

    papers = dossier_papers(d)
    assert [(p.name, p.visit, p.received_at) for p in papers] == [
        (first.name, 1, at("2026-11-25 08:30")),
        (second.name, 2, at("2026-11-26 09:00")),
        ("Bản sao sổ hộ khẩu", 2, at("2026-11-26 09:00")),
    ]
    supplement = d.events.get(action=Action.SUPPLEMENT)
    assert [p["name"] for p in supplement.payload["papers"]] == [second.name, "Bản sao sổ hộ khẩu"]
    assert [p["name"] for p in d.events.get(seq=1).payload["papers"]] == [first.name]


def test_a_supplement_still_incomplete_is_refused_naming_every_missing_paper(world, form_02):
    _first, second = papers_of(world.chain)
    before = state()
    with pytest.raises(InvalidInput) as info:
        dossier_act(
            dossier=form_02,
            action=Action.SUPPLEMENT,
            actor=world.lan,
            now=at("2026-11-26 09:00"),
            papers=Papers(others=["Giấy tờ khác"]),
        )
    assert second.name in info.value.message
    assert [e.details.get("missing") for e in info.value.problems()] == [[second.name]]
    assert state() == before
    form_02.refresh_from_db()
    assert (form_02.status, form_02.version) == (Status.SUPPLEMENT, 1)


@pytest.mark.parametrize("papers", [None, Papers(), Papers(others=["   "])])
def test_the_desk_cannot_record_a_supplement_without_the_papers(world, form_02, papers):
    before = state()
    with pytest.raises(InvalidInput) as info:
        dossier_act(
            dossier=form_02,
            action=Action.SUPPLEMENT,
            actor=world.lan,
            now=at("2026-11-26 09:00"),
            papers=papers,
        )
    assert "Chưa ghi nhận giấy tờ" in " ".join(e.message for e in info.value.problems())
    assert state() == before


def test_a_paper_of_another_procedure_is_refused_at_the_supplement(world, form_02):
    other = papers_of(world.record)[0]
    _first, second = papers_of(world.chain)
    before = state()
    with pytest.raises(InvalidInput):
        dossier_act(
            dossier=form_02,
            action=Action.SUPPLEMENT,
            actor=world.lan,
            now=at("2026-11-26 09:00"),
            papers=Papers(ticked=[second.pk, other.pk]),
        )
    assert state() == before


def test_a_supplement_during_processing_records_the_papers_and_resumes_the_clock(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    d = forward(d, world.lan, "2026-11-25 09:00")
    d = dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.duc,
        now=at("2026-11-25 10:00"),
        missing=["Văn bản xác nhận nơi cư trú"],
    )
    d = dossier_act(
        dossier=d,
        action=Action.SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-26 10:00"),
        papers=Papers(
            others=["Văn bản xác nhận nơi cư trú"],
        ),
    )
    assert d.status == Status.PROCESSING
    assert [p.visit for p in dossier_papers(d)] == [1, 1, 2]
    assert d.clock[-1]["kind"] == "resume"


# ---------------------------------------------------------------------------------------------
# 8. Scans


def test_a_scan_at_reception_is_stored_with_its_hash_size_type_and_who(world):
    first, second = papers_of(world.chain)
    d = dossier_receive(
        intake=intake(world),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
        scans={first.pk: scanfiles.upload(scanfiles.PNG, "C:\\Scans\\tờ khai.png")},
    )
    scan = DossierScan.objects.get()
    assert scan.document.required_id == first.pk and scan.dossier_id == d.pk
    assert scan.sha256 == hashlib.sha256(scanfiles.PNG).hexdigest()
    assert (scan.size, scan.content_type) == (len(scanfiles.PNG), "image/png")
    assert (scan.uploaded_by_id, scan.uploaded_at) == (world.lan.user_id, at("2026-11-25 08:30"))
    assert scan.original_name == "tờ khai.png"
    assert scan.file.name == f"scans/{d.pk}/{scan.sha256}.png"
    assert (Path(settings.MEDIA_ROOT) / scan.file.name).read_bytes() == scanfiles.PNG
    # Digitised: the one paper with a scan, not the other; the event says which.
    assert dossier_digitisation(d).numerator == 1 and dossier_digitisation(d).denominator == 2
    listed = d.events.get().payload["papers"]
    assert [("scan" in p) for p in listed] == [True, False]
    assert [p.name for p in dossier_papers(d) if p.scans.all()] == [first.name]
    assert second.name in [p.name for p in dossier_papers(d)]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (scanfiles.EXE, "scan.pdf"),  # renamed: judged by content, not name
        (scanfiles.FAKE_PNG, "scan.png"),  # a PNG signature on something else
        (scanfiles.CUT_PNG, "scan.png"),  # cut short: does not decode
        (scanfiles.PDF[:-7], "scan.pdf"),  # a PDF without its end
        (b"", "empty.pdf"),
    ],
)
def test_a_file_that_is_not_a_scan_is_refused_and_nothing_is_stored(world, data, name):
    first, _second = papers_of(world.chain)
    before = state()
    with pytest.raises(InvalidInput) as info:
        dossier_receive(
            intake=intake(world),
            actor=world.lan,
            now=at("2026-11-25 08:30"),
            scans={first.pk: scanfiles.upload(data, name)},
        )
    assert [e.details["field"] for e in info.value.problems()] == [f"scan_{first.pk}"]
    assert state() == before


def test_a_scan_over_the_size_limit_is_refused(world, settings):
    settings.SCAN_MAX_BYTES = 100
    first, _second = papers_of(world.chain)
    before = state()
    with pytest.raises(InvalidInput) as info:
        dossier_receive(
            intake=intake(world),
            actor=world.lan,
            now=at("2026-11-25 08:30"),
            scans={first.pk: scanfiles.upload(scanfiles.image("PNG", (400, 400)))},
        )
    assert "giới hạn" in info.value.message
    assert state() == before


def test_a_scan_only_for_a_paper_received(world):
    first, second = papers_of(world.chain)
    before = state()
    with pytest.raises(InvalidInput) as info:
        dossier_receive(
            intake=intake(world, documents=[first.pk]),
            actor=world.lan,
            now=at("2026-11-25 08:30"),
            outcome=Action.REQUEST_SUPPLEMENT,
            scans={second.pk: scanfiles.upload(scanfiles.JPEG, "x.jpg")},
        )
    assert [e.details["field"] for e in info.value.problems()] == [f"scan_{second.pk}"]
    assert state() == before


def test_scans_at_the_supplement_are_kept_with_the_papers_of_that_visit(world, form_02):
    _first, second = papers_of(world.chain)
    d = dossier_act(
        dossier=form_02,
        action=Action.SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-26 09:00"),
        papers=Papers(
            ticked=[second.pk], scans={second.pk: scanfiles.upload(scanfiles.PDF, "gcs.pdf")}
        ),
    )
    scan = DossierScan.objects.get()
    assert scan.document.event_seq == d.version and scan.content_type == "application/pdf"
    assert d.events.get(action=Action.SUPPLEMENT).payload["papers"][0]["scan"] == scan.sha256


def test_a_failed_write_leaves_no_scan_file_behind(world, monkeypatch):
    first, _second = papers_of(world.chain)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(writes, "add_papers", fail)
    before = state()
    with pytest.raises(RuntimeError):
        dossier_receive(
            intake=intake(world),
            actor=world.lan,
            now=at("2026-11-25 08:30"),
            scans={first.pk: scanfiles.upload(scanfiles.PNG)},
        )
    assert state() == before


def test_the_digitisation_figure_counts_papers_with_a_scan_among_papers_received(world):
    first, second = papers_of(world.chain)
    dossier_receive(
        intake=intake(world),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
        scans={
            first.pk: scanfiles.upload(scanfiles.PNG),
            second.pk: scanfiles.upload(scanfiles.PDF),
        },
    )
    dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))
    # Another counter's papers and another period's are not this one's.
    dossier_receive(intake=intake(world), actor=world.mai, now=at("2026-11-25 09:30"))
    dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-27 09:30"))

    figure = digitisation_figure(
        agency=world.hoan_kiem, start=at("2026-11-25 00:00"), end=at("2026-11-26 00:00")
    )
    assert (figure.numerator, figure.denominator) == (2, 4)
    assert figure.value == 0.5
    empty = digitisation_figure(
        agency=world.hoan_kiem, start=at("2026-10-01 00:00"), end=at("2026-10-02 00:00")
    )
    assert (empty.numerator, empty.denominator, empty.value) == (0, 0, None)


# ---------------------------------------------------------------------------------------------
# 9. Returning the result


def ready(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = forward(d, world.lan, "2026-11-25 08:40")
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 09:00"))
    d = forward(d, world.duc, "2026-11-25 09:05")
    d = dossier_act(dossier=d, action=Action.APPROVE, actor=world.long, now=at("2026-11-25 09:30"))
    return dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 09:35"),
        result=scanfiles.upload(scanfiles.PDF, "kq.pdf"),
    )


def test_the_return_records_who_collected_which_result_and_how(world):
    d = ready(world)
    d = dossier_act(
        dossier=d,
        action=Action.RETURN_RESULT,
        actor=world.lan,
        now=at("2026-11-25 14:00"),
        handover=Handover(
            "desk",
            "15/GKS",
            "authorised",
            name="lê thị hoa",
            id_number="079190000123",
            authorisation="Giấy ủy quyền số 7 ngày 24/11/2026",
            confirmed=True,
        ),
    )
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    assert (d.result_number, d.collector, d.collector_name, d.collector_id_number) == (
        "15/GKS",
        "authorised",
        "Lê Thị Hoa",
        "079190000123",
    )
    assert d.collector_authorisation == "Giấy ủy quyền số 7 ngày 24/11/2026"
    event = d.events.get(action=Action.RETURN_RESULT)
    assert event.payload["collector_name"] == "Lê Thị Hoa"
    assert event.payload["result_number"] == "15/GKS"


def test_a_return_by_post_records_the_tracking_number(world):
    d = dossier_act(
        dossier=ready(world),
        action=Action.RETURN_RESULT,
        actor=world.lan,
        now=at("2026-11-25 14:00"),
        handover=Handover("post", "15/GKS", tracking="eb 123456789 vn", confirmed=True),
    )
    assert (d.delivery, d.post_tracking, d.collector_name) == ("post", "EB 123456789 VN", "")


@pytest.mark.parametrize(
    ("handover", "field"),
    [
        (Handover("desk", "15/GKS", "applicant", id_number=PERSON.id_number), "confirm"),
        (None, "result_number"),
        (
            Handover("desk", "15/GKS", "applicant", id_number="079190000123", confirmed=True),
            "collector_id_number",
        ),
    ],
)
def test_a_return_not_confirmed_or_incomplete_changes_nothing(world, handover, field):
    d = ready(world)
    before = state()
    with pytest.raises(InvalidInput) as info:
        dossier_act(
            dossier=d,
            action=Action.RETURN_RESULT,
            actor=world.lan,
            now=at("2026-11-25 14:00"),
            handover=handover,
        )
    assert field in [e.details["field"] for e in info.value.problems()]
    assert state() == before
    d.refresh_from_db()
    assert (d.status, d.returned_at, d.result_number) == (Status.DONE, None, "")


def test_a_return_is_refused_before_the_result_is_ready_whatever_its_details(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    with pytest.raises(TransitionError):
        dossier_act(
            dossier=d,
            action=Action.RETURN_RESULT,
            actor=world.lan,
            now=at("2026-11-25 09:00"),
            handover=Handover("electronic", "1/QĐ", confirmed=True),
        )


def test_an_online_dossier_missing_a_paper_cannot_be_received_without_its_supplement(world):
    first, second = papers_of(world.chain)
    d = dossier_receive(
        intake=intake(world, channel=2, documents=[first.pk]),
        actor=world.lan,
        now=at("2026-11-25 09:00"),
        outcome=Action.SUBMIT,
    )
    before = state()
    with pytest.raises(ValidationError) as info:
        dossier_act(dossier=d, action=Action.RECEIVE, actor=world.lan, now=at("2026-11-25 10:00"))
    assert info.value.details["missing"] == [second.name]
    assert state() == before
    d.refresh_from_db()
    assert (d.status, d.code) == (Status.NEW, None)


def test_a_replayed_supplement_with_its_scan_stores_nothing_twice(world, form_02):
    _first, second = papers_of(world.chain)
    papers = Papers(
        ticked=[second.pk], scans={second.pk: scanfiles.upload(scanfiles.JPEG, "a.jpg")}
    )
    stale = Dossier.objects.get(pk=form_02.pk)
    dossier_act(
        dossier=form_02,
        action=Action.SUPPLEMENT,
        actor=world.lan,
        now=at("2026-11-26 09:00"),
        papers=papers,
    )
    after = state()
    with pytest.raises(ConflictError):
        dossier_act(
            dossier=stale,
            action=Action.SUPPLEMENT,
            actor=world.lan,
            now=at("2026-11-26 09:01"),
            papers=papers,
        )
    assert state() == after
    assert DossierScan.objects.count() == 1
