"""What other apps read of a citizen: the profile an online form is pre-filled from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

from motcua.citizens.session import current_citizen

if TYPE_CHECKING:
    from motcua.citizens.models import Citizen


@dataclass(frozen=True)
class Profile:
    citizen_id: int
    full_name: str
    id_number: str
    address: str
    phone: str
    email: str

    def initial(self) -> dict[str, str]:
        """Initial values for a form with the usual applicant fields."""
        return {
            "applicant_name": self.full_name,
            "applicant_id_number": self.id_number,
            "applicant_address": self.address,
            "applicant_phone": self.phone,
            "applicant_email": self.email,
        }


def verified_id_number(citizen: Citizen) -> str:
    """The account's ID number when an identity provider vouched for it, else ""."""
    return citizen.id_number if citizen.id_verified and citizen.id_number else ""


def signed_in_profile(request: HttpRequest) -> Profile | None:
    """The profile of the citizen signed in on this request, or None."""
    citizen = current_citizen(request)
    if citizen is None:
        return None
    return Profile(
        citizen_id=citizen.pk,
        full_name=citizen.full_name,
        id_number=citizen.id_number,
        address=citizen.address,
        phone=citizen.phone or "",
        email=citizen.email or "",
    )
