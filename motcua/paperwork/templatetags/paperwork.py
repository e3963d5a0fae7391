"""Filters for the official forms: dates and numbers written the administrative way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template

from motcua.paperwork import rendering

register = template.Library()


@register.filter
def ngay(value: datetime | date | None) -> str:
    """25/11/2026"""
    return rendering.vn_short(value)


@register.filter
def ngay_thang_nam(value: datetime | date | None) -> str:
    """ngày 25 tháng 11 năm 2026"""
    return rendering.vn_date(value) if value else rendering.BLANK


@register.filter
def gio_ngay(value: datetime | None) -> str:
    """09 giờ 30 phút, ngày 25 tháng 11 năm 2026"""
    return rendering.vn_time(value) if value else rendering.BLANK


@register.filter
def gio_ngay_ngan(value: datetime | None) -> str:
    """09 giờ 30 phút, ngày 25/11/2026"""
    return rendering.vn_time(value, short=True) if value else rendering.BLANK


@register.filter
def so(value: Decimal | int | None) -> str:
    """01, 10, 0,5"""
    return rendering.vn_number(value) if value is not None else rendering.BLANK
