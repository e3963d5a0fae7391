"""Historical demo dossiers, generated through the real write path with realistic timing.

Every dossier is played action by action through `dossier_receive` and `dossier_act` with a
simulated clock, so the event log, hash chains, steps and deadlines are exactly what the
system would have recorded. Some are late (and apologise), some paused, some refused.
"""

from __future__ import annotations

import functools
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from motcua.catalog.selectors import is_commune_level, procedure_catalog
from motcua.core.calendar import local_date
from motcua.core.errors import DomainError, ValidationError
from motcua.core.errors import _ as mark
from motcua.core.lifecycle import Action, Role
from motcua.core.routing import signs
from motcua.dossiers.models import ApologyLetter, Dossier
from motcua.dossiers.selectors import dossier_plan, resolve_step
from motcua.dossiers.services import (
    Applicant,
    Handover,
    Intake,
    Papers,
    ScanUpload,
    dossier_act,
    dossier_receive,
)
from motcua.organization.selectors import (
    Actor,
    agency_by_code,
    calendar_for,
    centre_tz,
    communes,
    staff_actors,
)

if TYPE_CHECKING:
    from motcua.catalog.models import Procedure
    from motcua.organization.models import Agency

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thu", "Quang", "Hữu", "Thanh", "Đức", "Thùy", "Xuân"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hương",
    "Khánh",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tú",
    "Uyên",
    "Việt",
    "Yến",
]
STREETS = [
    "Hàng Bạc",
    "Lý Thường Kiệt",
    "Kim Mã",
    "Đội Cấn",
    "Nguyễn Trãi",
    "Giải Phóng",
    "Láng Hạ",
    "Trần Duy Hưng",
    "Cầu Giấy",
    "Hoàng Quốc Việt",
]


@dataclass
class _World:
    rng: random.Random
    # Drawn from for what the history does not turn on (scans, the result's number), so
    # that a seed plays the same dossiers whatever these details become.
    details: random.Random
    staff: dict[tuple[int, Role], list[Actor]]
    desks: dict[int, Actor]
    communes: list[Agency]
    centre: Agency


def _actors() -> tuple[dict[tuple[int, Role], list[Actor]], dict[int, Actor]]:
    by_role: dict[tuple[int, Role], list[Actor]] = {}
    desks: dict[int, Actor] = {}
    for actor in staff_actors():
        assert actor.agency is not None  # a post is always in an agency
        by_role.setdefault((actor.agency.pk, actor.role), []).append(actor)
        if actor.role is Role.DESK:
            desks[actor.agency.pk] = actor
    return by_role, desks


def _person(rng: random.Random) -> Applicant:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    province = rng.choice(["001", "001", "001", "030", "036", "040"])
    number = province + str(rng.randint(0, 3)) + f"{rng.randint(0, 99_999_999):08d}"
    return Applicant(
        name=name,
        id_number=number,
        address=f"Số {rng.randint(1, 200)} {rng.choice(STREETS)}, Hà Nội",
        phone=f"09{rng.randint(10_000_000, 99_999_999)}",
        email=f"congdan{rng.randint(1, 10**6)}@example.vn" if rng.random() < 0.5 else "",
    )


def generate_demo_dossiers(*, count: int, now: datetime, seed: int = 2026) -> int:
    """Play `count` dossiers received over the last ~4 months; return how many were created."""
    rng = random.Random(seed)
    staff, desks = _actors()
    # In the order the communes were created, so that a seed always plays the same history.
    staffed = sorted((a for a in communes() if a.pk in desks), key=lambda a: a.pk)
    centre = agency_by_code("H26.1")
    assert centre is not None  # the demo organisation has its centre
    world = _World(rng, random.Random(seed + 1), staff, desks, staffed, centre)
    procedures = procedure_catalog()
    weights = [6 if is_commune_level(p) else 2 for p in procedures]
    calendar = calendar_for(world.centre)
    created = 0
    start = now - timedelta(days=120)
    for _ in range(count):
        # Arrival: a working day, during office hours, spread evenly over the period; drawn
        # again when the office opens only after now (this evening, the coming weekend), so
        # that the history has `count` dossiers whatever the hour the demo is loaded at.
        t = now
        while t >= now:
            t = start + timedelta(seconds=rng.randint(0, int((now - start).total_seconds())))
            t = calendar.next_opening(t)
        procedure = rng.choices(procedures, weights)[0]
        try:
            _play(world, procedure, t, now)
        except DomainError:
            continue  # a path the rules refuse (e.g. a step in the past of a holiday): skip it
        created += 1
    return created


def _play(world: _World, procedure: Procedure, t: datetime, now: datetime) -> None:
    rng = world.rng
    # The version in force on the local day of arrival, the one reception will apply.
    version = procedure.current_version(on=local_date(t, centre_tz()))
    if version is None:  # the procedure did not exist yet
        raise ValidationError(
            mark("Thủ tục {code} chưa có phiên bản đang áp dụng."), code=procedure.code
        )
    commune = rng.choice(world.communes)
    place = commune if is_commune_level(procedure) else world.centre
    desk = world.desks[place.pk]
    docs = [d.pk for d in version.documents.all() if not d.optional or rng.random() < 0.5]
    channel = rng.choices([1, 2, 3], [35, 60, 5])[0]
    intake = Intake(
        procedure_code=procedure.code,
        applicant=_person(rng),
        channel=channel,
        request=procedure.name,
        documents=docs,
        delivery=rng.choice(["desk", "desk", "post", "electronic"]),
        competent_agency_code=commune.code,
    )
    calendar = calendar_for(place)
    roll = rng.random()
    if channel == Dossier.Channel.ONLINE:
        dossier = dossier_receive(intake=intake, actor=desk, now=t, outcome=Action.SUBMIT)
        t = calendar.add_working_seconds(t, rng.randint(600, 8 * 3600))
        if t >= now:
            return
        if roll < 0.05:
            dossier_act(
                dossier=dossier,
                action=Action.REFUSE,
                actor=desk,
                now=t,
                note="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
            )
            return
        if roll < 0.12:
            dossier = dossier_act(
                dossier=dossier,
                action=Action.REQUEST_SUPPLEMENT,
                actor=desk,
                now=t,
                missing=["Bản sao giấy tờ tùy thân còn hiệu lực"],
            )
            t = calendar.add_working_seconds(t, rng.randint(2, 24) * 3600)
            if t >= now:
                return
            dossier = dossier_act(
                dossier=dossier, action=Action.SUPPLEMENT, actor=Actor.citizen(), now=t
            )
        dossier = dossier_act(dossier=dossier, action=Action.RECEIVE, actor=desk, now=t)
    else:
        if roll < 0.03:
            dossier_receive(
                intake=intake,
                actor=desk,
                now=t,
                outcome=Action.REFUSE,
                reason="Thủ tục không thuộc phạm vi tiếp nhận của bộ phận một cửa.",
            )
            return
        # About a third of the counters scan what they receive: the others' papers stay
        # paper only, and the digitisation figure says so.
        scans = (
            {key: ScanUpload(name=f"giay-to-{key}.png", data=_demo_scan()) for key in docs}
            if world.details.random() < 0.35
            else None
        )
        dossier = dossier_receive(intake=intake, actor=desk, now=t, scans=scans)
    _process(world, dossier, t, now)


@functools.cache
def _demo_scan() -> bytes:
    """A small generated page standing for a scan (a grey sheet with lines of "text")."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (120, 170), 250)
    draw = ImageDraw.Draw(image)
    for y in range(20, 160, 12):
        draw.line((12, y, 108, y), fill=120, width=2)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _process(world: _World, dossier: Dossier, t: datetime, now: datetime) -> None:
    """Walk the dossier through its steps, each taken by the post its template names (the
    specialist proposes, the signing leader approves, the desk forwards and returns); stop
    where the simulated time reaches now."""
    rng = world.rng
    calendar = calendar_for(dossier.received_place)
    plan = dossier_plan(dossier)
    slow = rng.random() < 0.15  # this dossier's agencies are slow
    # Asked once already at the desk (online): never asked again (the rule allows one).
    paused = dossier.supplement_requests > 0
    while True:
        step = plan[dossier.step_index]
        allot = calendar.days_to_seconds(step.allotment)
        factor = rng.uniform(1.1, 2.6) if slow and rng.random() < 0.6 else rng.uniform(0.15, 0.95)
        holder = _holder(world, dossier, step.role)
        if slow and dossier.apology == "none" and dossier.due_at is not None and rng.random() < 0.7:
            t_apology = calendar.add_working_seconds(t, 600)
            if t_apology < now and _try(
                dossier,
                Action.DRAFT_APOLOGY,
                holder,
                t_apology,
                note="Hồ sơ cần xác minh thêm với cơ quan liên quan.",
            ):
                dossier.refresh_from_db()
                letter = ApologyLetter.objects.select_related("agency").get(dossier=dossier)
                t_signed = calendar.add_working_seconds(t_apology, 1800)
                if t_signed < now and _try(
                    dossier, Action.APPROVE_APOLOGY, _head(world, letter.agency), t_signed
                ):
                    t = t_signed  # what follows comes after the signature
                dossier.refresh_from_db()
        t_next = calendar.add_working_seconds(t, max(300, int(allot * factor)))
        if not paused and dossier.step_index > 0 and rng.random() < 0.08:
            paused = True
            t_p = calendar.add_working_seconds(t, 1800)
            if t_p >= now:
                return
            dossier = dossier_act(
                dossier=dossier,
                action=Action.REQUEST_SUPPLEMENT,
                actor=holder,
                now=t_p,
                missing=["Giấy tờ chứng minh nơi cư trú"],
            )
            t = calendar.add_working_seconds(t_p, rng.randint(1, 5) * calendar.working_day_seconds)
            if t >= now:
                return
            dossier = dossier_act(
                dossier=dossier,
                action=Action.SUPPLEMENT,
                actor=world.desks[dossier.received_place_id],
                now=t,
                papers=Papers(others=["Giấy tờ chứng minh nơi cư trú"]),
            )
            continue
        if t_next >= now:
            return
        t = t_next
        if step.role is Role.SPECIALIST:
            dossier = dossier_act(dossier=dossier, action=Action.PROPOSE, actor=holder, now=t)
        elif signs(plan, dossier.step_index) and dossier.proposed:
            dossier = dossier_act(dossier=dossier, action=Action.APPROVE, actor=holder, now=t)
        if dossier.step_index + 1 < len(plan):
            nxt = plan[dossier.step_index + 1]
            nxt_agency, nxt_unit = resolve_step(dossier, nxt)
            assignee = _staff_for(world, nxt_agency.pk, nxt_unit.pk, nxt.role)
            dossier = dossier_act(
                dossier=dossier,
                action=Action.FORWARD,
                actor=holder,
                now=t,
                to_user_id=assignee.user_id if assignee is not None else None,
            )
            continue
        # Last step: the result is ready, with its electronic copy (NĐ 118 Điều 22 k1), then
        # returned a little later.
        dossier = dossier_act(
            dossier=dossier,
            action=Action.MARK_READY,
            actor=holder,
            now=t,
            result=_result_copy(dossier),
        )
        t = calendar.add_working_seconds(t, rng.randint(1, 3 * calendar.working_day_seconds))
        if t < now:
            dossier_act(
                dossier=dossier,
                action=Action.RETURN_RESULT,
                actor=world.desks[dossier.received_place_id],
                now=t,
                handover=_handover(world, dossier),
            )
        return


def _result_copy(dossier: Dossier) -> ScanUpload:
    """A stand-in for the result's electronic copy: a one-line PDF naming the dossier."""
    body = f"%PDF-1.4\n% motcua demo: ket qua ho so {dossier.pk}\ntrailer <<>>\n%%EOF\n"
    return ScanUpload(name=f"ket-qua-{dossier.pk}.pdf", data=body.encode())


def _handover(world: _World, dossier: Dossier) -> Handover:
    """How the demo's result went: by the way the citizen chose, mostly to the applicant."""
    rng = world.details
    number = f"{rng.randint(1, 999)}/{rng.choice(['QĐ-UBND', 'GCN', 'GP', 'TB'])}"
    if dossier.delivery == "post":
        tracking = f"EB{rng.randint(10**8, 10**9 - 1)}VN"
        return Handover("post", number, tracking=tracking, confirmed=True)
    if dossier.delivery == "electronic":
        return Handover("electronic", number, confirmed=True)
    if rng.random() < 0.2:
        return Handover(
            "desk",
            number,
            "authorised",
            name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            id_number=f"001{rng.randint(0, 3)}{rng.randint(0, 99_999_999):08d}",
            authorisation=f"Giấy ủy quyền số {rng.randint(1, 300)}/UQ",
            confirmed=True,
        )
    return Handover(
        "desk", number, "applicant", id_number=dossier.applicant_id_number, confirmed=True
    )


def _try(dossier: Dossier, action: Action, actor: Actor, t: datetime, note: str = "") -> bool:
    try:
        dossier_act(dossier=dossier, action=action, actor=actor, now=t, note=note)
    except DomainError:
        return False
    return True


def _staff_for(world: _World, agency_id: int, unit_id: int, role: Role) -> Actor | None:
    actors = [a for a in world.staff.get((agency_id, role), []) if a.unit and a.unit.pk == unit_id]
    return world.rng.choice(actors) if actors else None


def _holder(world: _World, dossier: Dossier, role: Role) -> Actor:
    """Who takes the open step: the person it is assigned to, else someone of its unit in the
    role its template names, else a stand-in post without an account (demo units that have
    no staff)."""
    if dossier.current_holder_id is not None:
        for actor in world.staff.get((dossier.current_agency_id, role), []):
            if actor.user_id == dossier.current_holder_id:
                return actor
    if dossier.current_unit_id is not None:
        found = _staff_for(world, dossier.current_agency_id, dossier.current_unit_id, role)
        if found is not None:
            return found
    return Actor(role=role, agency=dossier.current_agency, unit=dossier.current_unit)


def _head(world: _World, agency: Agency) -> Actor:
    """The head of an agency, or a stand-in for one."""
    heads = world.staff.get((agency.pk, Role.AGENCY_LEADER))
    if heads:
        return heads[0]
    return Actor(role=Role.AGENCY_LEADER, agency=agency)
