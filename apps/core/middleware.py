"""Refuse text that is not valid UTF-8 before any view reads it."""

from apps.core.errors import MalformedTextError
from apps.core.validators import malformed_text_fields


class MalformedTextMiddleware:
    """A request whose query string, form fields or uploaded file names are not valid UTF-8 is
    refused whole: 400, naming each field (handler400: a GOV.UK page on the web, the API's
    error body under /api/).

    Django decodes these with errors="replace", so without this the bad bytes would reach
    forms as U+FFFD and be saved. Request bodies the API parses itself (JSON, and the form
    bodies of PATCH and PUT, which Django leaves to DRF) are checked by the API's parsers
    (apps.core.api). Reading request.POST here is what CSRF checking does for every POST anyway;
    a body too large or malformed raises here and gets the 413 or 400 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = malformed_text_fields(request.GET)
        if request.method == "POST":
            fields |= malformed_text_fields(request.POST)
            fields |= malformed_text_fields(
                {
                    name: [upload.name for upload in uploads]
                    for name, uploads in request.FILES.lists()
                }
            )
        if fields:
            raise MalformedTextError(fields)
        return self.get_response(request)
