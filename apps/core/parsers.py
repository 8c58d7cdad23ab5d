"""DRF's parsers, refusing text that is not valid UTF-8 (400 naming each field).

A module of its own: REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] is read while
rest_framework.views is imported, so these must not import it (apps/core/api.py does).
"""

from rest_framework import parsers

from apps.core.errors import ApplicationError
from apps.core.validators import malformed_text_fields


def _refuse_malformed_text(data):
    fields = malformed_text_fields(data)
    if fields:
        name, messages = next(iter(fields.items()))
        raise ApplicationError(f"{name}: {messages[0]}", fields=fields)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400, naming each field) a string with a lone surrogate
    ("\\ud800"): no database can store one. Invalid UTF-8 bytes are already a parse error."""

    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_malformed_text(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing text that is not valid UTF-8 (Django decodes it to U+FFFD)."""

    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_malformed_text(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing fields and file names that are not valid UTF-8."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_malformed_text(parsed.data)
        _refuse_malformed_text(
            {name: [f.name for f in files] for name, files in parsed.files.lists()}
        )
        return parsed
