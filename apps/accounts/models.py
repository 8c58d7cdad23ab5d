"""Users, their organisations and their roles."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.core.models import VersionedModel


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE_FORCE = "police_force", "Police force"
    PROVIDER = "provider", "Independent provider"


class Role(models.TextChoices):
    CARE_WORKER = "care_worker", "Care worker"
    HOME_MANAGER = "home_manager", "Home manager"
    SOCIAL_WORKER = "social_worker", "Social worker"
    RETURN_INTERVIEWER = "return_interviewer", "Return interviewer"
    POLICE_LIAISON = "police_liaison", "Police liaison officer"
    SERVICE_MANAGER = "service_manager", "Service manager"
    ADMINISTRATOR = "administrator", "Administrator"


# Which kinds of organisation each role can belong to (PRODUCT.md, Users).
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.CARE_WORKER: {OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.PROVIDER},
    Role.HOME_MANAGER: {OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.PROVIDER},
    Role.SOCIAL_WORKER: {OrganisationKind.LOCAL_AUTHORITY},
    Role.RETURN_INTERVIEWER: {OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.PROVIDER},
    Role.POLICE_LIAISON: {OrganisationKind.POLICE_FORCE},
    Role.SERVICE_MANAGER: {OrganisationKind.LOCAL_AUTHORITY},
    Role.ADMINISTRATOR: {
        OrganisationKind.LOCAL_AUTHORITY,
        OrganisationKind.POLICE_FORCE,
        OrganisationKind.PROVIDER,
    },
}


class Organisation(models.Model):
    """A local authority, a police force, or an independent provider that runs homes."""

    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=20,
        unique=True,
        help_text="A short stable code, e.g. the DfE local authority code or the force code.",
    )
    # An authority's own clocks (PRODUCT.md: "every number is a setting an authority can
    # change"). Used for children the authority places.
    night_starts = models.TimeField(
        default=datetime.time(0, 0), help_text="Start of the overnight window (UK time)."
    )
    night_ends = models.TimeField(
        default=datetime.time(6, 0), help_text="End of the overnight window (UK time)."
    )
    return_interview_hours = models.PositiveSmallIntegerField(
        default=72, help_text="Hours after a return within which the interview is due."
    )
    # The last step of the escalation ladder: who is told when nobody acknowledges an alert.
    out_of_hours_name = models.CharField(
        "out-of-hours contact", max_length=200, blank=True, help_text="e.g. Emergency Duty Team"
    )
    out_of_hours_email = models.EmailField("out-of-hours email", blank=True)
    # Who is told of every episode (PRODUCT.md, "Who is told"): an authority's missing-children
    # inbox (its MASH or missing co-ordinator), a police force's missing-persons inbox.
    missing_inbox_email = models.EmailField(
        "missing-children inbox",
        blank=True,
        help_text="Told of every episode of a child it places or who lives in its area.",
    )
    # A police force's review times: hours after a risk grade by when it must be reviewed, per
    # grade ({"high": 2, ...}); a grade it leaves out takes Homeward's default
    # (apps.episodes.services.RISK_REVIEW_HOURS).
    risk_review_hours = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
                violation_error_message="Choose a local authority, police force or provider.",
            ),
        ]

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMINISTRATOR)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin, VersionedModel):
    """A person who signs in. Each belongs to one organisation and has one role.

    The platform administrator created with createsuperuser may have no organisation; every
    other role must have one (constraint below).
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the administration site."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # An invitation asked for (on invite and on each resend) and its email handed to the mail
    # server: the worker sends when sent is empty or older than asked (apps.accounts.services
    # user_invitation_send), and beat sends any the broker dropped.
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    invitation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login", "invitation_sent_at"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message="A user with this email address already exists.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="user_role_valid",
                violation_error_message="Choose a role.",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(role=Role.ADMINISTRATOR),
                name="user_organisation_required_unless_administrator",
                violation_error_message="Every user except a platform administrator "
                "belongs to an organisation.",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that are neither revoked nor past their expiry."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A named API token. Only the SHA-256 of its key is stored; the key is shown once.

    Sent as `Authorization: Token <key>` (apps.accounts.authentication).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used_at"])

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.user})"
