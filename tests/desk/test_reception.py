"""Reception at the speed of a queue: every problem at once, beside its field, with a summary
linking to each; one tick for every paper; the name field focused once the procedure is set."""

from __future__ import annotations

import re

import pytest

from motcua.core.lifecycle import Status
from motcua.dossiers.models import Dossier
from tests.desk.test_pages import reception_post, signin

pytestmark = pytest.mark.django_db


def test_it_focuses_the_name_once_the_procedure_is_chosen(world, client):
    html = signin(client, "lan").get("/can-bo/tiep-nhan/", {"procedure": "3.000722"})
    assert re.search(r'<input[^>]*name="name"[^>]*autofocus', html.content.decode())


def test_it_ticks_every_paper_with_one_box(world, client):
    data = reception_post(world, documents=[], all_papers="on")
    response = signin(client, "lan").post("/can-bo/tiep-nhan/", data)
    d = Dossier.objects.get()
    assert response.status_code == 302
    assert (d.status, d.code is not None) == (Status.RECEIVED, True)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        # A form error and the papers the service would refuse next: both at once.
        ({"name": "", "documents": []}, ["id_name", "id_documents"]),
        ({"id_number": "12", "documents": []}, ["id_id_number", "id_documents"]),
        (
            {"name": "", "id_number": "", "documents": []},
            ["id_name", "id_id_number", "id_documents"],
        ),
        ({"name": "", "outcome": "refuse"}, ["id_name", "id_reason"]),
        ({"email": "không-phải-thư", "rep_name": "Lê Thị Hoa"}, ["id_email", "id_authorisation"]),
    ],
)
def test_it_shows_every_problem_at_once_beside_its_field(world, client, changes, fields):
    response = signin(client, "lan").post("/can-bo/tiep-nhan/", reception_post(world, **changes))
    html = response.content.decode()
    summary = html.split('id="reception-error"', 1)[1].split("</div>", 1)[0]
    assert response.status_code == 400
    assert re.findall(r'href="#([^"]+)"', summary) == fields
    for field in fields:
        if field != "id_documents":
            assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', html) or re.search(
                rf'aria-invalid="true"[^>]*id="{field}"', html
            )
        assert f'aria-describedby="{field}_error"' in html or re.search(
            rf'aria-describedby="[^"]*{field}_error', html
        )
    assert Dossier.objects.count() == 0
