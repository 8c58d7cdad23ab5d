"""Shapes of homes in the API. No rules here: they live in apps.homes.services."""

from rest_framework import serializers

from apps.accounts.models import Organisation
from apps.homes.models import OfstedRating


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


def organisation_field(kind_help: str, **kwargs) -> serializers.SlugRelatedField:
    """An organisation named by its code (N901, NSP...), as partner systems know it."""
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        help_text=f"Code of {kind_help}.",
        **kwargs,
    )


class HomeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    ofsted_urn = serializers.CharField()
    operator = OrganisationRefSerializer()
    host_authority = OrganisationRefSerializer()
    police_force = OrganisationRefSerializer()
    address_line_1 = serializers.CharField()
    address_line_2 = serializers.CharField()
    town = serializers.CharField()
    postcode = serializers.CharField()
    phone = serializers.CharField()
    capacity = serializers.IntegerField()
    ofsted_rating = serializers.ChoiceField(choices=OfstedRating.choices)
    is_active = serializers.BooleanField()
    version = serializers.IntegerField()


class HomeListOutputSerializer(HomeOutputSerializer):
    """A home in a list, with how many children live there now (selectors.home_list)."""

    children_now = serializers.SerializerMethodField(
        help_text="Children placed there now; null for roles that do not see placements."
    )

    def get_children_now(self, home) -> int | None:
        if not self.context.get("can_see_children", False):
            return None
        return getattr(home, "children_now", None)


class HomeInputSerializer(serializers.Serializer):
    """Create takes every required field; PATCH takes any of them."""

    name = serializers.CharField(max_length=200)
    ofsted_urn = serializers.CharField(max_length=8, help_text="SC followed by 6 digits.")
    operator = organisation_field("the local authority or provider that runs the home")
    host_authority = organisation_field("the local authority the home is in")
    police_force = organisation_field("the police force whose area the home is in")
    address_line_1 = serializers.CharField(max_length=200)
    address_line_2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    town = serializers.CharField(max_length=100)
    postcode = serializers.CharField(max_length=10)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, max_value=100)
    ofsted_rating = serializers.ChoiceField(choices=OfstedRating.choices, required=False)
    is_active = serializers.BooleanField(required=False)
