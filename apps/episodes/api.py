"""Episodes, their timeline, return interviews, safe-and-well visits and Regulation 40
decisions in the REST API.

Same rules as the web: every read goes through apps.episodes.access (an episode the caller may
not see answers 404, like a missing one; so does an action their role may not take), every
write through apps.episodes.services, and every read of one episode, its timeline, interview
or visits, or of one Regulation 40 decision is written to the child's access log. Return
interviewers get the minimum detail.
"""

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as account_selectors
from apps.accounts.models import Role
from apps.children.access import get_child_for_user, require
from apps.children.services import access_log_record_api
from apps.core.api import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    error_responses,
    expected_version,
    paginated,
    validated,
    with_etag,
)
from apps.core.pagination import IdsFirst
from apps.episodes import access, selectors, services
from apps.episodes.serializers import (
    EpisodeFieldsSerializer,
    EpisodeOpenInputSerializer,
    EpisodeOutputSerializer,
    EpisodeReturnInputSerializer,
    EpisodeUpdateInputSerializer,
    EpisodeUpdateOutputSerializer,
    InterviewFieldsSerializer,
    InterviewOutputSerializer,
    Reg40DecideInputSerializer,
    Reg40OutputSerializer,
    VisitInputSerializer,
    VisitOutputSerializer,
)

TAGS = ["episodes"]
REG40_TAGS = ["Regulation 40"]

# Police reference and risk grade: changed only by those access.can_edit_police_details allows.
POLICE_FIELDS = {"police_reference", "risk_grade"}


def _context(user) -> dict:
    """What the output serializers need: how much the caller sees, and one `now` per request."""
    return {"full": access.can_see_full_episode(user), "now": timezone.now()}


def _episode_response(user, episode, *, status_code=status.HTTP_200_OK) -> Response:
    data = EpisodeOutputSerializer(episode, context=_context(user)).data
    return with_etag(data, episode.version, status_code=status_code)


def _episode_list(user, *, is_open=None, child=None, home=None) -> IdsFirst:
    """Episodes `user` may see, newest first, with what the list shows (two queries per page:
    the page's ids, then those episodes with what the list shows; apps.core.pagination).

    The API's own list (filters, newest first); selectors.missing_now serves the web board.
    """
    # The open/closed filter goes inside each part of the scope, so a part reads only the
    # episodes it keeps (a few open ones through their partial index), not all its history.
    where = None if is_open is None else Q(returned_at__isnull=is_open)
    episodes = access.episodes_visible_to(user, where=where)
    if child is not None:
        episodes = episodes.filter(child_id=child)
    if home is not None:
        episodes = episodes.filter(home_id=home)
    return IdsFirst(
        episodes.order_by("-last_seen_at", "-pk"),
        related=("child", "home", "reported_by", "return_recorded_by", "interview__assigned_to"),
    )


# Episodes -----------------------------------------------------------------------------------


class EpisodeListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    InputSerializer = EpisodeOpenInputSerializer
    OutputSerializer = EpisodeOutputSerializer

    class FilterSerializer(serializers.Serializer):
        open = serializers.BooleanField(
            required=False, help_text="true: open episodes only; false: closed only."
        )
        child = serializers.IntegerField(required=False, min_value=1, help_text="A child's id.")
        home = serializers.IntegerField(required=False, min_value=1, help_text="A home's id.")

        class Meta:
            ref_name = "EpisodeFilter"

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_list",
        summary="Episodes you may see, newest first",
        description="Return interviewers see only episodes whose interview is assigned to "
        "them, with the minimum detail. A list is not logged as a view of each child.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request):
        filters = validated(self.FilterSerializer, request.query_params.dict())
        episodes = _episode_list(
            request.user,
            is_open=filters.get("open"),
            child=filters.get("child"),
            home=filters.get("home"),
        )
        return paginated(
            request, episodes, self.OutputSerializer, view=self, context=_context(request.user)
        )

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_create",
        summary="Report a child missing or away",
        description="The home is the child's current placement. A child you may not report "
        "answers 404, like a missing one.",
        request=InputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request):
        data = dict(validated(self.InputSerializer, request.data))
        child = get_child_for_user(request.user, data.pop("child"))
        require(access.can_log_episode(request.user, child))
        episode = services.episode_open(actor=request.user, child=child, **data)
        return _episode_response(request.user, episode, status_code=status.HTTP_201_CREATED)


class EpisodeDetailApi(APIView):
    InputSerializer = EpisodeFieldsSerializer
    OutputSerializer = EpisodeOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_retrieve",
        summary="One episode (the read is logged)",
        description="Return interviewers get the minimum detail: no circumstances, clothing, "
        "police or return details.",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        access_log_record_api(request=request, child=episode.child)
        return _episode_response(request.user, episode)

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_partial_update",
        summary="Change the report",
        description="A change of kind or risk grade is kept on the timeline.",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        require(access.can_update_episode(request.user, episode))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data, partial=True)
        if POLICE_FIELDS & set(data):
            require(access.can_edit_police_details(request.user, episode))
        episode = services.episode_update(
            actor=request.user, episode=episode, expected_version=version, **data
        )
        return _episode_response(request.user, episode)


class EpisodeReturnApi(APIView):
    InputSerializer = EpisodeReturnInputSerializer
    OutputSerializer = EpisodeOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_return",
        summary="Record the child's return",
        description="Closes the episode and starts the return interview's clock (72 hours "
        "by default).",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        require(access.can_record_return(request.user, episode))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data)
        episode = services.episode_record_return(
            actor=request.user, episode=episode, expected_version=version, **data
        )
        return _episode_response(request.user, episode)


# Timeline -----------------------------------------------------------------------------------


class EpisodeUpdateListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    InputSerializer = EpisodeUpdateInputSerializer
    OutputSerializer = EpisodeUpdateOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_updates_list",
        summary="The episode's timeline, newest first (the read is logged)",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        require(access.can_see_full_episode(request.user))
        access_log_record_api(request=request, child=episode.child)
        updates = selectors.episode_timeline(episode)
        return paginated(request, updates, self.OutputSerializer, view=self)

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_updates_create",
        summary="Add a sighting, call, contact, police update or note",
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        require(access.can_update_episode(request.user, episode))
        data = validated(self.InputSerializer, request.data)
        update = services.episode_add_update(actor=request.user, episode=episode, **data)
        return Response(self.OutputSerializer(update).data, status=status.HTTP_201_CREATED)


# Return interview ---------------------------------------------------------------------------


def _interview_response(interview, user) -> Response:
    context = {"content": access.can_read_interview_content(user)}
    return with_etag(InterviewOutputSerializer(interview, context=context).data, interview.version)


class EpisodeInterviewApi(APIView):
    InputSerializer = InterviewFieldsSerializer
    OutputSerializer = InterviewOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_interview_retrieve",
        summary="The return interview (the read is logged)",
        description="404 until the child's return is recorded.",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        interview = access.get_interview_for_episode(episode)
        access_log_record_api(request=request, child=episode.child)
        return _interview_response(interview, request.user)

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_interview_partial_update",
        summary="Record the offer, the outcome and what was learned",
        description="If-Match takes the interview's ETag, not the episode's.",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        interview = access.get_interview_for_episode(episode)
        require(access.can_record_interview(request.user, interview))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data, partial=True)
        interview = services.interview_record(
            actor=request.user, interview=interview, expected_version=version, **data
        )
        return _interview_response(interview, request.user)


class EpisodeInterviewAssignApi(APIView):
    OutputSerializer = InterviewOutputSerializer

    class InputSerializer(serializers.Serializer):
        interviewer = serializers.PrimaryKeyRelatedField(
            queryset=account_selectors.users_active_with_role(Role.RETURN_INTERVIEWER),
            help_text="Id of an active return interviewer.",
        )

        class Meta:
            ref_name = "InterviewAssignInput"

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_interview_assign",
        summary="Assign the return interview to an interviewer",
        request=InputSerializer,
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        interview = access.get_interview_for_episode(episode)
        require(access.can_assign_interview(request.user, interview))
        data = validated(self.InputSerializer, request.data)
        interview = services.interview_assign(
            actor=request.user, interview=interview, interviewer=data["interviewer"]
        )
        return _interview_response(interview, request.user)


# Safe-and-well visits -----------------------------------------------------------------------


class EpisodeVisitListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    InputSerializer = VisitInputSerializer
    OutputSerializer = VisitOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_visits_list",
        summary="Safe-and-well visits, newest first (the read is logged)",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        require(access.can_see_full_episode(request.user))
        access_log_record_api(request=request, child=episode.child)
        visits = selectors.episode_visits(episode).select_related("officer")
        return paginated(request, visits, self.OutputSerializer, view=self)

    @extend_schema(
        tags=TAGS,
        operation_id="episodes_visits_create",
        summary="Record a police safe-and-well visit (police of the home's force)",
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        episode = access.get_episode_for_user(request.user, pk)
        require(access.can_record_visit(request.user, episode))
        data = validated(self.InputSerializer, request.data)
        visit = services.visit_record(actor=request.user, episode=episode, **data)
        return Response(self.OutputSerializer(visit).data, status=status.HTTP_201_CREATED)


# Regulation 40 -------------------------------------------------------------------------------


class Reg40ListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    OutputSerializer = Reg40OutputSerializer

    @extend_schema(
        tags=REG40_TAGS,
        operation_id="regulation40_list",
        summary="Regulation 40 decisions you may see, newest first",
        description="Home managers and care staff see their homes'; social workers and "
        "service managers those about children they can see. ?pending=false lists decided "
        "ones too.",
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        pending_only = request.query_params.get("pending", "true").lower() != "false"
        decisions = selectors.reg40_list(request.user, pending_only=pending_only)
        return paginated(request, decisions, self.OutputSerializer, view=self)


class Reg40DetailApi(APIView):
    OutputSerializer = Reg40OutputSerializer

    @extend_schema(
        tags=REG40_TAGS,
        operation_id="regulation40_retrieve",
        summary="One Regulation 40 decision (the read is logged)",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        decision = access.get_reg40_for_user(request.user, pk)
        access_log_record_api(request=request, child=decision.episode.child)
        return with_etag(self.OutputSerializer(decision).data, decision.version)


class Reg40DecideApi(APIView):
    InputSerializer = Reg40DecideInputSerializer
    OutputSerializer = Reg40OutputSerializer

    @extend_schema(
        tags=REG40_TAGS,
        operation_id="regulation40_decide",
        summary="Record the decision: notified to Ofsted (when, reference) or not notifiable (why)",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request, pk: int):
        decision = access.get_reg40_for_user(request.user, pk)
        require(access.can_decide_reg40(request.user, decision))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data)
        decision = services.reg40_decide(
            actor=request.user,
            decision=decision,
            expected_version=version,
            status=data["status"],
            notified_at=data.get("notified_at"),
            ofsted_reference=data.get("ofsted_reference", ""),
            not_notifiable_reason=data.get("not_notifiable_reason", ""),
        )
        return with_etag(self.OutputSerializer(decision).data, decision.version)
