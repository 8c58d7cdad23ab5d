"""Escalation: the rules each authority sets, the alerts they raise, and their delivery.

The pipeline (ARCHITECTURE.md, "Escalation pipeline"):
1. A service that changes an episode or interview calls apps.alerts.engine inside its own
   transaction; beat runs the time rules every minute.
2. A firing rule creates one Alert, unique on rule + child + key (the episode, or the first
   episode of the window), so evaluating twice, or in two transactions at once, makes one.
3. Each recipient gets an in-app Notification at once and an AlertDelivery row per email: the
   outbox. After commit a task claims each delivery with a conditional update and sends it.
4. An alert nobody acknowledges in the rule's time climbs the ladder to the next recipients.

Notices (PRODUCT.md, "Who is told") share the outbox: a Notice is one event told to the people
and inboxes who must know it (a child reported missing, back, re-graded; an out-of-area
placement; a task given), with one AlertDelivery per recipient and channel, exactly as an
alert's. Each Notice is unique on its key, so a retried event tells nobody twice.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, VersionedModel


class RuleType(models.TextChoices):
    EPISODES_IN_WINDOW = "episodes_in_window", "Episodes within a number of days"
    OVERNIGHT_IN_WINDOW = "overnight_in_window", "Overnight absences within a number of days"
    OVERNIGHT_AT_CSE_RISK = "overnight_at_cse_risk", "Overnight absence at medium or high CSE risk"
    OPEN_LONGER_THAN = "open_longer_than", "Episode open longer than a number of hours"
    POLICE_RISK_HIGH = "police_risk_high", "Police risk grade set to high"
    NO_POLICE_REPORT = "no_police_report", "Missing with no police report after a number of hours"
    INTERVIEW_NOT_HELD = "interview_not_held", "Return interview not held in time"
    ACTION_OVERDUE = "action_overdue", "Strategy meeting action overdue"
    CSE_REVIEW_DUE = "cse_review_due", "CSE risk assessment review due"
    MEETING_REVIEW_DUE = "meeting_review_due", "Strategy meeting review due"
    RISK_REVIEW_DUE = "risk_review_due", "Police risk grade not reviewed in time"


# Which parameters each rule type uses. The rule form asks for these and no others.
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    RuleType.EPISODES_IN_WINDOW: ("count", "days"),
    RuleType.OVERNIGHT_IN_WINDOW: ("count", "days"),
    RuleType.OVERNIGHT_AT_CSE_RISK: (),
    RuleType.OPEN_LONGER_THAN: ("hours",),
    RuleType.POLICE_RISK_HIGH: (),
    RuleType.NO_POLICE_REPORT: ("hours",),
    RuleType.INTERVIEW_NOT_HELD: ("hours",),
    RuleType.ACTION_OVERDUE: (),
    # Days before the review date that the alert is raised (it is raised once).
    RuleType.CSE_REVIEW_DUE: ("days",),
    RuleType.MEETING_REVIEW_DUE: ("days",),
    RuleType.RISK_REVIEW_DUE: (),  # the review time comes with each grade
}
# Rules checked by beat every minute; the others run when the data changes.
TIME_RULES = {
    RuleType.OPEN_LONGER_THAN,
    RuleType.NO_POLICE_REPORT,
    RuleType.INTERVIEW_NOT_HELD,
    RuleType.ACTION_OVERDUE,
    RuleType.CSE_REVIEW_DUE,
    RuleType.MEETING_REVIEW_DUE,
    RuleType.RISK_REVIEW_DUE,
}


class Severity(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    HIGH = "high", "High"
    STANDARD = "standard", "Standard"


class RecipientRole(models.TextChoices):
    """Who a rule tells, worked out for each alert from the child and the home."""

    SOCIAL_WORKER = "social_worker", "The child's social worker"
    HOME_MANAGER = "home_manager", "Managers of the home"
    POLICE_LIAISON = "police_liaison", "Police liaison officers for the home's force area"
    SERVICE_MANAGER = "service_manager", "Service managers of the placing authority"
    ACTION_OWNER = "action_owner", "The owner of the action (meeting actions)"
    MEETING_CHAIR = "meeting_chair", "The chair of the meeting (meeting actions)"


class EscalationRule(TimeStampedModel, VersionedModel):
    """One threshold of one local authority, editable by its service managers."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="escalation_rules"
    )
    rule_type = models.CharField(max_length=30, choices=RuleType.choices)
    name = models.CharField(max_length=120)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    hours = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    recipient_roles = models.JSONField(default=list, help_text="RecipientRole values")
    action = models.CharField(
        "what to do",
        max_length=300,
        help_text="Shown on the alert, e.g. 'Consider a strategy meeting'",
    )
    acknowledge_within_minutes = models.PositiveIntegerField(
        default=60,
        help_text="Minutes before an unacknowledged alert climbs to the next step of the ladder",
    )
    enabled = models.BooleanField(default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["authority", "rule_type", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rule_type__in=RuleType.values),
                name="rule_type_valid",
                violation_error_message="Choose a type of rule.",
            ),
            models.CheckConstraint(
                condition=Q(acknowledge_within_minutes__gte=5),
                name="rule_acknowledge_at_least_5_minutes",
                violation_error_message="Allow at least 5 minutes to acknowledge.",
            ),
        ]
        indexes = [
            # The engine: an authority's enabled rules of some types, for every event.
            models.Index(fields=["authority", "enabled", "rule_type"], name="rule_authority_type"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_time_rule(self) -> bool:
        return self.rule_type in TIME_RULES

    def describe(self) -> str:
        """The threshold in words, e.g. '3 episodes within 30 days', '1 hour'."""

        def n(value, word):
            return f"{value} {word}" if value == 1 else f"{value} {word}s"

        match self.rule_type:
            case RuleType.EPISODES_IN_WINDOW:
                return f"{self.count} episodes of any kind within {n(self.days, 'day')}"
            case RuleType.OVERNIGHT_IN_WINDOW:
                return f"{self.count} overnight absences within {n(self.days, 'day')}"
            case RuleType.OVERNIGHT_AT_CSE_RISK:
                return "Any overnight absence while the child's CSE risk is medium or high"
            case RuleType.OPEN_LONGER_THAN:
                return f"An episode open longer than {n(self.hours, 'hour')}"
            case RuleType.POLICE_RISK_HIGH:
                return "The police risk grade is set to high"
            case RuleType.NO_POLICE_REPORT:
                return f"A missing episode not reported to police after {n(self.hours, 'hour')}"
            case RuleType.INTERVIEW_NOT_HELD:
                return f"The return interview not held {n(self.hours, 'hour')} after the return"
            case RuleType.ACTION_OVERDUE:
                return "An action from a strategy meeting not done by its due date"
            case RuleType.CSE_REVIEW_DUE:
                return (
                    f"The child's CSE risk assessment due for review within "
                    f"{n(self.days, 'day')}, or overdue"
                )
            case RuleType.RISK_REVIEW_DUE:
                return (
                    "A child still missing or away whose police risk grade passed its review "
                    "time with no new grade"
                )
            case RuleType.MEETING_REVIEW_DUE:
                return (
                    f"The review a strategy meeting set due within {n(self.days, 'day')}, "
                    "with no later meeting booked"
                )
        return self.get_rule_type_display()


class AlertStatus(models.TextChoices):
    OPEN = "open", "Not acknowledged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


# Most severe first: the choices are listed in that order, their values are not.
SEVERITY_RANK = {value: rank for rank, value in enumerate(Severity.values)}


class AlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=AlertStatus.OPEN)

    def by_urgency(self):
        """Alerts not yet acknowledged first, most severe first, the longest waiting first;
        then the acknowledged ones, newest first."""
        is_open = models.Q(status=AlertStatus.OPEN)
        return self.order_by(
            models.Case(models.When(is_open, then=0), default=1),
            models.Case(
                *(models.When(severity=value, then=rank) for value, rank in SEVERITY_RANK.items()),
                default=len(SEVERITY_RANK),
            ),
            models.Case(models.When(is_open, then="raised_at")).asc(nulls_last=True),
            "-raised_at",
            "-pk",
        )


class Alert(TimeStampedModel, VersionedModel):
    """One rule firing for one child. `key` is the episode the rule fired on, or the first
    episode of the window for the window rules: the same data always gives the same key."""

    rule = models.ForeignKey(EscalationRule, on_delete=models.PROTECT, related_name="alerts")
    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="alerts"
    )
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="alerts")
    home = models.ForeignKey(
        "homes.Home", on_delete=models.PROTECT, related_name="alerts", null=True, blank=True
    )
    key = models.CharField(max_length=40)
    episodes = models.ManyToManyField(
        "episodes.Episode", related_name="alerts", help_text="The episodes that triggered it"
    )
    # Window rules: the end of the window the alert covers; no repeat alert starts inside it.
    window_ends_at = models.DateTimeField(null=True, blank=True)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    action = models.CharField(max_length=300)
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True, max_length=2000)
    # The ladder: 0 the rule's recipients, 1 the authority's service managers, 2 out of hours.
    level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalate_at = models.DateTimeField(
        null=True, blank=True, help_text="When it climbs the ladder if nobody acknowledges it"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "child", "key"],
                name="alert_one_per_rule_child_key",
                violation_error_message="This alert has already been raised.",
            ),
            models.CheckConstraint(
                condition=Q(status=AlertStatus.OPEN) | Q(acknowledged_at__isnull=False),
                name="alert_acknowledged_has_time",
                violation_error_message="An acknowledged alert says when.",
            ),
        ]
        indexes = [
            # Beat's ladder: open alerts due to climb.
            models.Index(
                fields=["escalate_at"],
                condition=Q(status="open"),
                name="alert_open_escalate_at",
            ),
            # The authority's alerts list, newest first; and one child's alerts.
            models.Index(fields=["authority", "-raised_at"], name="alert_authority_recent"),
            models.Index(fields=["child", "rule", "-raised_at"], name="alert_child_rule_recent"),
        ]

    def __str__(self):
        return f"{self.title} ({self.child})"

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN


class Channel(models.TextChoices):
    IN_APP = "in_app", "In Homeward"
    EMAIL = "email", "Email"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class NoticeKind(models.TextChoices):
    EPISODE_REPORTED = "episode_reported", "Reported missing or away"
    EPISODE_CHANGED = "episode_changed", "Kind or police risk grade changed"
    EPISODE_RETURNED = "episode_returned", "Came back"
    PLACEMENT_STARTED = "placement_started", "Placed in your area"
    PLACEMENT_ENDED = "placement_ended", "Placement in your area ended"
    INTERVIEW_ASSIGNED = "interview_assigned", "Return interview given to you"
    ACTION_ASSIGNED = "action_assigned", "Action given to you"


class Notice(models.Model):
    """One event told to everyone who must know it. It names the child by initials and ID
    only; the details are behind sign-in, where the recipient's own scope applies."""

    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    key = models.CharField(
        max_length=80, unique=True, help_text="The event, e.g. episode-12-reported"
    )
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="notices")
    episode = models.ForeignKey(
        "episodes.Episode",
        on_delete=models.CASCADE,
        related_name="notices",
        null=True,
        blank=True,
    )
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=1000, help_text="What happened, initials and ID only")
    ask = models.CharField(max_length=300, help_text="What is asked of the recipient")
    path = models.CharField(max_length=200, help_text="Where the recipient finds the record")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # "Who has been told" on an episode.
            models.Index(fields=["episode", "created_at"], name="notice_episode"),
        ]

    def __str__(self):
        return f"{self.title} ({self.key})"


class AlertDeliveryQuerySet(models.QuerySet):
    def due(self, now):
        """Deliveries a worker should (re)try now: pending and due, or claimed by a worker that
        has not finished in the claim timeout (it died or lost its connection)."""
        stale = now - timedelta(seconds=settings.ALERT_CLAIM_TIMEOUT_SECONDS)
        return self.filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
        )


class AlertDelivery(models.Model):
    """One message to one recipient on one channel: the outbox row, of an alert or of a
    notice (exactly one of the two). In-app deliveries are written as sent (an alert's with
    its Notification; a notice's read_at says when its recipient opened it); email rows wait
    here until a worker sends them."""

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_deliveries",
        help_text="Empty for an out-of-hours contact outside Homeward",
    )
    email = models.EmailField(blank=True)
    recipient_name = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True, help_text="A notice opened in Homeward")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AlertDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["alert", "level", "pk"]
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(alert__isnull=True) ^ Q(notice__isnull=True),
                name="delivery_of_alert_or_notice",
                violation_error_message="A delivery carries one alert or one notice.",
            ),
            models.UniqueConstraint(
                fields=["notice", "user", "channel"],
                condition=Q(user__isnull=False),
                name="delivery_one_per_notice_user_channel",
                violation_error_message="This person has already been sent this notice.",
            ),
            models.UniqueConstraint(
                fields=["notice", "email", "channel"],
                condition=Q(user__isnull=True),
                name="delivery_one_per_notice_address_channel",
                violation_error_message="This address has already been sent this notice.",
            ),
            models.UniqueConstraint(
                fields=["alert", "user", "channel"],
                condition=Q(user__isnull=False),
                name="delivery_one_per_alert_user_channel",
                violation_error_message="This person has already been sent this alert.",
            ),
            models.UniqueConstraint(
                fields=["alert", "email", "channel"],
                condition=Q(user__isnull=True),
                name="delivery_one_per_alert_address_channel",
                violation_error_message="This address has already been sent this alert.",
            ),
        ]
        indexes = [
            # Beat's outbox sweep: rows not yet sent, by when they are due.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="delivery_unsent_due",
            ),
            # "Mine": alerts delivered to a user.
            models.Index(fields=["user", "alert"], name="delivery_user_alert"),
            # A user's notices in Homeward, newest first, and the header's unread count.
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(notice__isnull=False, channel="in_app"),
                name="delivery_user_notices",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.recipient_name} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable per delivery, so a repeated send (a crash after sending, before the row was
        marked) is recognisable as the same message by mail systems and people."""
        what = f"alert-{self.alert_id}" if self.alert_id else f"notice-{self.notice_id}"
        return f"<{what}.delivery-{self.pk}@{settings.ALERT_MESSAGE_ID_DOMAIN}>"


class Notification(models.Model):
    """An alert in a user's Homeward inbox; the header shows how many are unread."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "alert"],
                name="notification_one_per_user_alert",
                violation_error_message="This person already has this notification.",
            ),
        ]
        indexes = [
            # The header's unread count.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self):
        return f"Notification of alert {self.alert_id} for user {self.user_id}"
