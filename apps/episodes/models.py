"""Missing and away episodes, their timeline, the return home interview and safe-and-well visits.

Definitions (DfE statutory guidance, 2014; PRODUCT.md):
- missing: whereabouts unknown; away (absent): not where they should be, whereabouts known.
- overnight: away at any moment of the authority's night window (default 00:00-06:00 UK time).
"""

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, VersionedModel


class EpisodeKind(models.TextChoices):
    # The values are the SSDA903 MISSING codes.
    MISSING = "M", "Missing"
    AWAY = "A", "Away from placement without authorisation"


class RiskGrade(models.TextChoices):
    """The police risk grades of the current APP on missing persons (College of Policing):
    very low, low, medium, high ("no apparent risk" became very low, migration 0008)."""

    VERY_LOW = "very_low", "Very low"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


RISK_ORDER = {
    RiskGrade.HIGH: 0,
    RiskGrade.MEDIUM: 1,
    RiskGrade.LOW: 2,
    RiskGrade.VERY_LOW: 3,
    None: 4,
}


class ReturnMethod(models.TextChoices):
    OWN_ACCORD = "own_accord", "Returned of their own accord"
    FOUND_BY_POLICE = "found_by_police", "Found by police"
    FOUND_BY_STAFF = "found_by_staff", "Found by staff"
    FOUND_BY_FAMILY = "found_by_family", "Found by family"
    OTHER = "other", "Other"


class EpisodeQuerySet(models.QuerySet):
    def open(self):
        return self.filter(returned_at__isnull=True)

    def closed(self):
        return self.filter(returned_at__isnull=False)

    def with_steps_left(self):
        """Annotate `steps_left`: the first-hour steps not done yet (FirstStep, and the active
        steps of the child's placing authority), in the same query."""
        ticks = StepTick.objects.filter(episode=OuterRef("pk"))

        def left(step):
            """1 while the step is not done, else 0 (the rule of STEPS_ON_EPISODE)."""
            if step in STEPS_ON_EPISODE:
                field, unset = STEPS_ON_EPISODE[step]
                not_done = Q(**{f"{field}__isnull": True} if unset is None else {field: unset})
            else:
                not_done = ~Exists(ticks.filter(step=step))
            return Case(
                When(not_done, then=Value(1)), default=Value(0), output_field=IntegerField()
            )

        authority_left = Coalesce(
            Subquery(
                AuthorityStep.objects.filter(
                    authority_id=OuterRef("child__placing_authority_id"), active=True
                )
                .exclude(
                    Exists(
                        StepTick.objects.filter(
                            episode=OuterRef(OuterRef("pk")), authority_step=OuterRef("pk")
                        )
                    )
                )
                .order_by()
                .values("authority_id")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
        return self.annotate(
            steps_left=sum((left(step) for step in STATUTORY_STEPS), start=authority_left)
        )


class Episode(TimeStampedModel, VersionedModel):
    """One time a child was missing or away from their placement, from last seen to return.

    Rules: one open episode per child (partial unique constraint); return after last seen
    (constraint); last seen not in the future, after date of birth, and no overlap with the
    child's other episodes (apps.episodes.services, under a lock on the child row).
    """

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="episodes")
    home = models.ForeignKey(
        "homes.Home",
        on_delete=models.PROTECT,
        related_name="episodes",
        help_text="The home the child was placed at when the episode began.",
    )
    kind = models.CharField(max_length=1, choices=EpisodeKind.choices)
    # Philomena part 2, and what happened.
    last_seen_at = models.DateTimeField()
    last_seen_where = models.CharField(max_length=300)
    last_seen_with = models.CharField("with whom", max_length=300, blank=True)
    clothing = models.TextField(blank=True, max_length=1000)
    appearance = models.TextField(
        "description on the day",
        blank=True,
        max_length=1000,
        help_text="Anything different from the profile: hair, bags, injuries",
    )
    circumstances = models.TextField(blank=True, max_length=4000)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Police.
    reported_to_police_at = models.DateTimeField(null=True, blank=True)
    police_reference = models.CharField(max_length=50, blank=True)
    risk_grade = models.CharField(max_length=20, choices=RiskGrade.choices, blank=True)
    # APP: each grade records who gave it, how to reach them, when, and when it is reviewed.
    risk_graded_at = models.DateTimeField("risk graded at", null=True, blank=True)
    risk_graded_by = models.CharField(
        "who gave the grade",
        max_length=200,
        blank=True,
        help_text="The officer's name and collar number",
    )
    risk_grader_contact = models.CharField(
        "their contact details", max_length=200, blank=True, help_text="A phone number or email"
    )
    risk_review_at = models.DateTimeField("risk grade to be reviewed by", null=True, blank=True)
    # Recorded after the child came back (the start and the return on one form), and why.
    recorded_late = models.BooleanField(default=False)
    late_reason = models.TextField("why it is recorded late", blank=True, max_length=2000)
    # Duties to tell people.
    social_worker_notified_at = models.DateTimeField(
        "placing authority and social worker told at", null=True, blank=True
    )
    # Regulation 40 flags (notifiable events; the decision itself is the home manager's).
    suspected_sexual_exploitation = models.BooleanField(default=False)
    serious_police_incident = models.BooleanField(default=False)
    # The return.
    returned_at = models.DateTimeField(null=True, blank=True)
    return_method = models.CharField(max_length=20, choices=ReturnMethod.choices, blank=True)
    found_where = models.CharField(max_length=300, blank=True)
    found_postcode = models.CharField(max_length=8, blank=True)
    returned_with = models.CharField("returned with whom", max_length=300, blank=True)
    condition = models.TextField("condition on return", blank=True, max_length=2000)
    concerns = models.TextField("concerns on return", blank=True, max_length=4000)
    return_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Derived, kept up to date by the services: away at any moment of the night window.
    overnight = models.BooleanField(default=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(returned_at__isnull=True),
                name="episode_one_open_per_child",
                violation_error_message="This child already has an open episode.",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gt=F("last_seen_at")),
                name="episode_return_after_last_seen",
                violation_error_message="The return must be after the child was last seen.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["M", "A"]),
                name="episode_kind_valid",
                violation_error_message="Choose missing or away.",
            ),
        ]
        indexes = [
            # The "risk grade review overdue" time rule: open episodes by review time.
            models.Index(
                fields=["risk_review_at"],
                condition=Q(returned_at__isnull=True, risk_review_at__isnull=False),
                name="episode_risk_review_open",
            ),
            # Missing-now board: open episodes.
            models.Index(
                fields=["home", "last_seen_at"],
                condition=Q(returned_at__isnull=True),
                name="episode_open_by_home",
            ),
            # A child's episodes, newest first (overlap checks, child page, rules).
            models.Index(fields=["child", "-last_seen_at"], name="episode_child_recent"),
            # Episodes by return time: the return-interview time rule beat runs every minute
            # (apps.alerts.services.time_rules_evaluate: returned in the last 14 days), which
            # would otherwise read every episode ever returned.
            models.Index(
                fields=["returned_at"],
                condition=Q(returned_at__isnull=False),
                name="episode_returned",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()} episode of {self.child} from {self.last_seen_at:%d/%m/%Y}"
        )

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def duration(self):
        return (self.returned_at or timezone.now()) - self.last_seen_at


class UpdateCategory(models.TextChoices):
    REPORTED = "reported", "Reported"
    SIGHTING = "sighting", "Sighting"
    CONTACT = "contact", "Contact with the child"
    CALL = "call", "Call"
    POLICE = "police", "Police update"
    KIND_CHANGE = "kind_change", "Changed missing or away"
    RISK_GRADE = "risk_grade", "Police risk grade"
    RETURN = "return", "Returned"
    NOTE = "note", "Note"


class EpisodeUpdate(models.Model):
    """One entry in an episode's timeline: what happened, when, and who recorded it."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="updates")
    category = models.CharField(max_length=20, choices=UpdateCategory.choices)
    happened_at = models.DateTimeField()
    text = models.TextField(max_length=4000, blank=True)
    old_value = models.CharField(max_length=50, blank=True)
    new_value = models.CharField(max_length=50, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_at", "-pk"]
        indexes = [
            # The episode page's timeline, newest first.
            models.Index(fields=["episode", "-happened_at"], name="episodeupdate_timeline"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} at {self.happened_at}"


class InterviewOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted and held"
    DECLINED = "declined", "Declined by the child"
    NOT_POSSIBLE = "not_possible", "Not possible"


class ReturnInterview(TimeStampedModel, VersionedModel):
    """The return home interview offered after every episode, due within 72 hours of return,
    held by someone independent of the home."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="interview")
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_interviews",
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=InterviewOutcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True, max_length=2000)
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.CharField("held by", max_length=200, blank=True)
    independent_of_home = models.BooleanField(null=True, blank=True)
    push_factors = models.TextField(blank=True, max_length=4000)
    pull_factors = models.TextField(blank=True, max_length=4000)
    places_mentioned = models.TextField(blank=True, max_length=4000)
    associates_mentioned = models.TextField(blank=True, max_length=4000)
    disclosures = models.TextField(blank=True, max_length=8000)
    cse_concern = models.BooleanField("concern about sexual exploitation", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the child said is read by the social worker, return interviewers and managers
    # (access.can_read_interview_content); a care worker or police officer sees the outcome
    # and this summary, if the social worker shares one.
    shared_summary = models.TextField(blank=True, max_length=2000)
    summary_shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary_shared_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # Interviews still to do, by due time (overdue lists, the 72-hour rule).
            models.Index(fields=["due_at"], condition=Q(outcome=""), name="interview_pending_due"),
            models.Index(fields=["assigned_to", "due_at"], name="interview_assignee_due"),
        ]

    def __str__(self):
        return f"Return interview for {self.episode}"

    @property
    def is_done(self) -> bool:
        return bool(self.outcome)

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if self.outcome == InterviewOutcome.ACCEPTED and self.held_at:
            return self.held_at > self.due_at
        return not self.outcome and now > self.due_at


class SafeAndWellVisit(TimeStampedModel):
    """A police check on the child after they return (separate from the interview)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="visits")
    visited_at = models.DateTimeField()
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    officer_name = models.CharField(max_length=200, help_text="Name and collar number")
    location = models.CharField(max_length=300)
    outcome = models.TextField(max_length=4000)
    concerns = models.TextField(blank=True, max_length=4000)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-visited_at"]

    def __str__(self):
        return f"Safe and well visit at {self.visited_at}"


# Regulation 40 ----------------------------------------------------------------------------


class Reg40Status(models.TextChoices):
    PENDING = "pending", "Decision needed"
    NOTIFIED = "notified", "Notified to Ofsted"
    NOT_NOTIFIABLE = "not_notifiable", "Not notifiable"
    WITHDRAWN = "withdrawn", "Withdrawn: the episode is no longer flagged"


class Regulation40Decision(TimeStampedModel, VersionedModel):
    """The home manager's decision whether an event must be notified to Ofsted under
    Regulation 40 of the Children's Homes Regulations 2015. Opened as a prompt when an episode
    is flagged for suspected sexual exploitation or a serious police incident."""

    episode = models.OneToOneField(
        "episodes.Episode", on_delete=models.PROTECT, related_name="regulation40"
    )
    home = models.ForeignKey("homes.Home", on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(max_length=300)
    status = models.CharField(
        max_length=20, choices=Reg40Status.choices, default=Reg40Status.PENDING
    )
    notified_at = models.DateTimeField("notified to Ofsted at", null=True, blank=True)
    ofsted_reference = models.CharField(max_length=50, blank=True)
    not_notifiable_reason = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        table_name="strategy_meetings_historicalregulation40decision",
    )

    class Meta:
        # Moved from strategy_meetings; the table keeps its name (and its rows).
        db_table = "strategy_meetings_regulation40decision"
        ordering = ["-created_at"]
        verbose_name = "Regulation 40 decision"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="notified")
                | (Q(notified_at__isnull=False) & ~Q(ofsted_reference="")),
                name="reg40_notified_has_time_and_reference",
                violation_error_message="Enter when Ofsted was notified and its reference.",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_notifiable") | ~Q(not_notifiable_reason=""),
                name="reg40_not_notifiable_has_reason",
                violation_error_message="Enter why this is not notifiable.",
            ),
        ]
        indexes = [
            # The home manager's open prompts.
            models.Index(fields=["home"], condition=Q(status="pending"), name="reg40_pending"),
        ]

    def __str__(self):
        return f"Regulation 40 decision for {self.episode}"


# The first hour ------------------------------------------------------------------------------


class FirstStep(models.TextChoices):
    """The statutory first steps of a missing protocol (PRODUCT.md, "The first hour")."""

    SEARCH = "search", "Search of the home and grounds done"
    POLICE_CALLED = "police_called", "Police called"
    POLICE_PACK = "police_pack", "Police given the Philomena pack"
    RISK_GRADE = "risk_grade", "Police risk grade recorded"
    AUTHORITY_TOLD = "authority_told", "Placing authority and social worker told"
    PARENT_TOLD = "parent_told", "Parent or carer told"
    AUTHORITY_STEP = "authority_step", "A step of the authority's own"


# The statutory steps in the order the protocol asks them (the authority's own come last).
STATUTORY_STEPS = [
    FirstStep.SEARCH,
    FirstStep.POLICE_CALLED,
    FirstStep.POLICE_PACK,
    FirstStep.RISK_GRADE,
    FirstStep.AUTHORITY_TOLD,
    FirstStep.PARENT_TOLD,
]
# Steps done when the episode records them, not when ticked: the episode's field and its value
# while not done. The first-hour page (selectors.first_hour_steps) and the count on the
# missing-now board (EpisodeQuerySet.with_steps_left) both read this one rule.
STEPS_ON_EPISODE = {
    FirstStep.POLICE_CALLED: ("reported_to_police_at", None),
    FirstStep.RISK_GRADE: ("risk_grade", ""),
    FirstStep.AUTHORITY_TOLD: ("social_worker_notified_at", None),
}
# Ticked by Homeward, never by hand: from Episode.social_worker_notified_at (filled when its
# notices go).
DERIVED_STEPS = {FirstStep.AUTHORITY_TOLD}


class AuthorityStep(TimeStampedModel, VersionedModel):
    """A first-hour step an authority adds to its missing protocol, for episodes of the
    children it places. Retired steps stay (ticks name them) but are no longer asked."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="first_hour_steps"
    )
    wording = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["authority", "order", "pk"]
        indexes = [models.Index(fields=["authority", "order"], name="authoritystep_order")]

    def __str__(self):
        return self.wording


class StepTick(TimeStampedModel, VersionedModel):
    """One first-hour step ticked on an episode: who, when, and what was noted. Steps that
    map to an episode field (police called, risk grade) also write the field, through
    apps.episodes.services.episode_update."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="ticks")
    step = models.CharField(max_length=20, choices=FirstStep.choices)
    authority_step = models.ForeignKey(
        AuthorityStep, on_delete=models.PROTECT, null=True, blank=True, related_name="ticks"
    )
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    not_appropriate = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["episode", "done_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "step"],
                condition=Q(authority_step__isnull=True),
                name="steptick_one_per_step",
                violation_error_message="This step has already been ticked.",
            ),
            models.UniqueConstraint(
                fields=["episode", "authority_step"],
                condition=Q(authority_step__isnull=False),
                name="steptick_one_per_authority_step",
                violation_error_message="This step has already been ticked.",
            ),
            models.CheckConstraint(
                condition=Q(step="authority_step", authority_step__isnull=False)
                | (~Q(step="authority_step") & Q(authority_step__isnull=True)),
                name="steptick_authority_step_named",
            ),
        ]

    def __str__(self):
        return f"{self.get_step_display()} on {self.episode_id}"
