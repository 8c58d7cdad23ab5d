"""ApplicationError: the one exception a service raises for a rule the user broke.

Web views turn it into form errors; the API's exception handler turns it into a 400 (or the
status it carries) with a stable body: {"message": ..., "fields": {name: [messages]}}.
"""

from django.core.exceptions import BadRequest


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class StaleVersionError(ApplicationError):
    """The record changed since the user loaded it; refusing to overwrite it silently."""

    status_code = 412


class MalformedTextError(BadRequest):
    """A request carried text that is not valid UTF-8 (apps.core.middleware): refused whole, a
    400 naming each field (handler400), before any view could save it."""

    def __init__(self, fields: dict[str, list[str]]):
        name, messages = next(iter(fields.items()))
        super().__init__(f"{name}: {messages[0]}")
        self.fields = fields
