"""Children, their placements over time, their Philomena profile, and who may see them."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, VersionedModel


class Sex(models.TextChoices):
    # SSDA903 SEX codes: 1 male, 2 female.
    MALE = "1", "Male"
    FEMALE = "2", "Female"


class Ethnicity(models.TextChoices):
    """DfE ethnicity codes used in the SSDA903 return."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class CseRisk(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class PrivateStorage(FileSystemStorage):
    """Files about children: outside static and media URLs, served only by access-checked views.

    The location is read from settings on every use (not frozen at import), so tests and
    deployments that change PRIVATE_MEDIA_ROOT are honoured.
    """

    def __init__(self, **kwargs):
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def photo_path(child, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"photos/{child.pk or 'new'}/{stamp}.{extension}"


class ChildQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_archived=False)

    def search(self, text: str):
        """Match the start of any name, or the authority's child id exactly (case-insensitive)."""
        text = (text or "").strip()
        if not text:
            return self
        query = Q(child_id__iexact=text)
        for word in text.split():
            query |= (
                Q(first_name__istartswith=word)
                | Q(last_name__istartswith=word)
                | Q(preferred_name__istartswith=word)
            )
        return self.filter(query)


class Child(TimeStampedModel, VersionedModel):
    """A looked-after child, owned by the placing authority that holds their case."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    child_id = models.CharField(
        "child ID",
        max_length=10,
        help_text="The placing authority's own ID for the child (CHILD in the SSDA903 return).",
    )
    placing_authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="placed_children"
    )
    allocated_social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocated_children",
    )
    photo = models.ImageField(upload_to=photo_path, storage=PrivateStorage, blank=True)
    photo_taken_on = models.DateField(null=True, blank=True)
    # Interim CSE risk level used by the escalation rules until the CSE risk assessment
    # (strategy meetings issue) records it; blank means not assessed.
    cse_risk = models.CharField(
        "CSE risk level", max_length=10, choices=CseRisk.choices, blank=True
    )
    is_archived = models.BooleanField(default=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "children"
        permissions = [("edit_profile", "Can keep the child's Philomena profile")]
        constraints = [
            models.UniqueConstraint(
                fields=["placing_authority", "child_id"],
                name="child_id_unique_within_authority",
                violation_error_message="Another child of this authority already has this ID.",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=["1", "2"]),
                name="child_sex_valid",
                violation_error_message="Choose male or female.",
            ),
        ]
        indexes = [
            # Service manager scope: children an authority places.
            models.Index(fields=["placing_authority", "last_name"], name="child_authority_name"),
            # Social worker scope: the caseload.
            models.Index(fields=["allocated_social_worker"], name="child_social_worker"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @cached_property
    def current_placement(self):
        """The placement with no end date, if prefetched as `current_placements` or queried."""
        prefetched = getattr(self, "current_placements", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.placements.filter(end_date__isnull=True).select_related("home").first()


class ChildUserObjectPermission(UserObjectPermissionBase):
    """A guardian grant on one child to one user.

    Used for the allocated social worker (no expiry) and for time-boxed grants to police
    liaison officers (expires_at and reason set). Scopes treat an expired grant as absent at
    once; a beat task deletes expired rows so the table stays small.
    """

    content_object = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="grants")
    reason = models.CharField(max_length=500, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True, null=True)
    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            # Social worker / police scope: the children granted to a user.
            models.Index(fields=["user", "permission"], name="childgrant_user_perm"),
            # Expiry task: grants past their expiry.
            models.Index(fields=["expires_at"], name="childgrant_expiry"),
        ]


class PlacementQuerySet(models.QuerySet):
    def current(self):
        return self.filter(end_date__isnull=True)

    def on(self, day):
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )

    def with_out_of_area(self):
        """Annotate out_of_area: the placing authority is not the home's host authority."""
        return self.annotate(
            out_of_area_flag=~Q(child__placing_authority_id=F("home__host_authority_id"))
        )


class Placement(TimeStampedModel, VersionedModel):
    """A child living at a home from start_date to end_date (open while current).

    Rules: end on or after start (constraint); at most one current placement per child
    (partial unique constraint); no two placements of a child overlap (checked by
    apps.children.services under a lock on the child row).
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements")
    home = models.ForeignKey("homes.Home", on_delete=models.PROTECT, related_name="placements")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_end_after_start",
                violation_error_message="The placement cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(end_date__isnull=True),
                name="placement_one_current_per_child",
                violation_error_message="The child already has a current placement.",
            ),
        ]
        indexes = [
            # Care worker scope and home page: current placements at a home.
            models.Index(
                fields=["home", "child"],
                condition=Q(end_date__isnull=True),
                name="placement_current_by_home",
            ),
            # Placement history of a child, newest first.
            models.Index(fields=["child", "-start_date"], name="placement_child_recent"),
        ]

    def __str__(self):
        return f"{self.child} at {self.home} from {self.start_date}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    @property
    def out_of_area(self) -> bool:
        return self.child.placing_authority_id != self.home.host_authority_id


class PhilomenaProfile(TimeStampedModel, VersionedModel):
    """Philomena Protocol part 1: kept current before any episode, handed to police if missing."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="profile")
    height = models.CharField(max_length=50, blank=True, help_text="For example, 165 cm")
    build = models.CharField(max_length=100, blank=True)
    hair = models.CharField(max_length=200, blank=True, help_text="Colour, length, style")
    eyes = models.CharField(max_length=100, blank=True)
    distinguishing_marks = models.TextField(
        blank=True, max_length=2000, help_text="Scars, tattoos, piercings, birthmarks"
    )
    phone_numbers = models.TextField(blank=True, max_length=1000)
    social_media = models.TextField(
        blank=True, max_length=2000, help_text="Platforms and account names"
    )
    medical_needs = models.TextField(blank=True, max_length=2000)
    medication = models.TextField(blank=True, max_length=2000)
    vulnerabilities = models.TextField(blank=True, max_length=4000)
    other_information = models.TextField(blank=True, max_length=4000)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    def __str__(self):
        return f"Philomena profile of {self.child}"


class Associate(TimeStampedModel):
    """A person the child spends time with, as known to the home and police."""

    profile = models.ForeignKey(
        PhilomenaProfile, on_delete=models.CASCADE, related_name="associates"
    )
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, blank=True)
    contact = models.CharField(max_length=300, blank=True, help_text="Phone, address or handle")
    is_concern = models.BooleanField("a concern", default=False)
    notes = models.TextField(blank=True, max_length=2000)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-is_concern", "name"]

    def __str__(self):
        return self.name


class Place(TimeStampedModel):
    """A place the child goes to, and why."""

    profile = models.ForeignKey(PhilomenaProfile, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(max_length=200)
    area_or_address = models.CharField(max_length=300, blank=True)
    why = models.CharField(max_length=500, blank=True)
    is_concern = models.BooleanField("a concern", default=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-is_concern", "name"]

    def __str__(self):
        return self.name


class AccessLogKind(models.TextChoices):
    RECORD = "record", "Child record"
    PROFILE = "profile", "Philomena profile"
    PHOTO = "photo", "Photo"
    HISTORY = "history", "History"
    EXPORT = "export", "Export"
    API = "api", "API"


class AccessLog(models.Model):
    """One row each time someone views a child's record, profile, photo or an export of it.

    Written by apps.children.services.access_log_record (views and API views call it). Kept apart
    from change history: this answers "who looked", history answers "who changed what".
    """

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="access_logs")
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="access_logs", null=True
    )
    kind = models.CharField(max_length=20, choices=AccessLogKind.choices)
    path = models.CharField(max_length=500, blank=True)
    viewed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [
            # "Who viewed this record" page: one child's views, newest first.
            models.Index(fields=["child", "-viewed_at"], name="accesslog_child_recent"),
        ]

    def __str__(self):
        return f"{self.user_id} viewed {self.kind} of child {self.child_id} at {self.viewed_at}"


# CSE risk assessment ----------------------------------------------------------------------


class Domain(models.TextChoices):
    MISSING = "missing", "Missing and going missing"
    ASSOCIATES = "associates", "Associates and relationships"
    GIFTS = "gifts", "Gifts, money and unexplained items"
    SUBSTANCES = "substances", "Alcohol and drugs"
    ONLINE = "online", "Phones and online"
    HEALTH = "health", "Health and sexual health"
    EDUCATION = "education", "Education"
    BEHAVIOUR = "behaviour", "Behaviour and emotional wellbeing"


class CseIndicator(models.Model):
    """One question of the screening tool. The standard set has no authority; a service
    manager can add their own authority's indicators, and retire any of theirs."""

    authority = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cse_indicators",
    )
    domain = models.CharField(max_length=20, choices=Domain.choices)
    text = models.CharField(max_length=300)
    weight = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    history = HistoricalRecords(table_name="strategy_meetings_historicalcseindicator")

    class Meta:
        # Moved from strategy_meetings; the table keeps its name (and its rows).
        db_table = "strategy_meetings_cseindicator"
        ordering = ["domain", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=3),
                name="indicator_weight_1_to_3",
                violation_error_message="The weight must be 1, 2 or 3.",
            ),
        ]

    def __str__(self):
        return self.text


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class CseRiskAssessment(TimeStampedModel, VersionedModel):
    """A completed screening: the answers, the score and the level it maps to, or the
    professional's override with its reason. The newest one is the child's current level
    (copied to Child.cse_risk by the service, which the escalation rules read)."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="cse_assessments"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField()
    score = models.PositiveSmallIntegerField()
    calculated_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    override_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    override_reason = models.TextField(blank=True, max_length=2000)
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    summary = models.TextField("analysis", blank=True, max_length=8000)
    review_due_on = models.DateField()
    history = HistoricalRecords(
        excluded_fields=["updated_at"], table_name="strategy_meetings_historicalcseriskassessment"
    )

    class Meta:
        db_table = "strategy_meetings_cseriskassessment"
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(override_level="") | ~Q(override_reason=""),
                name="assessment_override_needs_reason",
                violation_error_message="Give a reason for overriding the calculated level.",
            ),
        ]
        indexes = [
            # A child's assessments, newest first (current level, history).
            models.Index(fields=["child", "-assessed_on"], name="assessment_child_recent"),
            # Reviews due.
            models.Index(fields=["review_due_on"], name="assessment_review_due"),
        ]

    def __str__(self):
        return f"CSE risk assessment of {self.child} on {self.assessed_on:%d/%m/%Y}"


class Answer(models.TextChoices):
    NO = "no", "No"
    POSSIBLE = "possible", "Possible"
    YES = "yes", "Yes"


class Timing(models.TextChoices):
    CURRENT = "current", "Current"
    HISTORIC = "historic", "Historic"


class CseAnswer(models.Model):
    """One indicator answered in one assessment."""

    assessment = models.ForeignKey(
        CseRiskAssessment, on_delete=models.CASCADE, related_name="answers"
    )
    indicator = models.ForeignKey(CseIndicator, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    timing = models.CharField(max_length=10, choices=Timing.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "strategy_meetings_cseanswer"
        ordering = ["indicator__domain", "indicator__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"],
                name="answer_once_per_indicator",
                violation_error_message="Each indicator is answered once.",
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.answer}"
