"""Evidence for the annual evaluation: only the time each person held a dossier; who sees
whose sheet; the level decided by people, recorded once."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import User

from motcua.core.errors import NotFound, ValidationError
from motcua.core.lifecycle import Action
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.oversight import evidence
from motcua.oversight.models import EvaluationDecision
from motcua.oversight.selectors import scope_of
from motcua.oversight.services import tallies_rebuild
from tests.conftest import at
from tests.dossiers.test_services import forward, intake


@pytest.fixture
def handled(world):
    """Two birth registrations: the desk (Lan) hands each to Đức, who proposes and sends it
    to the chairman (Long), who signs; 2026."""
    for day in ("2026-11-24", "2026-11-25"):
        d = dossier_receive(
            intake=intake(world, world.birth), actor=world.lan, now=at(f"{day} 08:30")
        )
        d = forward(d, world.lan, f"{day} 08:45")
        d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at(f"{day} 09:00"))
        d = forward(d, world.duc, f"{day} 09:10")
    tallies_rebuild()


def sheet_of(actor, user_id):
    return {s.user_id: s for s in evidence.sheets(scope=scope_of(actor), year=2026)}.get(user_id)


@pytest.mark.django_db
def test_each_person_carries_only_the_steps_they_held(world, handled):
    duc = sheet_of(world.long, world.duc.user_id)
    lan = sheet_of(world.long, world.lan.user_id)
    assert duc.steps.steps == 2 and lan.steps.steps == 2
    assert duc.evaluation.level is not None and duc.evaluation.lines
    assert sheet_of(world.long, world.long.user_id).steps.steps == 0  # still holds them


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("viewer", "sees_duc", "sees_other_commune"),
    [("long", True, False), ("son", True, False), ("duc", True, False), ("lan", False, False),
     ("mai", False, True)],
)  # fmt: skip
def test_who_sees_whose_sheet(world, handled, viewer, sees_duc, sees_other_commune):
    actor = getattr(world, viewer)
    shown = {s.user_id for s in evidence.sheets(scope=scope_of(actor), year=2026)}
    assert (world.duc.user_id in shown) is sees_duc
    assert (world.mai.user_id in shown) is sees_other_commune
    assert actor.user_id in shown  # everyone sees their own


@pytest.mark.django_db
def test_the_level_is_decided_by_the_head_once_with_the_suggestion_kept(world, handled):
    with pytest.raises(NotFound):  # a specialist does not decide
        evidence.decision_record(
            actor=world.duc, person=world.lan.user_id, year=2026, level="good", note="",
            now=at("2026-12-20 09:00"),
        )  # fmt: skip
    with pytest.raises(ValidationError):
        evidence.decision_record(
            actor=world.long, person=world.duc.user_id, year=2026, level="best", note="",
            now=at("2026-12-20 09:00"),
        )  # fmt: skip
    made = evidence.decision_record(
        actor=world.long, person=world.duc.user_id, year=2026, level="good", note="Hội đồng",
        now=at("2026-12-20 09:00"),
    )  # fmt: skip
    assert made.suggested == sheet_of(world.long, world.duc.user_id).evaluation.level.value
    with pytest.raises(ValidationError):
        evidence.decision_record(
            actor=world.long, person=world.duc.user_id, year=2026, level="excellent", note="",
            now=at("2026-12-20 10:00"),
        )  # fmt: skip
    assert EvaluationDecision.objects.get().level == "good"


@pytest.mark.django_db
def test_the_page_and_its_csv(world, handled, client):
    client.force_login(User.objects.get(pk=world.long.user_id))
    page = client.get("/can-bo/danh-gia-can-bo/?year=2026")
    assert page.status_code == 200 and world.duc.name in page.content.decode()
    csv = client.get("/can-bo/danh-gia-can-bo/?year=2026&dang=csv")
    body = csv.content.decode("utf-8")
    assert body.startswith("\ufeff") and world.duc.name in body
    assert csv["Cache-Control"] == "no-store, private"
    assert client.get("/can-bo/danh-gia-can-bo/?year=abc").status_code == 400
    answer = client.post(
        f"/can-bo/danh-gia-can-bo/{world.duc.user_id}/?year=2026", {"level": "good"}
    )
    assert answer.status_code == 302 and EvaluationDecision.objects.count() == 1


def conduct_complaint(world, name, when):
    from motcua.core.feedback import Subject
    from motcua.feedback import services as feedback_services
    from tests.feedback.test_services import filing

    return feedback_services.feedback_file(
        filing=filing(
            subject=Subject.OFFICIAL,
            procedure_code="",
            place_id=world.hoan_kiem.pk,
            official_name=name,
            content="Cán bộ gắt gỏng.",
        ),
        now=at(when),
        contact_verified=True,
    )


@pytest.mark.django_db
def test_the_sheet_counts_conduct_complaints_received_and_upheld_apart(world, handled, client):
    from motcua.core.feedback import Finding
    from motcua.feedback import services as feedback_services

    # Three about Đức: one upheld, one not, one still open; one whose name matched nobody,
    # upheld, the head naming Đức as its official.
    findings = [Finding.UPHELD, Finding.NOT_UPHELD, None]
    for n, finding in enumerate(findings):
        item = conduct_complaint(world, "Ngô Văn Đức", f"2026-11-2{n + 1} 09:00")
        if finding is not None:
            feedback_services.feedback_answer(
                item_id=item.pk, actor=world.son, answer="Đã xác minh.", expected_version=0,
                now=at("2026-11-26 09:00"), finding=finding,
            )  # fmt: skip
    unnamed = conduct_complaint(world, "Anh đeo kính", "2026-11-24 10:00")
    feedback_services.feedback_answer(
        item_id=unnamed.pk, actor=world.long, answer="Đã xác minh.", expected_version=0,
        now=at("2026-11-26 09:00"), finding=Finding.UPHELD, concerned_id=world.duc.user_id,
    )  # fmt: skip
    duc = sheet_of(world.long, world.duc.user_id)
    assert (duc.complaints, duc.upheld) == (3, 2)
    assert sheet_of(world.long, world.lan.user_id).upheld == 0
    # The two upheld ones are taken off his suggested points, in the explanation too.
    line = next(x for x in duc.evaluation.lines if "conduct" in dict(x.values))
    assert dict(line.values)["conduct"] == 2
    client.force_login(User.objects.get(pk=world.long.user_id))
    body = client.get("/can-bo/danh-gia-can-bo/?year=2026&dang=csv").content.decode("utf-8")
    header, *rows = csv.reader(io.StringIO(body.lstrip("\ufeff")))
    duc_row = next(r for r in rows if r[0] == world.duc.name)
    at_column = header.index("Phản ánh có cơ sở")
    assert (duc_row[at_column - 1], duc_row[at_column]) == ("3", "2")
    # The workbook: the same columns, the counts as numbers.
    book = client.get("/can-bo/danh-gia-can-bo/?year=2026&dang=xlsx")
    assert book["Cache-Control"] == "no-store, private"
    assert book["Content-Disposition"] == 'attachment; filename="danh-gia-can-bo-2026.xlsx"'
    table = [list(r) for r in openpyxl.load_workbook(io.BytesIO(book.content)).active.values]
    assert table[0] == header
    duc_cells = next(r for r in table if r[0] == world.duc.name)
    assert (duc_cells[at_column - 1], duc_cells[at_column]) == (3, 2)
    assert duc_cells[4] == 2  # steps held, a number


@pytest.mark.django_db
def test_a_bad_year_gets_the_page_not_a_download(world, handled, client):
    client.force_login(User.objects.get(pk=world.long.user_id))
    for kind in ("csv", "xlsx"):
        response = client.get(f"/can-bo/danh-gia-can-bo/?year=abc&dang={kind}")
        assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
