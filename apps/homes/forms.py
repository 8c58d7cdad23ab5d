"""Forms for the homes pages: they check the shape of input; services apply the rules."""

from django import forms

from apps.accounts.models import OrganisationKind
from apps.accounts.selectors import organisations_list
from apps.core.forms import GovukForm, ShapeOnlyModelForm, UserChoiceField, VersionedFormMixin
from apps.homes.models import Home
from apps.homes.services import HOME_FIELDS


class HomeForm(ShapeOnlyModelForm):
    class Meta:
        model = Home
        fields = HOME_FIELDS
        labels = {
            "name": "Name of the home",
            "ofsted_urn": "Ofsted URN",
            "operator": "Run by",
            "host_authority": "Local authority area",
            "police_force": "Police force area",
            "address_line_1": "Address line 1",
            "address_line_2": "Address line 2",
            "town": "Town or city",
            "postcode": "Postcode",
            "phone": "Phone number",
            "capacity": "Number of beds",
            "ofsted_rating": "Ofsted rating",
            "is_active": "The home is open",
        }
        help_texts = {
            "ofsted_urn": "SC followed by 6 digits, like SC123456",
            "operator": "The local authority or provider that runs the home",
            "host_authority": "The local authority the home is in",
            "police_force": "The police force whose area the home is in",
            "capacity": "The number of registered beds",
            "is_active": "Untick when the home closes. Children cannot be placed in a closed home.",
        }
        error_messages = {
            "name": {"required": "Enter the name of the home"},
            "ofsted_urn": {"required": "Enter the Ofsted URN"},
            "operator": {"required": "Choose who runs the home"},
            "host_authority": {"required": "Choose the local authority the home is in"},
            "police_force": {"required": "Choose the police force whose area the home is in"},
            "address_line_1": {"required": "Enter the first line of the address"},
            "town": {"required": "Enter the town or city"},
            "postcode": {"required": "Enter the postcode"},
            "capacity": {
                "required": "Enter the number of beds",
                "invalid": "The number of beds must be a whole number, like 4",
            },
        }
        widgets = {
            "ofsted_urn": forms.TextInput(
                attrs={"class": "govuk-input--width-10", "spellcheck": "false"}
            ),
            "address_line_1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line_2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "town": forms.TextInput(
                attrs={"class": "govuk-!-width-two-thirds", "autocomplete": "address-level2"}
            ),
            "postcode": forms.TextInput(
                attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
            ),
            "phone": forms.TextInput(
                attrs={"class": "govuk-input--width-20", "type": "tel", "autocomplete": "off"}
            ),
            "capacity": forms.TextInput(
                attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = organisations_list()
        kinds = {
            "operator": [OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.PROVIDER],
            "host_authority": [OrganisationKind.LOCAL_AUTHORITY],
            "police_force": [OrganisationKind.POLICE_FORCE],
        }
        for name, allowed in kinds.items():
            self.fields[name].queryset = organisations.filter(kind__in=allowed)
            self.fields[name].empty_label = "Choose an organisation"


class HomeEditForm(VersionedFormMixin, HomeForm):
    pass


class StaffGrantForm(GovukForm):
    user = UserChoiceField(
        label="Member of staff",
        queryset=None,
        empty_label="Choose a person",
        help_text="Care workers and home managers of the organisation that runs the home",
        error_messages={
            "required": "Choose the person to give access to",
            "invalid_choice": "Choose a person from the list",
        },
    )
    manager = forms.BooleanField(
        label="Can manage this home",
        required=False,
        help_text="Home managers only: manage the home's staff and record its decisions",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
