"""Validators shared by apps: UK postcodes and Ofsted URNs."""

import re

from django.core.exceptions import ValidationError

# The UK postcode pattern (outward code, space optional, inward code), plus GIR 0AA.
_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")
_URN = re.compile(r"^SC[0-9]{6}$")


def normalise_postcode(value: str) -> str:
    """Upper-case with one space before the inward code: 'ne18aa' -> 'NE1 8AA'."""
    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_postcode(value: str) -> None:
    if not _POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real UK postcode, like NE1 8AA", code="invalid_postcode")


def validate_ofsted_urn(value: str) -> None:
    if not _URN.match(value or ""):
        raise ValidationError(
            "Enter the Ofsted URN as SC followed by 6 digits, like SC123456", code="invalid_urn"
        )
