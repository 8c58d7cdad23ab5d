"""Shapes of children, placements and Philomena profiles in the API.

No rules here: they live in apps.children.services. The photo file's path is never exposed;
`photo_url` is the access-checked web route that serves it.
"""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.children.models import Answer, CseRisk, Domain, Ethnicity, RiskLevel, Sex, Timing
from apps.homes.serializers import OrganisationRefSerializer


def photo_url(child) -> str | None:
    """The access-checked route that serves the child's photo, or None without a photo."""
    if not child.photo:
        return None
    try:
        return reverse("children:photo", args=[child.pk])
    except NoReverseMatch:  # the web route is not wired yet; this is where it will be
        return f"/children/{child.pk}/photo/"


CSE_RISK_HELP = (
    "Child sexual exploitation risk level, from the newest CSE risk assessment (read only); "
    "empty: not assessed. Medium or high: an overnight absence raises an immediate alert."
)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class HomeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    ofsted_urn = serializers.CharField()


class PlacementOutputSerializer(serializers.Serializer):
    """A placement; needs `home` and the child's placing authority id loaded (no queries)."""

    id = serializers.IntegerField()
    child = serializers.IntegerField(source="child_id")
    home = HomeRefSerializer()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    is_current = serializers.BooleanField()
    out_of_area = serializers.BooleanField(
        help_text="The placing authority is not the authority the home is in."
    )
    version = serializers.IntegerField()


class CurrentPlacementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    home = HomeRefSerializer()
    start_date = serializers.DateField()
    out_of_area = serializers.BooleanField()


class ChildOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    child_id = serializers.CharField(help_text="The placing authority's own ID (SSDA903 CHILD).")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    preferred_name = serializers.CharField()
    display_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    placing_authority = OrganisationRefSerializer()
    allocated_social_worker = UserRefSerializer(allow_null=True)
    current_placement = CurrentPlacementSerializer(allow_null=True)
    photo_url = serializers.SerializerMethodField()
    photo_taken_on = serializers.DateField(allow_null=True)
    cse_risk = serializers.ChoiceField(
        choices=CseRisk.choices, allow_blank=True, help_text=CSE_RISK_HELP
    )
    is_archived = serializers.BooleanField()
    version = serializers.IntegerField()

    def get_photo_url(self, child) -> str | None:
        return photo_url(child)


class ChildInputSerializer(serializers.Serializer):
    """Create takes the required fields; PATCH takes any of them."""

    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices, help_text="SSDA903: 1 male, 2 female.")
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    child_id = serializers.CharField(max_length=10)

    def validate(self, attrs):
        # The level is set only by a CSE risk assessment (POST .../cse-assessments/), which
        # versions the child and records who changed it; an edit never carries it.
        if "cse_risk" in getattr(self, "initial_data", {}):
            raise serializers.ValidationError(
                {"cse_risk": ["Set by a CSE risk assessment, not by editing the child"]}
            )
        return attrs


class AssociateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    relationship = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact = serializers.CharField(max_length=300, required=False, allow_blank=True)
    is_concern = serializers.BooleanField(default=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    area_or_address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    why = serializers.CharField(max_length=500, required=False, allow_blank=True)
    is_concern = serializers.BooleanField(default=False)


class ProfileFieldsSerializer(serializers.Serializer):
    """Philomena part 1 fields a person keeps (PATCH takes any of them)."""

    height = serializers.CharField(max_length=50, required=False, allow_blank=True)
    build = serializers.CharField(max_length=100, required=False, allow_blank=True)
    hair = serializers.CharField(max_length=200, required=False, allow_blank=True)
    eyes = serializers.CharField(max_length=100, required=False, allow_blank=True)
    distinguishing_marks = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    phone_numbers = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    social_media = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    medical_needs = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    medication = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    vulnerabilities = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    other_information = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class StalenessSerializer(serializers.Serializer):
    photo_missing = serializers.BooleanField()
    photo_stale = serializers.BooleanField(help_text="Taken more than 90 days ago.")
    profile_never_reviewed = serializers.BooleanField()
    profile_stale = serializers.BooleanField(help_text="Last reviewed more than 90 days ago.")


class ProfileOutputSerializer(ProfileFieldsSerializer):
    """The profile with its associates and places (read-only here; add them by POST)."""

    child = serializers.IntegerField(source="child_id")
    photo_url = serializers.SerializerMethodField()
    photo_taken_on = serializers.DateField(source="child.photo_taken_on", allow_null=True)
    last_reviewed_at = serializers.DateTimeField(allow_null=True)
    last_reviewed_by = UserRefSerializer(allow_null=True)
    staleness = serializers.SerializerMethodField()
    associates = AssociateSerializer(many=True, read_only=True)
    places = PlaceSerializer(many=True, read_only=True)
    version = serializers.IntegerField()

    def get_photo_url(self, profile) -> str | None:
        return photo_url(profile.child)

    @extend_schema_field(StalenessSerializer)
    def get_staleness(self, profile):
        return StalenessSerializer(self.context["staleness"]).data


# CSE risk assessments ----------------------------------------------------------------------


class IndicatorOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    domain = serializers.ChoiceField(choices=Domain.choices)
    text = serializers.CharField()
    weight = serializers.IntegerField()
    authority = serializers.IntegerField(
        source="authority_id", allow_null=True, help_text="None for the standard set."
    )


class AnswerOutputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator_id")
    answer = serializers.ChoiceField(choices=Answer.choices)
    timing = serializers.ChoiceField(choices=Timing.choices, allow_blank=True)


class AssessmentOutputSerializer(serializers.Serializer):
    """An assessment with its answers; needs assessed_by and the answers prefetched."""

    id = serializers.IntegerField()
    child = serializers.IntegerField(source="child_id")
    assessed_on = serializers.DateField()
    assessed_by = UserRefSerializer()
    score = serializers.IntegerField()
    calculated_level = serializers.ChoiceField(choices=RiskLevel.choices)
    override_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True)
    override_reason = serializers.CharField()
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    summary = serializers.CharField()
    review_due_on = serializers.DateField()
    answers = AnswerOutputSerializer(many=True)


class AnswerInputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    answer = serializers.ChoiceField(choices=Answer.choices)
    timing = serializers.ChoiceField(choices=Timing.choices, required=False, allow_blank=True)


class AssessmentInputSerializer(serializers.Serializer):
    assessed_on = serializers.DateField(required=False, help_text="Today if left out.")
    answers = AnswerInputSerializer(
        many=True, help_text="One per indicator of GET children/{id}/cse-indicators/."
    )
    override_level = serializers.ChoiceField(
        choices=RiskLevel.choices, required=False, allow_blank=True
    )
    override_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=8000, required=False, allow_blank=True)
