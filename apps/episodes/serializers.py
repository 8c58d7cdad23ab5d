"""Shapes of episodes, their timeline, return interviews and safe-and-well visits in the API.

No rules here: they live in apps.episodes.services. Return interviewers see the minimum detail
(apps.episodes.access.can_see_full_episode): the output serializer drops the fields in
FULL_ONLY when its context says `full=False`, so those fields are optional in the schema.
"""

from django.utils import timezone
from rest_framework import serializers

from apps.children.serializers import HomeRefSerializer, UserRefSerializer
from apps.episodes.models import (
    EpisodeKind,
    InterviewOutcome,
    Reg40Status,
    ReturnMethod,
    RiskGrade,
    UpdateCategory,
)

FULL_ONLY_HELP = "Left out for return interviewers, who see the minimum detail."


class ChildRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    child_id = serializers.CharField(help_text="The placing authority's own ID (SSDA903 CHILD).")
    display_name = serializers.CharField()


class InterviewSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    assigned_to = UserRefSerializer(allow_null=True)
    outcome = serializers.ChoiceField(choices=InterviewOutcome.choices, allow_blank=True)
    is_overdue = serializers.SerializerMethodField(
        help_text="Not held within the time allowed (72 hours by default)."
    )

    def get_is_overdue(self, interview) -> bool:
        return interview.is_overdue(self.context.get("now"))


CONTENT_ONLY_HELP = (
    "What the child said: left out for care workers and police, who see the outcome and the "
    "shared summary."
)


def _content_only(field_class, **kwargs) -> serializers.Field:
    return field_class(required=False, help_text=CONTENT_ONLY_HELP, **kwargs)


def _full_only(field_class, **kwargs) -> serializers.Field:
    """A field only full viewers get: optional in the schema, and says why."""
    return field_class(required=False, help_text=FULL_ONLY_HELP, **kwargs)


class EpisodeOutputSerializer(serializers.Serializer):
    """An episode; needs child, home, reporters and the interview (with its assignee) loaded.

    Context: `full` (default True) — False leaves out FULL_ONLY.
    """

    FULL_ONLY = (
        "last_seen_where",
        "last_seen_with",
        "clothing",
        "appearance",
        "circumstances",
        "reported_by",
        "reported_to_police_at",
        "police_reference",
        "risk_grade",
        "risk_graded_at",
        "risk_graded_by",
        "risk_grader_contact",
        "risk_review_at",
        "social_worker_notified_at",
        "suspected_sexual_exploitation",
        "serious_police_incident",
        "return_method",
        "found_where",
        "found_postcode",
        "returned_with",
        "condition",
        "concerns",
        "return_recorded_by",
    )

    id = serializers.IntegerField()
    child = ChildRefSerializer()
    home = HomeRefSerializer(help_text="The home the child was placed at when it began.")
    kind = serializers.ChoiceField(
        choices=EpisodeKind.choices, help_text="SSDA903 MISSING: M missing, A away."
    )
    last_seen_at = serializers.DateTimeField()
    returned_at = serializers.DateTimeField(allow_null=True)
    is_open = serializers.BooleanField()
    overnight = serializers.BooleanField(help_text="Away at any moment of the night window.")
    duration_minutes = serializers.SerializerMethodField(
        help_text="From last seen to the return, or to now while open."
    )
    # One nested serializer bound once for the whole list (a serializer made per row copies
    # all its fields each time: the garbage that made a list's slowest requests wait on
    # Python's garbage collector; docs/performance.md).
    interview = InterviewSummarySerializer(
        allow_null=True, help_text="The return interview, or null until the child returns."
    )
    version = serializers.IntegerField()

    last_seen_where = _full_only(serializers.CharField)
    last_seen_with = _full_only(serializers.CharField)
    clothing = _full_only(serializers.CharField)
    appearance = _full_only(serializers.CharField)
    circumstances = _full_only(serializers.CharField)
    reported_by = _full_only(UserRefSerializer)
    reported_to_police_at = _full_only(serializers.DateTimeField, allow_null=True)
    police_reference = _full_only(serializers.CharField)
    risk_grade = _full_only(serializers.ChoiceField, choices=RiskGrade.choices, allow_blank=True)
    risk_graded_at = _full_only(serializers.DateTimeField, allow_null=True)
    risk_graded_by = _full_only(serializers.CharField)
    risk_grader_contact = _full_only(serializers.CharField)
    risk_review_at = _full_only(serializers.DateTimeField, allow_null=True)
    social_worker_notified_at = _full_only(serializers.DateTimeField, allow_null=True)
    suspected_sexual_exploitation = _full_only(serializers.BooleanField)
    serious_police_incident = _full_only(serializers.BooleanField)
    return_method = _full_only(
        serializers.ChoiceField, choices=ReturnMethod.choices, allow_blank=True
    )
    found_where = _full_only(serializers.CharField)
    found_postcode = _full_only(serializers.CharField)
    returned_with = _full_only(serializers.CharField)
    condition = _full_only(serializers.CharField)
    concerns = _full_only(serializers.CharField)
    return_recorded_by = _full_only(UserRefSerializer, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.context.get("full", True):
            for name in self.FULL_ONLY:
                self.fields.pop(name)

    def get_duration_minutes(self, episode) -> int:
        end = episode.returned_at or self.context.get("now") or timezone.now()
        return int((end - episode.last_seen_at).total_seconds() // 60)


class EpisodeFieldsSerializer(serializers.Serializer):
    """The report's fields a person may change later (PATCH takes any of them)."""

    kind = serializers.ChoiceField(
        choices=EpisodeKind.choices,
        help_text="M missing (whereabouts unknown), A away (whereabouts known, or a late return).",
    )
    last_seen_at = serializers.DateTimeField(help_text="Now or in the past.")
    last_seen_where = serializers.CharField(max_length=300)
    last_seen_with = serializers.CharField(max_length=300, required=False, allow_blank=True)
    clothing = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    appearance = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="Anything different from the profile: hair, bags, injuries.",
    )
    circumstances = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    reported_to_police_at = serializers.DateTimeField(required=False, allow_null=True)
    police_reference = serializers.CharField(max_length=50, required=False, allow_blank=True)
    risk_grade = serializers.ChoiceField(
        choices=RiskGrade.choices,
        required=False,
        allow_blank=True,
        help_text="The police risk grade (APP: very low, low, medium, high); each change is "
        "kept on the timeline.",
    )
    risk_graded_by = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Who gave the grade: the officer's name and collar number.",
    )
    risk_grader_contact = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Their phone or email."
    )
    risk_review_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the grade is to be reviewed; by default the home's police force's "
        "time for the grade.",
    )
    suspected_sexual_exploitation = serializers.BooleanField(required=False)
    serious_police_incident = serializers.BooleanField(required=False)


class EpisodeOpenInputSerializer(EpisodeFieldsSerializer):
    child = serializers.IntegerField(
        help_text="Id of a child you may report; the home is their current placement."
    )


class EpisodeReturnInputSerializer(serializers.Serializer):
    returned_at = serializers.DateTimeField(help_text="After last seen; now or in the past.")
    return_method = serializers.ChoiceField(choices=ReturnMethod.choices)
    found_where = serializers.CharField(max_length=300, required=False, allow_blank=True)
    found_postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    returned_with = serializers.CharField(max_length=300, required=False, allow_blank=True)
    condition = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    concerns = serializers.CharField(max_length=4000, required=False, allow_blank=True)


# The categories a person adds; the others are written by the services.
ADDABLE_CATEGORIES = [
    (value, label)
    for value, label in UpdateCategory.choices
    if value
    in {
        UpdateCategory.SIGHTING,
        UpdateCategory.CONTACT,
        UpdateCategory.CALL,
        UpdateCategory.POLICE,
        UpdateCategory.NOTE,
    }
]


class EpisodeUpdateInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ADDABLE_CATEGORIES)
    text = serializers.CharField(max_length=4000)
    happened_at = serializers.DateTimeField(
        required=False, help_text="When it happened; now if left out."
    )


class EpisodeUpdateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=UpdateCategory.choices)
    happened_at = serializers.DateTimeField()
    text = serializers.CharField()
    old_value = serializers.CharField(help_text="Kind or risk grade before a change.")
    new_value = serializers.CharField(help_text="Kind or risk grade after a change.")
    author = UserRefSerializer()
    recorded_at = serializers.DateTimeField()


class InterviewFieldsSerializer(serializers.Serializer):
    """What the interviewer records (PATCH takes any of them)."""

    offered_at = serializers.DateTimeField(required=False, allow_null=True)
    outcome = serializers.ChoiceField(
        choices=InterviewOutcome.choices, required=False, allow_blank=True
    )
    outcome_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Why the interview did not happen (declined or not possible).",
    )
    held_at = serializers.DateTimeField(required=False, allow_null=True)
    held_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    independent_of_home = serializers.BooleanField(required=False, allow_null=True)
    push_factors = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    pull_factors = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    places_mentioned = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    associates_mentioned = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    disclosures = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    cse_concern = serializers.BooleanField(
        required=False, help_text="A concern about sexual exploitation."
    )


class InterviewOutputSerializer(serializers.Serializer):
    """The return interview; needs assigned_to and recorded_by loaded (no queries).

    Context: `content` (default True) — False leaves out CONTENT (what the child said), for
    care workers and police (episodes.access.can_read_interview_content).
    """

    CONTENT = (
        "push_factors",
        "pull_factors",
        "places_mentioned",
        "associates_mentioned",
        "disclosures",
        "cse_concern",
    )

    id = serializers.IntegerField()
    episode = serializers.IntegerField(source="episode_id")
    due_at = serializers.DateTimeField()
    assigned_to = UserRefSerializer(allow_null=True)
    offered_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(choices=InterviewOutcome.choices, allow_blank=True)
    outcome_reason = serializers.CharField()
    held_at = serializers.DateTimeField(allow_null=True)
    held_by = serializers.CharField()
    independent_of_home = serializers.BooleanField(allow_null=True)
    push_factors = _content_only(serializers.CharField)
    pull_factors = _content_only(serializers.CharField)
    places_mentioned = _content_only(serializers.CharField)
    associates_mentioned = _content_only(serializers.CharField)
    disclosures = _content_only(serializers.CharField)
    cse_concern = _content_only(serializers.BooleanField)
    shared_summary = serializers.CharField(
        help_text="The summary the social worker shares with the home and the police."
    )
    recorded_by = UserRefSerializer(allow_null=True)
    is_overdue = serializers.SerializerMethodField(
        help_text="Not held within the time allowed (72 hours by default)."
    )
    version = serializers.IntegerField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.context.get("content", True):
            for name in self.CONTENT:
                self.fields.pop(name)

    def get_is_overdue(self, interview) -> bool:
        return interview.is_overdue()


class VisitInputSerializer(serializers.Serializer):
    visited_at = serializers.DateTimeField(help_text="After the return; now or in the past.")
    officer_name = serializers.CharField(max_length=200, help_text="Name and collar number.")
    location = serializers.CharField(max_length=300)
    outcome = serializers.CharField(max_length=4000)
    concerns = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class VisitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    episode = serializers.IntegerField(source="episode_id")
    visited_at = serializers.DateTimeField()
    officer = UserRefSerializer(help_text="The user who recorded the visit.")
    officer_name = serializers.CharField(help_text="Name and collar number.")
    location = serializers.CharField()
    outcome = serializers.CharField()
    concerns = serializers.CharField()


# Regulation 40 -----------------------------------------------------------------------------

# The two decisions a home manager records (the schema names them Reg40DecisionEnum).
REG40_DECISIONS = [
    (Reg40Status.NOTIFIED, "Notified to Ofsted"),
    (Reg40Status.NOT_NOTIFIABLE, "Not notifiable"),
]


class Reg40OutputSerializer(serializers.Serializer):
    """A decision; needs episode, episode.child and home loaded."""

    id = serializers.IntegerField()
    episode = serializers.IntegerField(source="episode_id")
    child = ChildRefSerializer(source="episode.child")
    home = serializers.IntegerField(source="home_id")
    trigger = serializers.CharField()
    status = serializers.ChoiceField(choices=Reg40Status.choices)
    notified_at = serializers.DateTimeField(allow_null=True)
    ofsted_reference = serializers.CharField()
    not_notifiable_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class Reg40DecideInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=REG40_DECISIONS)
    notified_at = serializers.DateTimeField(required=False, allow_null=True)
    ofsted_reference = serializers.CharField(max_length=50, required=False, allow_blank=True)
    not_notifiable_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
