"""Shapes of strategy meetings, attendees and actions in the API.

No rules here: they live in apps.strategy_meetings.services, and who sees what in
apps.strategy_meetings.access. Restricted minutes are only in one meeting's detail, and only
when the view's context says `restricted=True` (access.can_read_restricted_minutes).
"""

from rest_framework import serializers

from apps.children.serializers import UserRefSerializer
from apps.episodes.serializers import ChildRefSerializer
from apps.strategy_meetings.models import ActionStatus, Attendance, Decision, MeetingStatus

# Meetings ----------------------------------------------------------------------------------


class MeetingOutputSerializer(serializers.Serializer):
    """A meeting in a list; needs child and chair loaded, and the annotations of
    selectors.meeting_list (attendee_count, open_actions). No queries."""

    id = serializers.IntegerField()
    child = ChildRefSerializer()
    authority = serializers.IntegerField(source="authority_id", help_text="The chair's authority.")
    reason = serializers.CharField()
    scheduled_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    location = serializers.CharField()
    video_link = serializers.CharField()
    chair = UserRefSerializer()
    status = serializers.ChoiceField(choices=MeetingStatus.choices)
    sequence = serializers.IntegerField(help_text="The calendar invitation's revision.")
    held_at = serializers.DateTimeField(allow_null=True)
    next_review_on = serializers.DateField(allow_null=True)
    attendee_count = serializers.IntegerField(required=False)
    open_actions = serializers.IntegerField(required=False)
    version = serializers.IntegerField()


class AttendeeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(
        source="user_id", allow_null=True, help_text="None for an external person."
    )
    name = serializers.CharField()
    agency = serializers.CharField()
    email = serializers.EmailField()
    attendance = serializers.ChoiceField(choices=Attendance.choices, allow_blank=True)


class ActionOutputSerializer(serializers.Serializer):
    """An action; needs owner_user and owner_attendee loaded."""

    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    description = serializers.CharField()
    owner_user = serializers.IntegerField(source="owner_user_id", allow_null=True)
    owner_attendee = serializers.IntegerField(source="owner_attendee_id", allow_null=True)
    owner_name = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    completed_at = serializers.DateTimeField(allow_null=True)
    completion_note = serializers.CharField()
    version = serializers.IntegerField()


class MeetingDetailOutputSerializer(MeetingOutputSerializer):
    """One meeting with its record, attendees and actions. Context: `restricted` (the caller
    may read restricted minutes), `attendees`, `actions`, `alerts`, `episodes`."""

    minutes = serializers.CharField()
    restricted_minutes = serializers.CharField(
        required=False,
        help_text="Left out unless you are of the chair's authority or an invited attendee "
        "outside the police.",
    )
    decisions = serializers.ListField(
        child=serializers.ChoiceField(choices=Decision.choices), help_text="Decision values."
    )
    decision_notes = serializers.CharField()
    cancelled_reason = serializers.CharField()
    alerts = serializers.SerializerMethodField()
    episodes = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.context.get("restricted", False):
            self.fields.pop("restricted_minutes")

    def get_alerts(self, meeting) -> list[int]:
        return [alert.pk for alert in self.context.get("alerts", [])]

    def get_episodes(self, meeting) -> list[int]:
        return [episode.pk for episode in self.context.get("episodes", [])]

    def get_attendees(self, meeting) -> list[dict]:
        return AttendeeOutputSerializer(self.context.get("attendees", []), many=True).data

    def get_actions(self, meeting) -> list[dict]:
        return ActionOutputSerializer(self.context.get("actions", []), many=True).data


class MeetingWhenWhereSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(help_text="In the future.")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=480, required=False)
    location = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="A place, a link or both."
    )
    video_link = serializers.URLField(max_length=500, required=False, allow_blank=True)


class MeetingCreateInputSerializer(MeetingWhenWhereSerializer):
    child = serializers.IntegerField(help_text="Id of a child you hold the case of.")
    reason = serializers.CharField(max_length=2000)
    alert = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id of an alert about the child: the meeting is linked to it and its episodes.",
    )
    invite_users = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of users to invite; you are invited as the chair.",
    )


class MeetingCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class MeetingRecordInputSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField(help_text="Now or in the past.")
    minutes = serializers.CharField(max_length=20000)
    restricted_minutes = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    decisions = serializers.ListField(child=serializers.ChoiceField(choices=Decision.choices))
    decision_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    next_review_on = serializers.DateField(required=False, allow_null=True)
    attendance = serializers.DictField(
        child=serializers.ChoiceField(choices=[c for c in Attendance.choices if c[0]]),
        required=False,
        help_text="Attendee id → attended, apologies or absent.",
    )


class AttendeeInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        required=False, allow_null=True, help_text="A Homeward user; or name, agency and email."
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class ActionInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=2000)
    owner_attendee = serializers.IntegerField(help_text="Id of an attendee of the meeting.")
    due_on = serializers.DateField(help_text="Today or later.")


class ActionCompleteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
