"""Children, placements and Philomena profiles in the REST API.

Same rules as the web: every read goes through apps.children.access (a forbidden child
answers 404, like a missing one), every write through apps.children.services, and every read
of a child's record, placements or profile is written to the access log.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as account_selectors
from apps.accounts.models import Role
from apps.children import access, selectors, services
from apps.children.serializers import (
    AssessmentInputSerializer,
    AssessmentOutputSerializer,
    AssociateSerializer,
    ChildInputSerializer,
    ChildOutputSerializer,
    IndicatorOutputSerializer,
    PlacementOutputSerializer,
    PlaceSerializer,
    ProfileFieldsSerializer,
    ProfileOutputSerializer,
)
from apps.children.services import access_log_record_api
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
from apps.homes import selectors as home_selectors

TAGS = ["children"]
CSE_TAGS = ["CSE risk assessments"]


# Children -----------------------------------------------------------------------------------


class ChildListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    OutputSerializer = ChildOutputSerializer

    class InputSerializer(ChildInputSerializer):
        allocated_social_worker = serializers.PrimaryKeyRelatedField(
            queryset=account_selectors.users_active_with_role(Role.SOCIAL_WORKER),
            required=False,
            allow_null=True,
            help_text="Id of a social worker of your authority. A social worker who adds a "
            "child is allocated to them unless another is named.",
        )

        class Meta:
            ref_name = "ChildCreateInput"

    @extend_schema(
        tags=TAGS,
        operation_id="children_list",
        summary="Children you may see",
        description="Search matches the start of any name, or the child ID exactly. "
        "Archived children are left out.",
        parameters=[SEARCH_PARAMETER],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        children = selectors.child_list(user=request.user, search=request.query_params.get("q", ""))
        return paginated(request, children, self.OutputSerializer, view=self)

    @extend_schema(
        tags=TAGS,
        operation_id="children_create",
        summary="Add a child to your authority",
        request=InputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: OutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request):
        if not access.can_create_children(request.user):
            return Response(
                {"message": "Your role cannot add children.", "fields": {}},
                status=status.HTTP_403_FORBIDDEN,
            )
        data = validated(self.InputSerializer, request.data)
        child = services.child_create(actor=request.user, **data)
        return with_etag(
            self.OutputSerializer(child).data, child.version, status_code=status.HTTP_201_CREATED
        )


class ChildDetailApi(APIView):
    InputSerializer = ChildInputSerializer
    OutputSerializer = ChildOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="children_retrieve",
        summary="A child's record (the read is logged)",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        child = access.get_child_for_user(request.user, pk)
        access_log_record_api(request=request, child=child)
        return with_etag(self.OutputSerializer(child).data, child.version)

    @extend_schema(
        tags=TAGS,
        operation_id="children_partial_update",
        summary="Change a child's record",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request, pk: int):
        child = access.get_child_for_user(request.user, pk)
        access.require(access.can_edit_child(request.user, child))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data, partial=True)
        child = services.child_update(
            actor=request.user, child=child, expected_version=version, **data
        )
        return with_etag(self.OutputSerializer(child).data, child.version)


# Placements ---------------------------------------------------------------------------------


class ChildPlacementListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    OutputSerializer = PlacementOutputSerializer

    class InputSerializer(serializers.Serializer):
        home = serializers.PrimaryKeyRelatedField(
            queryset=home_selectors.homes_none(), help_text="Id of an open home."
        )
        start_date = serializers.DateField()
        end_current = serializers.BooleanField(
            default=True,
            help_text="End the child's current placement on start_date (a move).",
        )

        class Meta:
            ref_name = "PlacementStartInput"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # The homes this user may choose, as on the web form.
            user = self.context.get("user")
            if user is not None:
                self.fields["home"].queryset = home_selectors.homes_for_placement(user)

    @extend_schema(
        tags=TAGS,
        operation_id="children_placements_list",
        summary="A child's placements, newest first (the read is logged)",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk: int):
        child = access.get_child_for_user(request.user, pk)
        access_log_record_api(request=request, child=child)
        placements = selectors.child_placements(child=child)
        return paginated(request, placements, self.OutputSerializer, view=self)

    @extend_schema(
        tags=TAGS,
        operation_id="children_placements_create",
        summary="Place the child at a home",
        request=InputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        child = access.get_child_for_user(request.user, pk)
        access.require(access.can_manage_placements(request.user, child))
        data = validated(self.InputSerializer, request.data, context={"user": request.user})
        placement = services.placement_start(actor=request.user, child=child, **data)
        return with_etag(
            self.OutputSerializer(placement).data,
            placement.version,
            status_code=status.HTTP_201_CREATED,
        )


class PlacementDetailApi(APIView):
    OutputSerializer = PlacementOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="placements_retrieve",
        summary="One placement (the read is logged)",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        placement = access.get_placement_for_user(request.user, pk)
        access_log_record_api(request=request, child=placement.child)
        return with_etag(self.OutputSerializer(placement).data, placement.version)


class PlacementEndApi(APIView):
    OutputSerializer = PlacementOutputSerializer

    class InputSerializer(serializers.Serializer):
        end_date = serializers.DateField(help_text="The day the child left.")

        class Meta:
            ref_name = "PlacementEndInput"

    @extend_schema(
        tags=TAGS,
        operation_id="placements_end",
        summary="End a placement",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request, pk: int):
        placement = access.get_placement_for_user(request.user, pk)
        access.require(access.can_manage_placements(request.user, placement.child))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data)
        placement = services.placement_end(
            actor=request.user, placement=placement, expected_version=version, **data
        )
        return with_etag(self.OutputSerializer(placement).data, placement.version)


# Philomena profile ------------------------------------------------------------------------


class ChildProfileApi(APIView):
    OutputSerializer = ProfileOutputSerializer

    class InputSerializer(ProfileFieldsSerializer):
        mark_reviewed = serializers.BooleanField(
            default=True, help_text="Saving counts as a review of the whole profile."
        )

        class Meta:
            ref_name = "ProfileInput"

    def _response(self, child, profile) -> Response:
        staleness = selectors.child_staleness(child=child, profile=profile)
        data = self.OutputSerializer(profile, context={"staleness": staleness}).data
        return with_etag(data, profile.version)

    @extend_schema(
        tags=TAGS,
        operation_id="children_profile_retrieve",
        summary="Philomena profile part 1 with associates and places (the read is logged)",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        child = access.get_child_for_user(request.user, pk)
        access_log_record_api(request=request, child=child)
        return self._response(child, selectors.child_profile(child=child))

    @extend_schema(
        tags=TAGS,
        operation_id="children_profile_partial_update",
        summary="Change and review the Philomena profile",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request, pk: int):
        child = access.get_child_for_user(request.user, pk)
        access.require(access.can_edit_profile(request.user, child))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data, partial=True)
        profile = services.profile_update(
            actor=request.user,
            child=child,
            expected_version=version,
            mark_reviewed=data.pop("mark_reviewed", True),
            **data,
        )
        return self._response(child, profile)


class ProfileAssociateListApi(APIView):
    InputSerializer = AssociateSerializer
    OutputSerializer = AssociateSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="children_profile_associates_create",
        summary="Add a person the child spends time with",
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        child = access.get_child_for_user(request.user, pk)
        access.require(access.can_edit_profile(request.user, child))
        data = validated(self.InputSerializer, request.data)
        associate = services.associate_add(actor=request.user, child=child, **data)
        return Response(self.OutputSerializer(associate).data, status=status.HTTP_201_CREATED)


class ProfilePlaceListApi(APIView):
    InputSerializer = PlaceSerializer
    OutputSerializer = PlaceSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="children_profile_places_create",
        summary="Add a place the child goes to",
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        child = access.get_child_for_user(request.user, pk)
        access.require(access.can_edit_profile(request.user, child))
        data = validated(self.InputSerializer, request.data)
        place = services.place_add(actor=request.user, child=child, **data)
        return Response(self.OutputSerializer(place).data, status=status.HTTP_201_CREATED)


# CSE risk assessments ------------------------------------------------------------------------


class ChildIndicatorListApi(APIView):
    OutputSerializer = IndicatorOutputSerializer

    @extend_schema(
        tags=CSE_TAGS,
        operation_id="children_cse_indicators",
        summary="The indicators an assessment of this child answers (case holders)",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk: int):
        child = access.get_child_for_assessments(request.user, pk)
        indicators = selectors.indicators_for(child.placing_authority_id)
        return Response(self.OutputSerializer(indicators, many=True).data)


class ChildAssessmentListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    InputSerializer = AssessmentInputSerializer
    OutputSerializer = AssessmentOutputSerializer

    @extend_schema(
        tags=CSE_TAGS,
        operation_id="children_cse_assessments_list",
        summary="A child's CSE risk assessments, newest first (case holders; the read is logged)",
        description="Everyone else who sees the child sees only the current level "
        "(cse_risk on the child).",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk: int):
        child = access.get_child_for_assessments(request.user, pk)
        access_log_record_api(request=request, child=child)
        return paginated(
            request, selectors.assessments_for_child(child), self.OutputSerializer, view=self
        )

    @extend_schema(
        tags=CSE_TAGS,
        operation_id="children_cse_assessments_create",
        summary="Complete a screening: scored, and the child's current level set",
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        child = access.get_child_for_assessments(request.user, pk)
        data = validated(self.InputSerializer, request.data)
        answers = {
            row["indicator"]: (row["answer"], row.get("timing", "")) for row in data["answers"]
        }
        assessment = services.assessment_complete(
            actor=request.user,
            child=child,
            indicators=selectors.indicators_for(child.placing_authority_id),
            answers=answers,
            assessed_on=data.get("assessed_on"),
            override_level=data.get("override_level", ""),
            override_reason=data.get("override_reason", ""),
            summary=data.get("summary", ""),
        )
        assessment = selectors.assessments_for_child(child).get(pk=assessment.pk)
        return Response(self.OutputSerializer(assessment).data, status=status.HTTP_201_CREATED)
