"""ApplicationError: the one exception a service raises for a rule the user broke.

Web views turn it into form errors; the API's exception handler turns it into a 400 (or the
status it carries) with a stable body: {"message": ..., "fields": {name: [messages]}}.
"""


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class StaleVersionError(ApplicationError):
    """The record changed since the user loaded it; refusing to overwrite it silently."""

    status_code = 412
