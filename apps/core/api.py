"""API plumbing shared by every app: the one exception handler and error body, and the helpers
the apps' API views share (If-Match / ETag, input validation, pagination, schema pieces)."""

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import ApplicationError, StaleVersionError


def error_body(message: str, fields: dict[str, list[str]] | None = None) -> dict:
    """The one body of every refusal under /api/: {"message": "...", "fields": {name: [...]}}."""
    return {"message": message, "fields": fields or {}}


def is_api_request(request) -> bool:
    """Under /api/: refusals answer with error_body as JSON, never an HTML page."""
    return request.path_info.startswith("/api/")


class RequestTooLargeError(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large. Send less at a time."


def exception_handler(exc, context):
    """Every refusal as error_body, with the status it carries.

    ApplicationError carries its message, fields and status. DRF's own refusals (a body it
    cannot parse, not signed in, forbidden, not found, method not allowed, not acceptable,
    throttled) keep DRF's status and headers (WWW-Authenticate, Allow, Retry-After) and get the
    same body; so do Http404 and PermissionDenied raised by access code. A request too large
    to read is a 413, one Django finds malformed a 400. Anything else is left to Django (500).
    """
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(exc.message, exc.fields),
            status=getattr(exc, "status_code", status.HTTP_400_BAD_REQUEST),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLargeError()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request could not be read.")
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(*_message_and_fields(exc.detail))
    return response


def _message_and_fields(detail) -> tuple[str, dict[str, list[str]]]:
    """DRF's error detail (a string, a list, or {field: [...]}) as (message, fields)."""
    if isinstance(detail, dict):
        fields = {
            ("__all__" if name == "non_field_errors" else name): _messages(value)
            for name, value in detail.items()
        }
    elif isinstance(detail, list):
        fields = {"__all__": _messages(detail)}
    else:
        return str(detail), {}
    name, messages = next(iter(fields.items()), ("__all__", ["The input was refused."]))
    return (messages[0] if name == "__all__" else f"{name}: {messages[0]}"), fields


# Shared by the apps' API views ---------------------------------------------------------------


class PreconditionRequiredError(ApplicationError):
    """An edit sent without If-Match: we cannot tell which version the caller read (RFC 6585)."""

    status_code = 428


class ErrorOutputSerializer(serializers.Serializer):
    """The stable error body of every refused request (exception_handler above)."""

    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# "3", W/"3" or a bare 3: the versions we issue as ETags.
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the version you read, e.g. "3". A stale one is refused with 412.',
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The record\'s version, e.g. "3": send it back as If-Match to change it.',
)
SEARCH_PARAMETER = OpenApiParameter(
    "q", OpenApiTypes.STR, OpenApiParameter.QUERY, description="Search text."
)

_ERROR_DESCRIPTIONS = {
    400: "The input broke a rule: `message` says what, `fields` names each field.",
    401: "Not signed in: send `Authorization: Token <your token>`.",
    403: "Your role may never do this.",
    404: "No such record, or you may not see or change it (the two look the same).",
    406: "The Accept header asks for a format other than JSON.",
    409: "Not ready: the record's state does not allow it yet (`message` says what to do).",
    412: "Someone changed the record since you read it (If-Match is stale).",
    413: "The request is too large.",
    415: "The body is in a format this operation does not read (send JSON).",
    428: "If-Match is missing: read the record first and send its ETag.",
}

# Said of every operation by error_responses_hook, unless the operation says more itself.
_EVERY_OPERATION = {
    400: "The request could not be read: a query string or body that is not valid UTF-8 "
    "text, or a malformed body. `message` says what, `fields` names each field.",
    403: "Refused: your role may never do this, or a browser session has not finished "
    "two-factor sign-in or sent no CSRF token.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can answer with."""
    return {
        code: OpenApiResponse(ErrorOutputSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in codes
    }


def error_responses_hook(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation lists each refusal it can answer
    with, all in the error body. Any operation: 400, 401, 403, 406; one with a path parameter:
    404; one with a body: 413 and 415. The statuses an operation names itself (error_responses)
    keep their own descriptions.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorOutput", _ERROR_OUTPUT_SCHEMA)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOutput"}}}
    for path, operations in result["paths"].items():
        for operation in operations.values():
            codes = [400, 401, 403, 406]
            if "{" in path:
                codes.append(404)
            if "requestBody" in operation:
                codes += [413, 415]
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] == "page":
                    parameter["description"] = (
                        "A page number from 1 to the last; any other is refused (400)."
                    )
            for code in codes:
                description = _EVERY_OPERATION.get(code) or _ERROR_DESCRIPTIONS[code]
                operation["responses"].setdefault(
                    str(code), {"content": content, "description": description}
                )
    return result


_ERROR_OUTPUT_SCHEMA = {
    "type": "object",
    "description": ErrorOutputSerializer.__doc__,
    "properties": {
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["fields", "message"],
}


def etag(version: int) -> str:
    return f'"{version}"'


def with_etag(data, version: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    """`data` as a response carrying the record's `version` as its ETag, for the caller to send
    back as If-Match (read by `expected_version`)."""
    response = Response(data, status=status_code)
    response["ETag"] = etag(version)
    return response


def expected_version(request) -> int:
    """The version the caller read, from `If-Match: "<version>"`.

    Missing: 428, so nothing is overwritten blindly. A value that is not a version we could
    have issued matches no current ETag, so 412 (RFC 9110).
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequiredError(
            'Send the If-Match header with the ETag of the version you read, like If-Match: "3".',
            fields={"If-Match": ["Required to change a record."]},
        )
    match = _ETAG.match(header)
    if match is None:
        raise StaleVersionError(
            "If-Match does not name a version of this record. Read the record again and send "
            "its ETag.",
            fields={"If-Match": ["Not a version of this record."]},
        )
    return int(match.group(1))


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _messages(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value)]
    return [str(errors)]


def validated(serializer_class, data, *, partial: bool = False, context=None) -> dict:
    """Validate input with `serializer_class`; refuse it with the stable error body (400)."""
    serializer = serializer_class(data=data, partial=partial, context=context or {})
    if not serializer.is_valid():
        message, fields = _message_and_fields(serializer.errors)
        raise ApplicationError(message, fields=fields)
    return serializer.validated_data


class Pagination(PageNumberPagination):
    """DRF's page-number pagination, except that a page that is not 1 to the last (?page=0,
    ?page=abc, past the end) is refused with a 400 naming `page`, not DRF's 404."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise ApplicationError(
                f"page: {PAGE_MESSAGE}", fields={"page": [PAGE_MESSAGE]}
            ) from None


PAGE_MESSAGE = "Enter a page number from 1 to the last page"


def paginated(request, queryset, serializer_class, *, view, context=None) -> Response:
    """One page (PAGE_SIZE rows, ?page=N) of `queryset` as {count, next, previous, results}.

    Costs one COUNT query plus the page's own queries.
    """
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)
