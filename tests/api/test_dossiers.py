"""POST /dossiers through the write path, reads within the client's scope, history, changes."""

from __future__ import annotations

import json

import pytest

from motcua.api.chain import verify_call_chain
from motcua.api.models import ApiCall, IdempotentRequest
from motcua.dossiers.events import verify_chains
from motcua.dossiers.models import Dossier, DossierEvent
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "trần văn an", "id_number": "001203012345", "phone": "0912345678"}


def body(world, **changes):
    papers = [d.pk for d in world.birth.versions.first().documents.all()]
    return {
        "procedure": "1.001193",
        "place": "H26.100",
        "applicant": APPLICANT,
        "papers": papers,
        **changes,
    }


def submit(client, key, payload, idem="k-1", **headers):
    return client.post(
        "/api/v1/dossiers",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=idem,
        **bearer(key),
        **headers,
    )


def test_a_submitted_dossier_goes_through_the_write_path(client, world, portal):
    _c, key = portal
    response = submit(client, key, body(world))
    assert response.status_code == 201, response.json()
    answer = response.json()
    dossier = Dossier.objects.get(pk=int(answer["ref"]))
    assert (dossier.status, dossier.channel, dossier.code) == (1, 2, None)
    assert dossier.received_place == world.hoan_kiem
    assert answer["applicant_id_number"] == "*********345"
    assert "001203012345" not in response.content.decode()
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
    assert verify_chains() == []
    assert verify_call_chain().problems == []


def test_the_same_key_and_body_replays_the_answer(client, world, portal):
    _c, key = portal
    first = submit(client, key, body(world))
    again = submit(client, key, body(world))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert Dossier.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(client, world, portal):
    _c, key = portal
    submit(client, key, body(world))
    other = submit(client, key, body(world, copies=2))
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    assert Dossier.objects.count() == 1
    assert ApiCall.objects.latest("seq").error_code == "idempotency_conflict"


def test_a_create_without_an_idempotency_key_is_refused(client, world, portal):
    _c, key = portal
    response = client.post(
        "/api/v1/dossiers",
        data=json.dumps(body(world)),
        content_type="application/json",
        **bearer(key),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Dossier.objects.count() == 0


def test_a_place_outside_the_clients_scope_is_refused(client, world, portal):
    _c, key = portal
    response = submit(client, key, body(world, place="H26.101"))
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert (Dossier.objects.count(), IdempotentRequest.objects.count()) == (0, 0)
    assert ApiCall.objects.latest("seq").status == 403


def test_bad_input_is_refused_with_every_field(client, world, portal):
    _c, key = portal
    payload = body(world, applicant={"name": "", "id_number": "12"}, copies=0)
    response = submit(client, key, payload)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"applicant.name", "copies"} <= fields
    assert Dossier.objects.count() == 0


def test_a_wrong_id_number_is_refused_by_the_write_path(client, world, portal):
    _c, key = portal
    response = submit(client, key, body(world, applicant={"name": "An", "id_number": "12"}))
    assert response.status_code == 400
    assert Dossier.objects.count() == 0
    assert IdempotentRequest.objects.count() == 0


def test_reads_see_only_the_clients_agencies(client, world, portal, make_client):
    _c, key = portal
    ref = submit(client, key, body(world)).json()["ref"]
    assert client.get(f"/api/v1/dossiers/{ref}", **bearer(key)).status_code == 200
    _o, other = make_client(name="Khác", agencies=("H26.101",))
    response = client.get(f"/api/v1/dossiers/{ref}", HTTP_ACCEPT_LANGUAGE="en", **bearer(other))
    assert response.status_code == 404
    assert response.json()["message"] == "Dossier not found."


def test_the_history_and_the_changes_follow_the_events(client, world, portal):
    _c, key = portal
    ref = submit(client, key, body(world)).json()["ref"]
    history = client.get(f"/api/v1/dossiers/{ref}/history", **bearer(key)).json()
    assert [(h["seq"], h["from_status"], h["to_status"]) for h in history] == [(1, None, 1)]
    submit(client, key, body(world, copies=2), idem="k-2")
    page = client.get("/api/v1/changes?limit=1", **bearer(key)).json()
    assert (len(page["changes"]), page["more"]) == (1, True)
    rest = client.get(f"/api/v1/changes?cursor={page['next_cursor']}", **bearer(key)).json()
    assert (len(rest["changes"]), rest["more"]) == (1, False)
    assert rest["changes"][0]["event"] > page["changes"][0]["event"]
    end = client.get(f"/api/v1/changes?cursor={rest['next_cursor']}", **bearer(key)).json()
    assert (end["changes"], end["next_cursor"]) == ([], rest["next_cursor"])


def test_a_bad_cursor_is_refused(client, world, portal):
    _c, key = portal
    response = client.get("/api/v1/changes?cursor=zzz", **bearer(key))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_moments_are_given_in_vietnam_time(client, world, portal):
    _c, key = portal
    ref = submit(client, key, body(world)).json()["ref"]
    shown = client.get(f"/api/v1/dossiers/{ref}", **bearer(key)).json()["submitted_at"]
    assert shown.endswith("+07:00")
    history = client.get(f"/api/v1/dossiers/{ref}/history", **bearer(key)).json()
    assert history[0]["at"].endswith("+07:00")


def test_the_agency_holding_a_dossier_reads_it_while_it_is_there(client, world, make_client):
    """The same agencies as a webhook subscriber follows (core.apiclients): the commune
    police's system reads a commune's dossier, and sees it in its changes, while its step is
    there, and not before."""
    from motcua.core.lifecycle import Action
    from motcua.dossiers.services import dossier_act, dossier_receive
    from tests.conftest import at
    from tests.dossiers.test_services import intake

    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    _c, key = make_client(name="Công an phường", agencies=(world.police_hk.code,))
    assert client.get(f"/api/v1/dossiers/{d.pk}", **bearer(key)).status_code == 404
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:00"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-11-25 10:00"))
    assert d.current_agency_id == world.police_hk.pk
    assert client.get(f"/api/v1/dossiers/{d.pk}", **bearer(key)).status_code == 200
    changes = client.get("/api/v1/changes", **bearer(key)).json()["changes"]
    assert len(changes) == 3  # its whole record, as the feed's scope is the dossier's
