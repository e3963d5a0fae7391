"""Dossier histories with known answers for the oversight pages (the small world of
tests/factories.py): one late because Đức held it too long, one on time, one open elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.core.lifecycle import Action, Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Handover, dossier_act, dossier_receive
from motcua.oversight.services import tallies_rebuild
from tests.conftest import at
from tests.dossiers.test_services import PERSON, intake
from tests.factories import _person
from tests.scanfiles import PDF, upload


@dataclass
class Histories:
    late: Dossier  # Hoàn Kiếm's birth registration, late: Đức held the appraisal 8 hours over
    on_time: Dossier  # Hoàn Kiếm's, settled the same morning
    ba_dinh: Dossier  # Ba Đình's, still open, due 27/11 (late by the end of November)
    justice: Dossier  # the Department of Justice's, received at the centre, still open


def _birth(world, when, *, desk=None, name="Trần Văn Bình") -> Dossier:
    applicant = Applicant(name=name, id_number="001203012345")
    return dossier_receive(
        intake=intake(world, world.birth, applicant=applicant),
        actor=desk or world.lan,
        now=at(when),
    )


def _settle(world, d: Dossier, *, appraised: str, approved: str) -> Dossier:
    """The appraisal by Đức (handed on at `appraised`), Long's approval and the result."""
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at(appraised))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.duc, now=at(appraised))
    d = dossier_act(dossier=d, action=Action.APPROVE, actor=world.long, now=at(approved))
    d = dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at(approved),
        result=upload(PDF, "kq.pdf"),
    )
    return d


def build(world) -> Histories:
    """The histories, and the tallies rebuilt from them; the oversight office's account."""
    _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)
    _person("quantri", "Lê Quản Trị", world.centre, "mot-cua", Role.ADMIN)
    late = _birth(world, "2026-11-20 08:30", name="Trần Văn Muộn")  # Friday; due that day
    late = dossier_act(
        dossier=late, action=Action.FORWARD, actor=world.lan, now=at("2026-11-20 08:45")
    )
    late = _settle(world, late, appraised="2026-11-23 10:00", approved="2026-11-23 11:00")
    on_time = _birth(world, "2026-11-24 08:30", name="Trần Thị Sớm")
    on_time = dossier_act(
        dossier=on_time, action=Action.FORWARD, actor=world.lan, now=at("2026-11-24 08:45")
    )
    on_time = _settle(world, on_time, appraised="2026-11-24 09:30", approved="2026-11-24 10:00")
    on_time = dossier_act(
        dossier=on_time,
        action=Action.RETURN_RESULT,
        actor=world.lan,
        now=at("2026-11-24 14:00"),
        handover=Handover(
            "desk", "12/QĐ-UBND", "applicant", id_number=PERSON.id_number, confirmed=True
        ),
    )
    ba_dinh = dossier_receive(  # the three-day chain: due 27/11
        intake=intake(world, applicant=Applicant(name="Ngô Thị Ba", id_number="001203012346")),
        actor=world.mai,
        now=at("2026-11-24 09:00"),
    )
    justice = dossier_receive(
        intake=intake(world, world.record), actor=world.ha, now=at("2026-11-24 09:00")
    )
    tallies_rebuild()
    return Histories(late=late, on_time=on_time, ba_dinh=ba_dinh, justice=justice)
