"""/metrics: Prometheus' text format, for the bearer of METRICS_TOKEN or an address in
METRICS_NETWORKS only; request latency per view name, and the volumes read at each scrape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from motcua.operations.services import worker_beat_record

TOKEN = "t" * 40


def scrape(client: Client) -> dict[str, float]:
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 200, answer.status_code
    assert answer["Content-Type"].startswith("text/plain; version=")
    return {
        f"{sample.name}{sorted(sample.labels.items()) if sample.labels else ''}": sample.value
        for family in text_string_to_metric_families(answer.content.decode())
        for sample in family.samples
    }


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_NETWORKS = []


@pytest.mark.django_db
def test_it_is_off_until_a_token_or_a_network_is_set(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_NETWORKS = []
    assert Client().get("/metrics").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_a_wrong_or_missing_token_is_refused(token, sent):
    extra = {"HTTP_AUTHORIZATION": sent} if sent else {}
    answer = Client().get("/metrics", **extra)
    assert answer.status_code == 403
    assert b"motcua_" not in answer.content


@pytest.mark.django_db
def test_an_address_in_the_networks_may_scrape_without_a_token(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_NETWORKS = ["10.26.0.0/16"]
    assert Client(REMOTE_ADDR="10.26.4.7").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.27.0.1").get("/metrics").status_code == 403


@pytest.mark.django_db
def test_it_counts_request_latency_per_view_name_never_per_path(token):
    client = Client()
    before = scrape(client)
    key = "motcua_request_duration_seconds_count[('method', 'GET'), ('status', '2xx'), ('view', 'portal:catalog')]"  # noqa: E501
    client.get("/thu-tuc/")
    client.get("/thu-tuc/?q=khai+sinh")
    after = scrape(client)
    assert after[key] - before.get(key, 0) == 2
    assert not any("khai" in name or "/thu-tuc/" in name for name in after)


def test_the_volumes_come_from_the_database(world, token):
    from motcua.dossiers.services import dossier_receive
    from motcua.oversight.services import tallies_catch_up
    from tests.dossiers.test_services import intake

    now = timezone.now()
    worker_beat_record(worker="may-1:1", now=now - timedelta(seconds=30))
    before = scrape(Client())
    assert before["motcua_dossiers_overdue_open"] == 0
    assert 30 <= before["motcua_worker_lag_seconds"] < 120
    dossier_receive(intake=intake(world), actor=world.lan, now=now - timedelta(days=40))
    after = scrape(Client())
    assert after["motcua_dossiers_overdue_open"] == 1  # received 40 days ago, due long since
    assert after["motcua_outbox_backlog"] == before["motcua_outbox_backlog"] + 1  # its e-mail
    assert after["motcua_dossiers_received_total"] == before["motcua_dossiers_received_total"]
    tallies_catch_up(now=now)  # the worker's pass: the month's tally row counts it
    assert scrape(Client())["motcua_dossiers_received_total"] == 1


@pytest.mark.django_db
def test_under_several_processes_it_reads_their_files_and_still_the_volumes(monkeypatch, tmp_path):
    from motcua.operations.metrics import exposition

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    body, _ = exposition()
    assert b"motcua_outbox_backlog 0.0" in body
    assert b"process_cpu_seconds_total" not in body  # this process's own: not in that mode
