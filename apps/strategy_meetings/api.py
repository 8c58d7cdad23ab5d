"""Strategy meetings, attendees and actions in the REST API.

Same rules as the web pages: every read goes through apps.strategy_meetings.access (a record
the caller may not see answers 404, like a missing one; so does an action they may not take),
every write through apps.strategy_meetings.services, and every read of one meeting or a child's
assessments is written to the child's access log. Updates of a versioned record
need If-Match with the ETag read (412 when stale, 428 when missing).
"""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

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
from apps.core.errors import ApplicationError
from apps.strategy_meetings import access, selectors, services
from apps.strategy_meetings.serializers import (
    ActionCompleteInputSerializer,
    ActionInputSerializer,
    ActionOutputSerializer,
    AttendeeInputSerializer,
    AttendeeOutputSerializer,
    MeetingCancelInputSerializer,
    MeetingCreateInputSerializer,
    MeetingDetailOutputSerializer,
    MeetingOutputSerializer,
    MeetingRecordInputSerializer,
    MeetingWhenWhereSerializer,
)

TAGS = ["strategy meetings"]
CSE_TAGS = ["CSE risk assessments"]


def _meeting_response(request, meeting, *, status_code=status.HTTP_200_OK) -> Response:
    detail = selectors.meeting_detail(meeting)
    context = {
        **detail,
        "restricted": access.can_read_restricted_minutes(request.user, meeting),
    }
    data = MeetingDetailOutputSerializer(meeting, context=context).data
    return with_etag(data, meeting.version, status_code=status_code)


def _invitable(child, user_ids, *, alert=None, field="invite_users") -> list:
    """The users named by id, if each is someone who can be invited to a meeting about
    `child` (as the web's picker offers them); 400 otherwise."""
    if not user_ids:
        return []
    people = selectors.invitable_users(child)
    if alert is not None:
        suggested = [user.pk for user in selectors.alert_suggested_attendees(alert)]
        people = people.model.objects.filter(Q(pk__in=people.values("pk")) | Q(pk__in=suggested))
    found = {user.pk: user for user in people.filter(pk__in=user_ids)}
    missing = [pk for pk in user_ids if pk not in found]
    if missing:
        message = f"Not someone who can be invited to this meeting: {missing[0]}"
        raise ApplicationError(message, fields={field: [message]})
    return [found[pk] for pk in dict.fromkeys(user_ids)]


# Meetings ------------------------------------------------------------------------------------


class MeetingListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    InputSerializer = MeetingCreateInputSerializer
    OutputSerializer = MeetingOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_list",
        summary="Strategy meetings you may see, newest first",
        description="Social workers and service managers see the meetings about children they "
        "can see; everyone else the meetings they are invited to. Return interviewers and "
        "administrators: 404.",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request):
        require(access.can_list_my_actions(request.user))  # the roles that take part
        return paginated(
            request, selectors.meeting_list(request.user), self.OutputSerializer, view=self
        )

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_create",
        summary="Schedule a strategy meeting (invitations are emailed)",
        request=InputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: MeetingDetailOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request):
        require(access.can_list_my_actions(request.user))
        data = dict(validated(self.InputSerializer, request.data))
        child = get_child_for_user(request.user, data.pop("child"))
        require(access.can_schedule_meeting(request.user, child))
        alert = None
        if data.get("alert"):
            from apps.alerts.access import get_alert_for_user

            alert = get_alert_for_user(request.user, data["alert"])
            require(alert.child_id == child.pk)
        meeting = services.meeting_schedule(
            actor=request.user,
            child=child,
            scheduled_at=data["scheduled_at"],
            reason=data["reason"],
            location=data.get("location", ""),
            video_link=data.get("video_link", ""),
            duration_minutes=data.get("duration_minutes") or 60,
            alerts=[alert] if alert else [],
            episodes=list(alert.episodes.all()) if alert else [],
            invite_users=_invitable(child, data.get("invite_users", []), alert=alert),
        )
        meeting = access.get_meeting_for_user(request.user, meeting.pk)
        return _meeting_response(request, meeting, status_code=status.HTTP_201_CREATED)


class MeetingDetailApi(APIView):
    InputSerializer = MeetingWhenWhereSerializer
    OutputSerializer = MeetingDetailOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_retrieve",
        summary="One meeting with attendees and actions (the read is logged)",
        description="Restricted minutes are left out for the police and anyone outside the "
        "chair's authority who is not invited.",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        access_log_record_api(request=request, child=meeting.child)
        return _meeting_response(request, meeting)

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_move",
        summary="Move the meeting (everyone is sent the updated invitation)",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request, pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        require(access.meeting_permissions(request.user, meeting)["can_run"])
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data)
        meeting = services.meeting_move(
            actor=request.user,
            meeting=meeting,
            expected_version=version,
            scheduled_at=data["scheduled_at"],
            location=data.get("location", ""),
            video_link=data.get("video_link", ""),
            duration_minutes=data.get("duration_minutes"),
        )
        return _meeting_response(request, meeting)


class MeetingCancelApi(APIView):
    InputSerializer = MeetingCancelInputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_cancel",
        summary="Cancel the meeting (everyone is sent a cancellation)",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: MeetingDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request, pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        require(access.meeting_permissions(request.user, meeting)["can_run"])
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data)
        meeting = services.meeting_cancel(
            actor=request.user, meeting=meeting, expected_version=version, reason=data["reason"]
        )
        return _meeting_response(request, meeting)


class MeetingRecordApi(APIView):
    InputSerializer = MeetingRecordInputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_record",
        summary="Record the minutes, decisions, attendance and next review",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: MeetingDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request, pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        require(access.meeting_permissions(request.user, meeting)["can_record"])
        version = expected_version(request)
        data = dict(validated(self.InputSerializer, request.data))
        attendance = {}
        for key, value in data.pop("attendance", {}).items():
            try:
                attendance[int(key)] = value
            except ValueError:
                message = f"Not an attendee id: {key}"
                raise ApplicationError(message, fields={"attendance": [message]}) from None
        meeting = services.meeting_record(
            actor=request.user,
            meeting=meeting,
            expected_version=version,
            held_at=data["held_at"],
            minutes=data["minutes"],
            restricted_minutes=data.get("restricted_minutes", ""),
            decisions=data["decisions"],
            decision_notes=data.get("decision_notes", ""),
            next_review_on=data.get("next_review_on"),
            attendance=attendance,
        )
        return _meeting_response(request, meeting)


# Attendees -----------------------------------------------------------------------------------


class MeetingAttendeeListApi(APIView):
    InputSerializer = AttendeeInputSerializer
    OutputSerializer = AttendeeOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_attendees_list",
        summary="Who is invited, with attendance",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        return Response(self.OutputSerializer(meeting.attendees.all(), many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_attendees_create",
        summary="Invite a Homeward user or an external person (they are emailed at once)",
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        require(access.meeting_permissions(request.user, meeting)["can_run"])
        data = dict(validated(self.InputSerializer, request.data))
        user_id = data.pop("user", None)
        if user_id:
            (user,) = _invitable(meeting.child, [user_id], field="user")
            attendee = services.attendee_add(actor=request.user, meeting=meeting, user=user)
        else:
            attendee = services.attendee_add(actor=request.user, meeting=meeting, **data)
        return Response(self.OutputSerializer(attendee).data, status=status.HTTP_201_CREATED)


class MeetingAttendeeRemoveApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="meetings_attendees_remove",
        summary="Uninvite someone (they are sent a cancellation)",
        request=None,
        responses={204: None, **error_responses(400, 404)},
    )
    def post(self, request, pk: int, attendee_pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        require(access.meeting_permissions(request.user, meeting)["can_run"])
        attendee = access.get_attendee_for_meeting(meeting, attendee_pk)
        services.attendee_remove(actor=request.user, attendee=attendee)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Actions -------------------------------------------------------------------------------------


class MeetingActionListApi(APIView):
    InputSerializer = ActionInputSerializer
    OutputSerializer = ActionOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_actions_list",
        summary="The meeting's actions",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        actions = meeting.actions.select_related("owner_user", "owner_attendee")
        return Response(self.OutputSerializer(actions, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="meetings_actions_create",
        summary="Add an action owned by someone invited",
        request=InputSerializer,
        parameters=[ETAG_HEADER],
        responses={201: OutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request, pk: int):
        meeting = access.get_meeting_for_user(request.user, pk)
        require(access.meeting_permissions(request.user, meeting)["can_add_actions"])
        data = validated(self.InputSerializer, request.data)
        owner = meeting.attendees.select_related("user").filter(pk=data["owner_attendee"]).first()
        if owner is None:
            message = "Choose someone invited to this meeting"
            raise ApplicationError(message, fields={"owner_attendee": [message]})
        action = services.action_add(
            actor=request.user,
            meeting=meeting,
            description=data["description"],
            due_on=data["due_on"],
            owner_attendee=owner,
        )
        return with_etag(
            self.OutputSerializer(action).data, action.version, status_code=status.HTTP_201_CREATED
        )


class MyActionListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    OutputSerializer = ActionOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="actions_mine",
        summary="Your open actions from strategy meetings, soonest due first",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request):
        require(access.can_list_my_actions(request.user))
        actions = selectors.my_actions(request.user).select_related("owner_user", "owner_attendee")
        return paginated(request, actions, self.OutputSerializer, view=self)


class ActionCompleteApi(APIView):
    InputSerializer = ActionCompleteInputSerializer
    OutputSerializer = ActionOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="actions_complete",
        summary="Mark an action as done (its owner, or whoever runs the meeting)",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request, pk: int):
        action = access.get_action_for_user(request.user, pk)
        require(access.can_complete_action(request.user, action))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data)
        action = services.action_complete(
            actor=request.user, action=action, expected_version=version, note=data.get("note", "")
        )
        return with_etag(self.OutputSerializer(action).data, action.version)
