"""Validators shared by apps: UK postcodes, Ofsted URNs, and text that is not valid UTF-8."""

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


# What text that is not valid UTF-8 turns into once decoded: U+FFFD, which Django's decoders
# (query strings, form bodies, multipart fields: errors="replace") put in place of each bad
# byte, and lone surrogates, which a JSON "\ud800" escape can carry and no database stores.
# A real U+FFFD is refused too: it is never text a person meant to write.
_MALFORMED = re.compile("[\ufffd\ud800-\udfff]")
MALFORMED_TEXT_MESSAGE = "Enter text without invalid characters: this was not valid UTF-8 text"


def malformed_text_fields(data, name: str = "") -> dict[str, list[str]]:
    """{field name: [message]} for each value (or name) in `data` that is not valid UTF-8 text.

    `data` is a QueryDict, or parsed JSON (dicts, lists, strings, numbers); a nested field is
    named by its path ("associates.0.name"). Names are returned with the bad characters as "?",
    so the error body can itself be written as UTF-8.
    """
    found: dict[str, list[str]] = {}
    items = data.lists() if hasattr(data, "lists") else None
    if items is None and isinstance(data, dict):
        items = data.items()
    if items is not None:
        for key, value in items:
            path = f"{name}.{key}" if name else str(key)
            if _MALFORMED.search(path):
                found[_MALFORMED.sub("?", path)] = [MALFORMED_TEXT_MESSAGE]
            else:
                found |= malformed_text_fields(value, path)
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            # QueryDict.lists() gives each field its list of values: name them by the field.
            path = name if isinstance(value, str) else f"{name}.{index}"
            found |= malformed_text_fields(value, path)
    elif isinstance(data, str) and _MALFORMED.search(data):
        found[name or "__all__"] = [MALFORMED_TEXT_MESSAGE]
    return found
