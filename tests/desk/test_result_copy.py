"""The back office attaches the result's electronic copy on the dossier page (marking it
ready, or returning it): every result has one, whatever the delivery; staff with a right to
the dossier open it."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.core.lifecycle import Action, Status
from motcua.dossiers.models import Dossier, DossierAccess, DossierResult
from motcua.dossiers.services import dossier_act, dossier_receive
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.scanfiles import PDF, PNG, upload


def signin(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def signed(world, delivery="desk"):
    d = dossier_receive(
        intake=intake(world, world.birth, delivery=delivery),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
    )
    for action, actor, when in (
        (Action.FORWARD, world.lan, "08:40"),
        (Action.PROPOSE, world.duc, "09:00"),
        (Action.FORWARD, world.duc, "09:05"),
        (Action.APPROVE, world.long, "09:30"),
    ):
        d = dossier_act(dossier=d, action=action, actor=actor, now=at(f"2026-11-25 {when}"))
    return d


def act(client, d, files=None, **data):
    return client.post(
        reverse("desk:act", args=[d.pk]), {"version": d.version, **data, **(files or {})}
    )


def test_marking_ready_offers_and_takes_the_results_pdf(world, client):
    d = signed(world)
    signin(client, "long")
    html = client.get(reverse("desk:dossier", args=[d.pk])).content.decode()
    form = re.search(r'<form[^>]*data-action="mark_ready"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'enctype="multipart/form-data"' in form[0] and 'name="result"' in form[1]
    # An image is no result copy: refused beside its field, nothing stored.
    response = act(client, d, {"result": SimpleUploadedFile("kq.png", PNG)}, action="mark_ready")
    assert response.status_code == 400
    assert "Bản điện tử của kết quả phải là tệp PDF." in response.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSING
    assert not DossierResult.objects.exists()
    response = act(client, d, {"result": SimpleUploadedFile("kq.pdf", PDF)}, action="mark_ready")
    assert response.status_code == 302
    assert DossierResult.objects.get(dossier=d).size == len(PDF)
    html = client.get(reverse("desk:dossier", args=[d.pk])).content.decode()
    assert reverse("desk:result", args=[d.pk]) in html and 'id="result-copy"' in html


def test_an_electronic_return_without_a_copy_is_refused_beside_the_file(world, client):
    d = signed(world, delivery="electronic")
    d = dossier_act(
        dossier=d, action=Action.MARK_READY, actor=world.long, now=at("2026-11-25 09:35")
    )
    signin(client, "lan")
    data = dict(action="return_result", delivery="electronic", result_number="15/GKS", confirm="on")
    response = act(client, d, **data)
    assert response.status_code == 400
    assert "hãy đính kèm bản điện tử (PDF) của kết quả" in response.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == Status.DONE
    response = act(client, d, {"result": SimpleUploadedFile("kq.pdf", PDF)}, **data)
    assert response.status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == Status.RETURNED
    assert DossierResult.objects.filter(dossier=d).count() == 1


def test_a_return_at_the_desk_without_a_copy_is_refused_and_nothing_is_stored(world, client):
    d = signed(world, delivery="desk")
    d = dossier_act(
        dossier=d, action=Action.MARK_READY, actor=world.long, now=at("2026-11-25 09:35")
    )
    signin(client, "lan")
    data = dict(
        action="return_result",
        delivery="desk",
        result_number="15/GKS",
        collector="applicant",
        collector_id=d.applicant_id_number,
        confirm="on",
    )
    response = act(client, d, **data)
    assert response.status_code == 400
    assert "Mọi kết quả đều có bản điện tử để người dân tải về" in response.content.decode()
    stored = Dossier.objects.get(pk=d.pk)
    assert stored.status == Status.DONE and stored.version == d.version
    assert not DossierResult.objects.exists()
    response = act(client, d, {"result": SimpleUploadedFile("kq.pdf", PDF)}, **data)
    assert response.status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == Status.RETURNED
    assert DossierResult.objects.filter(dossier=d).count() == 1


def test_the_copy_opens_for_staff_with_a_right_and_is_logged(world, client):
    d = signed(world)
    d = dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 09:35"),
        result=upload(PDF, "kq.pdf"),
    )
    response = signin(client, "lan").get(reverse("desk:result", args=[d.pk]))
    assert response.status_code == 200 and response.content == PDF
    assert (
        response["Cache-Control"] == "no-store, private"
        and response["X-Content-Type-Options"] == "nosniff"
    )
    assert DossierAccess.objects.filter(dossier=d, page="desk.result").count() == 1
    # Another commune's desk: the same "not found" as for a dossier that does not exist.
    assert signin(client, "mai").get(reverse("desk:result", args=[d.pk])).status_code == 404
    assert signin(client, "lan").get(reverse("desk:result", args=[999_999])).status_code == 404


def test_no_copy_is_not_found(world, client):
    d = signed(world)
    assert signin(client, "lan").get(reverse("desk:result", args=[d.pk])).status_code == 404
