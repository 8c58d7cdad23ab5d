"""Homes in the REST API: the same access rules (apps.homes.access) and the same services as
the web. Forbidden homes answer 404, like missing ones."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    SEARCH_PARAMETER,
    error_responses,
    expected_version,
    paginated,
    validated,
    with_etag,
)
from apps.homes import access, selectors, services
from apps.homes.serializers import (
    HomeInputSerializer,
    HomeListOutputSerializer,
    HomeOutputSerializer,
)


def _home_response(home, *, status_code=status.HTTP_200_OK) -> Response:
    return with_etag(HomeOutputSerializer(home).data, home.version, status_code=status_code)


class HomeListApi(APIView):
    """Homes the caller may see; administrators and service managers add homes."""

    pagination_class = PageNumberPagination  # read by the schema generator
    InputSerializer = HomeInputSerializer
    OutputSerializer = HomeListOutputSerializer

    @extend_schema(
        tags=["homes"],
        operation_id="homes_list",
        summary="Homes you may see",
        description="Search matches part of the name, or the URN or postcode exactly.",
        parameters=[SEARCH_PARAMETER],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        homes = selectors.home_list(user=request.user, search=request.query_params.get("q", ""))
        # Whether the role sees placements at all (it does not depend on the home).
        context = {"can_see_children": access.can_see_children_of(request.user, None)}
        return paginated(request, homes, self.OutputSerializer, view=self, context=context)

    @extend_schema(
        tags=["homes"],
        operation_id="homes_create",
        summary="Add a home (administrators and service managers)",
        request=InputSerializer,
        responses={201: HomeOutputSerializer, **error_responses(400, 403)},
        parameters=[ETAG_HEADER],
    )
    def post(self, request):
        if not access.can_create_homes(request.user):
            # A collection, not an object: nothing to hide, so say plainly it is not allowed.
            return Response(
                {"message": "Your role cannot add homes.", "fields": {}},
                status=status.HTTP_403_FORBIDDEN,
            )
        data = validated(self.InputSerializer, request.data)
        home = services.home_create(actor=request.user, **data)
        return _home_response(home, status_code=status.HTTP_201_CREATED)


class HomeDetailApi(APIView):
    """One home; PATCH changes it, with If-Match."""

    InputSerializer = HomeInputSerializer
    OutputSerializer = HomeOutputSerializer

    @extend_schema(
        tags=["homes"],
        operation_id="homes_retrieve",
        summary="A home",
        responses={200: OutputSerializer, **error_responses(404)},
        parameters=[ETAG_HEADER],
    )
    def get(self, request, pk: int):
        home = access.get_home_for_user(request.user, pk)
        return _home_response(home)

    @extend_schema(
        tags=["homes"],
        operation_id="homes_partial_update",
        summary="Change a home",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request, pk: int):
        home = access.get_home_for_user(request.user, pk)
        if not access.can_edit_home(request.user, home):
            raise Http404("No such home")  # forbidden looks like missing
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data, partial=True)
        home = services.home_update(actor=request.user, home=home, expected_version=version, **data)
        return _home_response(home)
