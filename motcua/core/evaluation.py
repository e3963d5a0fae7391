"""Evidence for the annual evaluation of officials (DOMAIN §10; NĐ 90/2020 as amended by NĐ
48/2023, Quy định 366-QĐ/TW): points from the steps each person actually held, a suggested
level among the four, and the ≤ 20% quota for the top level within a unit.

The result is a suggestion with its reasons; the decision stays with the people who evaluate,
and is recorded by them. The four levels, their point bands, "all tasks on time" and the 20%
quota are the law's [law]; how points are made from the dossier record (weights, penalties,
the satisfaction scale, the quota's rounding) is not in the texts read, so each is a
configurable default chosen here [check].

Pure: figures come in counted (a selector fills them from the hand-overs, the blame and the
ratings, counting only the time each person held each dossier).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from motcua.core.catalog import Words
from motcua.core.errors import ValidationError, _
from motcua.core.warnings import Number, exact, number, percent

QUOTA_ROUNDINGS = ("floor", "half_up", "ceil")


class Level(StrEnum):
    """The four levels, best first (NĐ 90/2020 Điều 2) [law]."""

    EXCELLENT = "excellent"
    GOOD = "good"
    DONE = "done"
    NOT_DONE = "not_done"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS: dict[Level, str] = {
    Level.EXCELLENT: _("Hoàn thành xuất sắc nhiệm vụ"),
    Level.GOOD: _("Hoàn thành tốt nhiệm vụ"),
    Level.DONE: _("Hoàn thành nhiệm vụ"),
    Level.NOT_DONE: _("Không hoàn thành nhiệm vụ"),
}


@dataclass(frozen=True)
class PersonFigures:
    """One official's figures for the evaluation year."""

    person: int
    unit: int  # the quota is counted within it
    steps_handled: int  # steps they held and ended (form 06 rows)
    steps_on_time: int  # of those, ended early or on time
    late_steps_caused: int = 0  # steps they held that ended past the step's due time
    apologies_caused: int = 0  # apology letters their step made necessary
    conduct_upheld: int = 0  # complaints about their conduct found justified
    satisfaction: Number | None = None  # average rating on the 1-5 scale
    ratings: int = 0


@dataclass(frozen=True)
class EvaluationPolicy:
    """Weights and thresholds; the bands and the quota are the law's, the rest [check]."""

    # Base points out of 100: on-time share and satisfaction, weights summing to 100 [check].
    on_time_weight: int = 70
    satisfaction_weight: int = 30
    # Fewer ratings than this: satisfaction is not scored and the on-time share carries the
    # 100 points, so a person nobody rated is neither helped nor hurt by it [check].
    min_ratings: int = 5
    # Points taken off per case [check].
    late_step_penalty: Fraction = Fraction(2)
    apology_penalty: Fraction = Fraction(5)
    conduct_penalty: Fraction = Fraction(10)
    # The bands [law].
    excellent_from: Fraction = Fraction(90)
    good_from: Fraction = Fraction(70)
    done_from: Fraction = Fraction(50)
    # At most this share of those rated good or above may be excellent [law]; how a fraction
    # of a person rounds is not settled in the texts read: "floor" keeps the law's "không quá"
    # literally (nobody in a unit of fewer than 5) [check].
    top_quota: Fraction = Fraction(1, 5)
    quota_rounding: str = "floor"

    def __post_init__(self) -> None:
        """Refuse weights or bands that make no sense."""
        if self.on_time_weight < 0 or self.satisfaction_weight < 0:
            raise ValidationError(_("Trọng số không được âm."))
        if self.on_time_weight + self.satisfaction_weight != 100:
            raise ValidationError(
                _("Tổng trọng số phải là 100 (đang là {total})."),
                total=self.on_time_weight + self.satisfaction_weight,
            )
        if not self.excellent_from > self.good_from > self.done_from:
            raise ValidationError(
                _("Các ngưỡng xếp loại phải giảm dần từ mức xuất sắc đến mức hoàn thành nhiệm vụ.")
            )
        if self.quota_rounding not in QUOTA_ROUNDINGS:
            raise ValidationError(
                _("Cách làm tròn chỉ tiêu không hợp lệ: {value} (chỉ nhận {choices})."),
                value=repr(self.quota_rounding),
                choices=", ".join(QUOTA_ROUNDINGS),
            )
        if not 0 <= self.top_quota <= 1:
            raise ValidationError(_("Tỷ lệ tối đa mức xuất sắc phải từ 0 đến 1."))


DEFAULT_EVALUATION_POLICY = EvaluationPolicy()


@dataclass(frozen=True)
class Evaluation:
    """One official's suggested level, with every reason in order."""

    person: int
    unit: int
    points: Fraction | None  # None: no step handled, nothing to rate on
    level: Level | None  # the suggestion after the quota; None without evidence
    lines: tuple[Words, ...]  # the formula, the counts, the level and any quota decision
    quota_limited: bool = False  # would have been excellent but for the unit's quota


def quota(pool: int, policy: EvaluationPolicy = DEFAULT_EVALUATION_POLICY) -> int:
    """How many of `pool` people rated good or above may be excellent."""
    share = policy.top_quota * pool
    if policy.quota_rounding == "ceil":
        return math.ceil(share)
    if policy.quota_rounding == "half_up":
        return math.floor(share + Fraction(1, 2))
    return math.floor(share)


def evaluate(
    people: Sequence[PersonFigures], policy: EvaluationPolicy = DEFAULT_EVALUATION_POLICY
) -> tuple[Evaluation, ...]:
    """Each person's points and suggested level, the quota applied within each unit; in the
    order given."""
    provisional = [_score(person, policy) for person in people]
    by_unit: dict[int, list[int]] = {}
    for i, person in enumerate(people):
        by_unit.setdefault(person.unit, []).append(i)
    results = list(provisional)
    for members in by_unit.values():
        for i, result in _apply_quota([(i, people[i], provisional[i]) for i in members], policy):
            results[i] = result
    return tuple(results)


def _score(person: PersonFigures, policy: EvaluationPolicy) -> Evaluation:
    """Points and the level they give, before the quota."""
    if person.steps_handled <= 0:
        return Evaluation(
            person.person,
            person.unit,
            None,
            None,
            (
                Words(
                    _(
                        "Không xử lý bước nào trong kỳ: chưa đủ căn cứ để gợi ý mức xếp loại "
                        "từ dữ liệu hồ sơ."
                    )
                ),
            ),
        )
    on_time = Fraction(person.steps_on_time, person.steps_handled)
    lines = [
        Words(
            _("Đúng hạn: {on_time}/{handled} bước đã xử lý ({share})."),
            (
                ("on_time", person.steps_on_time),
                ("handled", person.steps_handled),
                ("share", percent(on_time)),
            ),
        )
    ]
    if person.satisfaction is not None and person.ratings >= policy.min_ratings:
        satisfied = (exact(person.satisfaction) - 1) / 4
        base = policy.on_time_weight * on_time + policy.satisfaction_weight * satisfied
        lines += [
            Words(
                _(
                    "Hài lòng: trung bình {average}/5 trên {ratings} lượt đánh giá, "
                    "quy đổi ({average} − 1) ÷ 4 = {share}."
                ),
                (
                    ("average", number(exact(person.satisfaction))),
                    ("ratings", person.ratings),
                    ("share", percent(satisfied)),
                ),
            ),
            Words(
                _(
                    "Điểm cơ bản = {w_on_time} × {on_time} + {w_satisfied} × {satisfied} "
                    "= {base} điểm."
                ),
                (
                    ("w_on_time", policy.on_time_weight),
                    ("on_time", percent(on_time)),
                    ("w_satisfied", policy.satisfaction_weight),
                    ("satisfied", percent(satisfied)),
                    ("base", number(base)),
                ),
            ),
        ]
    else:
        base = 100 * on_time
        lines += [
            Words(
                _(
                    "Hài lòng: {ratings} lượt đánh giá, chưa đủ {minimum} lượt nên không tính; "
                    "điểm cơ bản = 100 × {on_time} = {base} điểm."
                ),
                (
                    ("ratings", person.ratings),
                    ("minimum", policy.min_ratings),
                    ("on_time", percent(on_time)),
                    ("base", number(base)),
                ),
            )
        ]
    penalty = (
        person.late_steps_caused * policy.late_step_penalty
        + person.apologies_caused * policy.apology_penalty
        + person.conduct_upheld * policy.conduct_penalty
    )
    if penalty:
        lines.append(
            Words(
                _(
                    "Trừ: {late} bước trễ hạn do mình giữ × {p_late} + {apologies} thư xin lỗi "
                    "× {p_apology} + {conduct} phản ánh về thái độ được xác nhận × {p_conduct} "
                    "= {penalty} điểm."
                ),
                (
                    ("late", person.late_steps_caused),
                    ("p_late", number(policy.late_step_penalty)),
                    ("apologies", person.apologies_caused),
                    ("p_apology", number(policy.apology_penalty)),
                    ("conduct", person.conduct_upheld),
                    ("p_conduct", number(policy.conduct_penalty)),
                    ("penalty", number(penalty)),
                ),
            )
        )
    points = max(Fraction(0), base - penalty)
    lines.append(Words(_("Tổng: {points} điểm."), (("points", number(points)),)))
    level, reason = _level(points, person, policy)
    lines.append(reason)
    return Evaluation(person.person, person.unit, points, level, tuple(lines))


# The suggestion for each band, the level written in the sentence so that it translates whole.
_SUGGESTED = {
    Level.EXCELLENT: _(
        "Gợi ý: Hoàn thành xuất sắc nhiệm vụ (từ {threshold} điểm, mọi bước đúng hạn)."
    ),
    Level.GOOD: _("Gợi ý: Hoàn thành tốt nhiệm vụ (từ {threshold} điểm)."),
    Level.DONE: _("Gợi ý: Hoàn thành nhiệm vụ (từ {threshold} điểm)."),
    Level.NOT_DONE: _("Gợi ý: Không hoàn thành nhiệm vụ (dưới {threshold} điểm)."),
}


def _level(
    points: Fraction, person: PersonFigures, policy: EvaluationPolicy
) -> tuple[Level, Words]:
    """The band the points fall in; the top one only with every step on time [law]."""
    late = person.steps_handled - person.steps_on_time
    if points >= policy.excellent_from and late == 0:
        return Level.EXCELLENT, _suggested(Level.EXCELLENT, policy.excellent_from)
    if points >= policy.excellent_from:
        return Level.GOOD, Words(
            _(
                "Gợi ý: Hoàn thành tốt nhiệm vụ: đạt từ {threshold} điểm nhưng còn {late} bước "
                "không đúng hạn, nên chưa đủ điều kiện mức xuất sắc (mọi nhiệm vụ phải đúng hạn)."
            ),
            (("threshold", number(policy.excellent_from)), ("late", late)),
        )
    if points >= policy.good_from:
        return Level.GOOD, _suggested(Level.GOOD, policy.good_from)
    if points >= policy.done_from:
        return Level.DONE, _suggested(Level.DONE, policy.done_from)
    return Level.NOT_DONE, _suggested(Level.NOT_DONE, policy.done_from)


def _suggested(level: Level, threshold: Fraction) -> Words:
    return Words(_SUGGESTED[level], (("threshold", number(threshold)),))


def _apply_quota(
    members: Sequence[tuple[int, PersonFigures, Evaluation]], policy: EvaluationPolicy
) -> list[tuple[int, Evaluation]]:
    """Within one unit, keep at most the quota at the top level: the best by points, then
    by steps handled (every candidate has all on time), then the lower person id, so that the
    same figures always give the same answer; the others get the next level with the
    reason."""
    pool = [m for m in members if m[2].level in (Level.EXCELLENT, Level.GOOD)]
    candidates = [m for m in pool if m[2].level == Level.EXCELLENT]
    allowed = quota(len(pool), policy)
    if not candidates:
        return []
    candidates.sort(
        key=lambda m: (
            -(m[2].points or 0),
            -m[1].steps_handled,
            m[1].person,
        )
    )
    rule = Words(
        _(
            "Chỉ tiêu mức xuất sắc của đơn vị: {share} × {pool} người đạt mức tốt trở lên "
            "= {exact}, lấy {allowed} người. Xếp theo điểm, rồi số bước đã xử lý, rồi mã cán "
            "bộ nhỏ hơn: đứng thứ {rank}/{candidates}."
        ),
        (
            ("share", percent(policy.top_quota)),
            ("pool", len(pool)),
            ("exact", number(policy.top_quota * len(pool))),
            ("allowed", allowed),
            ("candidates", len(candidates)),
        ),
    )
    changed = []
    for rank, (i, _person, result) in enumerate(candidates, start=1):
        line = Words(rule.template, (*rule.values, ("rank", rank)))
        if rank <= allowed:
            changed.append((i, replace(result, lines=(*result.lines, line))))
            continue
        demoted = Words(_("Do vượt chỉ tiêu, gợi ý: Hoàn thành tốt nhiệm vụ."))
        changed.append(
            (
                i,
                replace(
                    result,
                    level=Level.GOOD,
                    lines=(*result.lines, line, demoted),
                    quota_limited=True,
                ),
            )
        )
    return changed
