"""Fees: the amount due for one dossier, from its procedure version's fee rule.

A fee rule comes from the catalog file (`fee`, and an optional `[versions.fee_rule]` table,
checked by `check_rule` at import): a flat amount per dossier, per copy or per page, a lower
amount online, and for pages a rate that drops from a given page on and a cap per copy
(2.000815 chứng thực: 2,000 đ/page, from page 3 1,000 đ/page, at most 200,000 đ a copy). The
figures are what the catalog says; values DOMAIN §12 marks [check] stay flagged there
(`verified = false`), and an administrator corrects them in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from motcua.core.errors import InvalidInput, ValidationError, _

# A quantity a citizen can type that still fits the fee arithmetic (and any real dossier).
MAX_COPIES = 100
MAX_PAGES = 2000


class Per(StrEnum):
    """What the amount is counted by."""

    DOSSIER = "dossier"  # once per dossier
    COPY = "copy"  # per copy (e.g. 2.000635: 8,000 đ per extract)
    PAGE = "page"  # per page of each copy (2.000815)


class Channel(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


@dataclass(frozen=True)
class Tier:
    """From this page of a copy on, each page costs `amount`."""

    from_page: int
    amount: int


@dataclass(frozen=True)
class FeeRule:
    """How a procedure version's fee is counted (amounts in đồng)."""

    amount: int = 0  # per unit, in person
    per: Per = Per.DOSSIER
    online_amount: int | None = None  # per unit when lodged online, if it differs
    tiers: tuple[Tier, ...] = ()  # PAGE only: lower rates from a page on
    max_per_copy: int | None = None  # PAGE or COPY: the most one copy costs

    @property
    def free(self) -> bool:
        return self.amount == 0 and not self.online_amount and not self.tiers


@dataclass(frozen=True)
class Quantity:
    """What the amount depends on, as the citizen or the desk states it."""

    channel: Channel = Channel.IN_PERSON
    copies: int = 1
    pages: int = 1  # pages of each copy (PAGE rules only)


@dataclass(frozen=True)
class Line:
    """One line of the explanation: a label with `{name}` values, and its amount."""

    label: str
    values: Mapping[str, object] = field(default_factory=dict)
    amount: int = 0


@dataclass(frozen=True)
class Quote:
    """The amount due and how it was reached."""

    amount: int
    lines: tuple[Line, ...]


def rule_from_data(fee: int, data: Mapping[str, object] | None) -> FeeRule:
    """The rule stored with a version: its flat `fee`, or the structured table (`check_rule`
    has already accepted it at import)."""
    if not data:
        return FeeRule(amount=fee)
    tiers = data.get("tiers") or []
    assert isinstance(tiers, list)
    online = data.get("online_amount")
    cap = data.get("max_per_copy")
    return FeeRule(
        amount=fee,
        per=Per(str(data.get("per", Per.DOSSIER.value))),
        online_amount=int(str(online)) if online is not None else None,
        tiers=tuple(
            Tier(from_page=int(t["from_page"]), amount=int(t["amount"]))
            for t in tiers
            if isinstance(t, Mapping)
        ),
        max_per_copy=int(str(cap)) if cap is not None else None,
    )


def rule_to_data(rule: FeeRule) -> dict[str, object]:
    """The JSON kept with a version ({} for a flat fee per dossier)."""
    if rule == FeeRule(amount=rule.amount):
        return {}
    data: dict[str, object] = {"per": rule.per.value}
    if rule.online_amount is not None:
        data["online_amount"] = rule.online_amount
    if rule.tiers:
        data["tiers"] = [{"from_page": t.from_page, "amount": t.amount} for t in rule.tiers]
    if rule.max_per_copy is not None:
        data["max_per_copy"] = rule.max_per_copy
    return data


def check_rule(rule: FeeRule) -> list[str]:
    """What is wrong with a rule, in Vietnamese (nothing: an empty list)."""
    problems: list[str] = []
    if rule.amount < 0 or (rule.online_amount is not None and rule.online_amount < 0):
        problems.append(_("mức phí không được âm"))
    if rule.tiers and rule.per is not Per.PAGE:
        problems.append(_("bậc theo trang (tiers) chỉ dùng khi per = «page»"))
    previous = 1
    for tier in rule.tiers:
        if tier.from_page <= previous:
            problems.append(_("các bậc phải bắt đầu từ trang thứ 2 trở đi, tăng dần"))
            break
        if tier.amount < 0:
            problems.append(_("mức phí của một bậc không được âm"))
            break
        previous = tier.from_page
    if rule.max_per_copy is not None:
        if rule.per is Per.DOSSIER:
            problems.append(_("mức tối đa mỗi bản (max_per_copy) không dùng với per = «dossier»"))
        elif rule.max_per_copy <= 0:
            problems.append(_("mức tối đa mỗi bản phải lớn hơn 0"))
    return problems


@dataclass(frozen=True)
class Asks:
    """What the citizen must state for the amount to be counted: the number of copies (a
    rule per copy or per page), the pages of each copy (per page)."""

    copies: bool
    pages: bool


def asks(rule: FeeRule) -> Asks:
    """The quantities a rule's amount depends on (nothing for a free or per-dossier rule)."""
    if rule.free:
        return Asks(copies=False, pages=False)
    return Asks(copies=rule.per is not Per.DOSSIER, pages=rule.per is Per.PAGE)


def _unit(rule: FeeRule, channel: Channel) -> int:
    if channel is Channel.ONLINE and rule.online_amount is not None:
        return rule.online_amount
    return rule.amount


def _check_quantity(rule: FeeRule, quantity: Quantity) -> None:
    problems: list[ValidationError] = []
    if not 1 <= quantity.copies <= MAX_COPIES:
        problems.append(
            ValidationError(_("Số bản phải từ 1 đến {most}."), field="copies", most=MAX_COPIES)
        )
    if rule.per is Per.PAGE and not 1 <= quantity.pages <= MAX_PAGES:
        problems.append(
            ValidationError(_("Số trang phải từ 1 đến {most}."), field="pages", most=MAX_PAGES)
        )
    if problems:
        raise InvalidInput(problems)


def _copy_of_pages(rule: FeeRule, unit: int, pages: int) -> int:
    """One copy of `pages` pages under a PAGE rule, before the cap."""
    total, rate, page = 0, unit, 1
    for tier in rule.tiers:
        if tier.from_page > pages:
            break
        total += (tier.from_page - page) * rate
        page, rate = tier.from_page, tier.amount
    return total + (pages - page + 1) * rate


def fee_due(rule: FeeRule, quantity: Quantity) -> Quote:
    """The amount due for one dossier and its explanation; bad quantities are refused, all
    problems at once."""
    _check_quantity(rule, quantity)
    unit = _unit(rule, quantity.channel)
    if rule.free or (unit == 0 and not rule.tiers):
        return Quote(0, (Line(_("Không mất phí")),))
    lines: list[Line] = []
    if rule.per is Per.DOSSIER:
        label = (
            _("Nộp trực tuyến: {unit} đồng một hồ sơ")
            if quantity.channel is Channel.ONLINE and rule.online_amount is not None
            else _("{unit} đồng một hồ sơ")
        )
        lines.append(Line(label, {"unit": money(unit)}, unit))
        return Quote(unit, tuple(lines))
    if rule.per is Per.COPY:
        one = unit if rule.max_per_copy is None else min(unit, rule.max_per_copy)
        total = one * quantity.copies
        lines.append(
            Line(
                _("{copies} bản × {unit} đồng"),
                {"copies": quantity.copies, "unit": money(one)},
                total,
            )
        )
        return Quote(total, tuple(lines))
    one = _copy_of_pages(rule, unit, quantity.pages)
    lines.append(
        Line(
            _("Mỗi bản {pages} trang: {amount} đồng"),
            {"pages": quantity.pages, "amount": money(one)},
            one,
        )
    )
    if rule.max_per_copy is not None and one > rule.max_per_copy:
        one = rule.max_per_copy
        lines.append(Line(_("Tối đa {amount} đồng một bản"), {"amount": money(one)}, one))
    total = one * quantity.copies
    lines.append(
        Line(
            _("{copies} bản × {unit} đồng"), {"copies": quantity.copies, "unit": money(one)}, total
        )
    )
    return Quote(total, tuple(lines))


def money(amount: int) -> str:
    """An amount the way Vietnamese writes it: 200.000 (the word "đồng" is the caller's)."""
    return f"{amount:,}".replace(",", ".")


def rule_words(rule: FeeRule) -> list[Line]:
    """The rule in plain words, for the procedure page (before anything is counted)."""
    if rule.free:
        return [Line(_("Không mất phí"))]
    per = {
        Per.DOSSIER: _("{amount} đồng một hồ sơ"),
        Per.COPY: _("{amount} đồng một bản"),
        Per.PAGE: _("{amount} đồng một trang"),
    }[rule.per]
    lines = [Line(per, {"amount": money(rule.amount)}, rule.amount)]
    for tier in rule.tiers:
        lines.append(
            Line(
                _("Từ trang thứ {page}: {amount} đồng một trang"),
                {"page": tier.from_page, "amount": money(tier.amount)},
                tier.amount,
            )
        )
    if rule.max_per_copy is not None:
        lines.append(
            Line(_("Tối đa {amount} đồng một bản"), {"amount": money(rule.max_per_copy)}, 0)
        )
    if rule.online_amount is not None:
        lines.append(
            Line(
                _("Nộp trực tuyến: {amount} đồng"),
                {"amount": money(rule.online_amount)},
                rule.online_amount,
            )
        )
    return lines
