"""Children's homes, and the staff grants that let people work in them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, VersionedModel
from apps.core.validators import validate_ofsted_urn, validate_postcode


class OfstedRating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_YET_INSPECTED = "not_yet_inspected", "Not yet inspected"


class HomeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def granted_ids(self, user, codename: str = "view_home"):
        """The ids of the homes granted to `user` with `codename` (a staff grant), as a
        subquery on the grants table read through its index (homegrant_user_perm), for the
        scopes of homes and of what is in them (`home_id__in_ids=Home.objects.granted_ids(u)`)."""
        return HomeUserObjectPermission.objects.filter(
            user=user, permission__codename=codename, permission__content_type__app_label="homes"
        ).values("content_object_id")


class Home(TimeStampedModel, VersionedModel):
    """A registered children's home: who runs it, where it is, which police force covers it."""

    name = models.CharField(max_length=200)
    ofsted_urn = models.CharField(
        "Ofsted URN", max_length=8, unique=True, validators=[validate_ofsted_urn]
    )
    operator = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="operated_homes",
        help_text="The local authority or provider that runs the home.",
    )
    host_authority = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="hosted_homes",
        help_text="The local authority the home is in.",
    )
    police_force = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="policed_homes",
        help_text="The police force whose area the home is in.",
    )
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8, validators=[validate_postcode])
    phone = models.CharField(max_length=30, blank=True)
    capacity = models.PositiveSmallIntegerField(help_text="Number of registered beds.")
    ofsted_rating = models.CharField(
        max_length=30, choices=OfstedRating.choices, default=OfstedRating.NOT_YET_INSPECTED
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = HomeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("manage_home", "Can manage the home's staff and decisions")]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=100),
                name="home_capacity_between_1_and_100",
                violation_error_message="Capacity must be between 1 and 100 beds.",
            ),
        ]
        indexes = [
            # Police liaison scope: homes in a force area.
            models.Index(fields=["police_force", "name"], name="home_force_name"),
            # Service manager scope: homes an authority operates or hosts.
            models.Index(fields=["operator", "name"], name="home_operator_name"),
            models.Index(fields=["host_authority", "name"], name="home_host_name"),
            # The homes list and GET /api/v1/homes/ in name order (apps.homes.selectors.
            # home_list): an administrator's first page of every home in the country is read
            # from here instead of sorting them all.
            models.Index(fields=["name", "id"], name="home_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [
            line
            for line in [self.address_line_1, self.address_line_2, self.town, self.postcode]
            if line
        ]


class HomeUserObjectPermission(UserObjectPermissionBase):
    """A guardian grant of a permission on one home to one user (a staff grant).

    Direct foreign key rather than guardian's generic table, so scoping a list is a plain join
    (guardian docs, "Performance tuning").
    """

    content_object = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="grants")
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
            # Care worker / home manager scope: the homes granted to a user.
            models.Index(fields=["user", "permission"], name="homegrant_user_perm"),
        ]
