"""The multi-agency response: strategy meetings with attendees and actions (PRODUCT.md,
"Clocks and duties"). CSE risk assessments are in apps.children, Regulation 40 decisions in
apps.episodes."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.children.models import CseIndicator
from apps.core.models import TimeStampedModel, VersionedModel

# Strategy meetings ------------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RESCHEDULED = "rescheduled", "Rescheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Decision(models.TextChoices):
    SAFETY_PLAN = "safety_plan", "Safety plan agreed"
    EXPLOITATION_PANEL = "exploitation_panel", "Referral to an exploitation panel"
    SECTION_47 = "section_47", "Section 47 enquiry"
    NRM = "nrm", "National Referral Mechanism referral"
    DISRUPTION = "disruption", "Police disruption activity"
    PLACEMENT_REVIEW = "placement_review", "Review of the placement"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class MeetingQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(status__in=[MeetingStatus.SCHEDULED, MeetingStatus.RESCHEDULED])


class StrategyMeeting(TimeStampedModel, VersionedModel):
    """A multi-agency strategy meeting about one child. The chair's authority is the child's
    placing authority. `uid` and `sequence` are the calendar invitation's identity and
    revision: every move or cancellation sends the same UID with a higher SEQUENCE."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="strategy_meetings"
    )
    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="strategy_meetings"
    )
    reason = models.TextField(max_length=2000)
    alerts = models.ManyToManyField("alerts.Alert", blank=True, related_name="meetings")
    episodes = models.ManyToManyField("episodes.Episode", blank=True, related_name="meetings")
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField("place", max_length=300, blank=True)
    video_link = models.URLField(max_length=500, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_meetings"
    )
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    uid = models.CharField(max_length=100, unique=True, default="", editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    held_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(
        blank=True, max_length=20000, help_text="Seen by everyone who can see the meeting"
    )
    restricted_minutes = models.TextField(
        blank=True,
        max_length=20000,
        help_text="Only the chair's authority and invited attendees outside the police read these",
    )
    decisions = models.JSONField(default=list, blank=True, help_text="Decision values")
    decision_notes = models.TextField(blank=True, max_length=4000)
    next_review_on = models.DateField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(location="", video_link=""),
                name="meeting_has_place_or_link",
                violation_error_message="Enter a place or a video link.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values),
                name="meeting_status_valid",
                violation_error_message="Choose a status.",
            ),
        ]
        indexes = [
            # A child's meetings, newest first (child page, the meeting-timeliness figure).
            models.Index(fields=["child", "-scheduled_at"], name="meeting_child_recent"),
            # The authority's upcoming meetings.
            models.Index(fields=["authority", "scheduled_at"], name="meeting_authority_when"),
            # The "meeting review due" time rule and the social worker's reviews due.
            models.Index(
                fields=["next_review_on"],
                name="meeting_review_due",
                condition=Q(status="held", next_review_on__isnull=False),
            ),
        ]

    def save(self, *args, **kwargs):
        if not self.uid:
            self.uid = f"{uuid.uuid4()}@{settings.ALERT_MESSAGE_ID_DOMAIN}"
        super().save(*args, **kwargs)

    def __str__(self):
        return f"Strategy meeting about {self.child} on {self.scheduled_at:%d/%m/%Y}"

    @property
    def is_upcoming(self) -> bool:
        return self.status in (MeetingStatus.SCHEDULED, MeetingStatus.RESCHEDULED)


class Attendance(models.TextChoices):
    UNKNOWN = "", "Not recorded"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Did not attend"


class MeetingAttendee(models.Model):
    """Someone invited: a Homeward user, or an external person with a name, agency and email
    (health, education, an independent reviewing officer)."""

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_invitations",
    )
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=200)
    email = models.EmailField()
    attendance = models.CharField(
        max_length=20, choices=Attendance.choices, blank=True, default=Attendance.UNKNOWN
    )
    # The meeting's invitation SEQUENCE last emailed to this person (None: not yet sent).
    sent_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["sent_sequence"])

    class Meta:
        ordering = ["meeting", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="attendee_user_once_per_meeting",
                violation_error_message="This person is already invited.",
            ),
            models.UniqueConstraint(
                fields=["meeting", "email"],
                name="attendee_email_once_per_meeting",
                violation_error_message="Someone with this email address is already invited.",
            ),
        ]
        indexes = [
            # "Meetings I am invited to" (police scope, my meetings).
            models.Index(fields=["user", "meeting"], name="attendee_user_meeting"),
        ]

    def __str__(self):
        return f"{self.name} ({self.agency})"

    @property
    def is_external(self) -> bool:
        return self.user_id is None


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class MeetingAction(TimeStampedModel, VersionedModel):
    """Something a meeting decided someone will do by a date. The owner is a Homeward user or
    an external attendee of the meeting."""

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(max_length=2000)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    owner_attendee = models.ForeignKey(
        MeetingAttendee, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_note = models.TextField(blank=True, max_length=2000)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False) | Q(owner_attendee__isnull=False),
                name="action_has_owner",
                violation_error_message="Choose who owns the action.",
            ),
        ]
        indexes = [
            # "My actions", and beat's overdue sweep: open actions by due date.
            models.Index(
                fields=["owner_user", "due_on"],
                condition=Q(status="open"),
                name="action_open_by_owner",
            ),
            models.Index(fields=["due_on"], condition=Q(status="open"), name="action_open_due"),
        ]

    def __str__(self):
        return self.description[:60]

    @property
    def owner_name(self) -> str:
        if self.owner_user_id:
            return self.owner_user.full_name
        return self.owner_attendee.name if self.owner_attendee_id else ""


# The admin's list of CSE indicators -------------------------------------------------------


class CseIndicatorListing(CseIndicator):
    """The CSE screening indicators as the admin lists them, read-only, under the
    multi-agency response as before they moved to children: they are authority configuration,
    not child data, and the admin shows no children section (ARCHITECTURE.md, access model)."""

    class Meta:
        proxy = True
        verbose_name = "CSE indicator"
