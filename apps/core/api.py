"""API plumbing shared by every app: the one exception handler, and the helpers the apps' API
views share (If-Match / ETag, input validation, pagination, schema pieces)."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import ApplicationError, StaleVersionError


def exception_handler(exc, context):
    """Map ApplicationError to a stable body; leave everything else to DRF.

    Body: {"message": "...", "fields": {"name": ["..."]}}.
    """
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "fields": exc.fields},
            status=getattr(exc, "status_code", status.HTTP_400_BAD_REQUEST),
        )
    return drf_exception_handler(exc, context)


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
    403: "Your role may never do this.",
    404: "No such record, or you may not see or change it (the two look the same).",
    412: "Someone changed the record since you read it (If-Match is stale).",
    428: "If-Match is missing: read the record first and send its ETag.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can answer with."""
    return {
        code: OpenApiResponse(ErrorOutputSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in codes
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
        errors = serializer.errors
        if isinstance(errors, dict):
            fields = {
                ("__all__" if name == "non_field_errors" else name): _messages(value)
                for name, value in errors.items()
            }
        else:
            fields = {"__all__": _messages(errors)}
        name, messages = next(iter(fields.items()))
        message = messages[0] if name == "__all__" else f"{name}: {messages[0]}"
        raise ApplicationError(message, fields=fields)
    return serializer.validated_data


def paginated(request, queryset, serializer_class, *, view, context=None) -> Response:
    """One page (PAGE_SIZE rows, ?page=N) of `queryset` as {count, next, previous, results}.

    Costs one COUNT query plus the page's own queries.
    """
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)
