"""Each issuing body numbers its own forms, per form and per year, once (issue 13)."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.urls import reverse

from motcua.core.lifecycle import Action
from motcua.organization.models import Agency
from motcua.paperwork.models import IssuedForm
from motcua.paperwork.services import form_number_issue
from tests.conftest import at
from tests.paperwork.test_forms import act, late_at_the_police, page, receive, sign_in, text


def number(client, d, form) -> str:
    return re.search(r"Số: (\S+)", text(page(client, d, form))).group(1)


def test_a_ward_numbers_its_receipts_with_its_own_symbol_one_after_another(world, client):
    first, second = receive(world), receive(world, when="2026-11-25 10:00")
    sign_in(client, world.lan)

    assert number(client, second, "01") == "0001/TNHS-UBND"
    assert number(client, first, "01") == "0002/TNHS-UBND"


def test_a_reprint_shows_the_number_first_given(world, client):
    first, second = receive(world), receive(world, when="2026-11-25 10:00")
    sign_in(client, world.lan)
    number(client, first, "01")
    number(client, second, "01")

    assert number(client, first, "01") == "0001/TNHS-UBND"
    assert number(client, second, "01") == "0002/TNHS-UBND"
    assert IssuedForm.objects.filter(form="01").count() == 2


def test_each_form_has_its_own_sequence(world, client):
    d = receive(world)
    d = act(d, Action.FORWARD, world.lan, "2026-11-25 10:00")
    d = act(d, Action.REQUEST_SUPPLEMENT, world.duc, "2026-11-25 11:00", missing=["Giấy X"])
    sign_in(client, world.duc)

    assert number(client, d, "02") == "0001/PBS-UBND"
    assert number(client, d, "06") == "0001/PKS-UBND"
    assert number(client, d, "01") == "0001/TNHS-UBND"


def test_the_apology_carries_the_late_bodys_number_not_the_dossiers_daily_one(world, client):
    receive(world)
    receive(world, when="2026-11-25 08:00")
    d = late_at_the_police(world)  # the day's third dossier: H26.100-261125-0003
    assert d.code.endswith("-0003")
    Agency.objects.filter(pk=world.police_hk.pk).update(symbol="CAP")
    d = act(d, Action.APPROVE_APOLOGY, world.kien, "2026-11-26 10:00")
    sign_in(client, world.lan)

    assert number(client, d, "04") == "0001/PXL-CAP"
    assert number(client, d, "04") == "0001/PXL-CAP"


def test_the_centre_writes_ttpvhcc_and_a_new_year_starts_again_at_one(world, client):
    december = receive(world, when="2026-12-31 09:00", actor=world.ha, procedure=world.record)
    january = receive(world, when="2027-01-04 09:00", actor=world.ha, procedure=world.record)
    client.force_login(get_user_model().objects.get(pk=world.ha.user_id))

    assert number(client, december, "01") == "0001/TNHS-TTPVHCC"
    assert number(client, january, "01") == "0001/TNHS-TTPVHCC"
    assert (
        number(
            client,
            receive(world, when="2027-01-05 09:00", actor=world.ha, procedure=world.record),
            "01",
        )
        == "0002/TNHS-TTPVHCC"
    )


def test_the_pdf_shows_the_same_number_as_the_page(world, client):
    receive(world)
    d = receive(world, when="2026-11-25 10:00")
    sign_in(client, world.lan)
    assert number(client, d, "01") == "0001/TNHS-UBND"

    content = client.get(reverse("paperwork:form_pdf", args=[d.pk, "01"])).content

    from tests.paperwork.test_forms import pdf_text

    assert "Số: 0001/TNHS-UBND" in pdf_text(content)


# ---------------------------------------------------------------------------------------------
# Real parallel connections


def in_threads(count, work):
    """Run `work(i)` in `count` threads released at once; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected for the assertion
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.fixture
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_postgres_only")
def test_parallel_printings_give_each_form_one_number_and_no_number_twice(world):
    dossiers = [
        receive(world, when=f"2026-11-25 {9 + i // 60:02d}:{i % 60:02d}") for i in range(16)
    ]
    on = at("2026-11-25 09:00")

    def work(i):
        # Each thread prints every dossier's receipt, in its own order.
        order = dossiers[i:] + dossiers[:i]
        return {
            d.pk: form_number_issue(
                dossier=d, form="01", subject="", agency=world.hoan_kiem, on=on, now=on
            ).seq
            for d in order
        }

    results, errors = in_threads(4, work)

    assert errors == [None] * 4
    assert results[0] == results[1] == results[2] == results[3]
    assert sorted(results[0].values()) == list(range(1, 17))
    assert IssuedForm.objects.count() == 16
