"""Forms for the children pages. They check the shape of input; services apply the rules.

Model forms here never write to a model instance (`apps.core.forms.ShapeOnlyModelForm`): the
services compare the submitted values with the stored record to find what changed.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator

from apps.children.models import (
    Answer,
    Associate,
    Child,
    CseIndicator,
    Domain,
    Ethnicity,
    PhilomenaProfile,
    Place,
    RiskLevel,
    Sex,
    Timing,
)
from apps.children.services import (
    ASSOCIATE_FIELDS,
    CHILD_FIELDS,
    MAX_PHOTO_BYTES,
    PLACE_FIELDS,
    PROFILE_FIELDS,
)
from apps.core.forms import (
    INLINE_RADIOS_TEMPLATE,
    GovukDateField,
    GovukForm,
    GovukRadios,
    ShapeOnlyModelForm,
    UserChoiceField,
    VersionedFormMixin,
    radios,
    textarea,
)

# Child record --------------------------------------------------------------------------------


class ChildForm(ShapeOnlyModelForm):
    date_of_birth = GovukDateField(
        label="Date of birth",
        help_text="For example, 27 3 2010",
        error_messages={"required": "Enter the child's date of birth"},
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child's sex"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=Ethnicity.choices,
        initial=Ethnicity.NOBT,
        error_messages={"required": "Choose the child's ethnicity"},
    )

    class Meta:
        model = Child
        fields = CHILD_FIELDS
        labels = {
            "first_name": "First name",
            "last_name": "Last name",
            "preferred_name": "Preferred name",
            "child_id": "Child ID",
        }
        help_texts = {
            "preferred_name": "The name the child likes to be called, if different",
        }
        error_messages = {
            "first_name": {"required": "Enter the child's first name"},
            "last_name": {"required": "Enter the child's last name"},
            "child_id": {"required": "Enter the child ID your authority uses"},
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "preferred_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "child_id": forms.TextInput(
                attrs={"class": "govuk-input--width-10", "spellcheck": "false"}
            ),
        }


class ChildEditForm(VersionedFormMixin, ChildForm):
    pass


class PhotoForm(GovukForm):
    photo = forms.ImageField(
        label="Photo",
        help_text="A JPEG or PNG file smaller than 5 MB",
        validators=[FileExtensionValidator(["jpg", "jpeg", "png"])],
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        error_messages={
            "required": "Select a photo",
            "invalid_image": "The selected file must be a JPEG or PNG photo",
            "invalid_extension": "The selected file must be a JPEG or PNG photo",
        },
    )
    photo_taken_on = GovukDateField(
        label="Date the photo was taken",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the photo was taken"},
    )

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise ValidationError("The photo must be smaller than 5 MB")
        return photo


# Philomena profile ---------------------------------------------------------------------------


class ProfileForm(VersionedFormMixin, ShapeOnlyModelForm):
    class Meta:
        model = PhilomenaProfile
        fields = PROFILE_FIELDS
        labels = {
            "height": "Height",
            "build": "Build",
            "hair": "Hair",
            "eyes": "Eye colour",
            "distinguishing_marks": "Distinguishing marks",
            "phone_numbers": "Phone numbers",
            "social_media": "Social media",
            "medical_needs": "Medical needs",
            "medication": "Medication",
            "vulnerabilities": "Vulnerabilities",
            "other_information": "Other information",
        }
        help_texts = {
            "phone_numbers": "One a line",
            "vulnerabilities": "For example, risk of exploitation, substance use, self-harm",
        }
        widgets = {
            "height": forms.TextInput(attrs={"class": "govuk-input--width-10"}),
            "distinguishing_marks": textarea(),
            "phone_numbers": textarea(2),
            "social_media": textarea(),
            "medical_needs": textarea(),
            "medication": textarea(),
            "vulnerabilities": textarea(4),
            "other_information": textarea(4),
        }


class AssociateForm(ShapeOnlyModelForm):
    class Meta:
        model = Associate
        fields = ASSOCIATE_FIELDS
        labels = {
            "name": "Name",
            "relationship": "Relationship to the child",
            "contact": "Contact details",
            "is_concern": "This person is a concern",
            "notes": "Notes",
        }
        error_messages = {"name": {"required": "Enter the person's name"}}
        widgets = {"notes": textarea()}


class PlaceForm(ShapeOnlyModelForm):
    class Meta:
        model = Place
        fields = PLACE_FIELDS
        labels = {
            "name": "Name of the place",
            "area_or_address": "Area or address",
            "why": "Why the child goes there",
            "is_concern": "This place is a concern",
        }
        error_messages = {"name": {"required": "Enter the name of the place"}}


# Placements, allocation, police access -------------------------------------------------------


class PlacementForm(GovukForm):
    home = forms.ModelChoiceField(
        label="Home",
        queryset=None,
        empty_label="Choose a home",
        error_messages={
            "required": "Choose the home the child lives in",
            "invalid_choice": "Choose a home from the list",
        },
    )
    start_date = GovukDateField(
        label="Start date",
        help_text="The day the child moved in. A current placement ends on this day.",
        error_messages={"required": "Enter the date the placement started"},
    )

    def __init__(self, *args, homes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home"].queryset = homes
        self.fields["home"].label_from_instance = lambda home: f"{home.name}, {home.town}"


class PlacementEndForm(VersionedFormMixin, GovukForm):
    end_date = GovukDateField(
        label="End date",
        help_text="The day the child left the home",
        error_messages={"required": "Enter the date the placement ended"},
    )


class AllocateForm(GovukForm):
    social_worker = UserChoiceField(
        label="Social worker",
        queryset=None,
        empty_label="Choose a social worker",
        error_messages={
            "required": "Choose a social worker",
            "invalid_choice": "Choose a social worker from the list",
        },
    )

    def __init__(self, *args, social_workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["social_worker"].queryset = social_workers


class PoliceGrantForm(GovukForm):
    officer = UserChoiceField(
        label="Police liaison officer",
        queryset=None,
        empty_label="Choose an officer",
        error_messages={
            "required": "Choose a police liaison officer",
            "invalid_choice": "Choose a police liaison officer from the list",
        },
    )
    reason = forms.CharField(
        label="Why the officer needs to see this record",
        max_length=500,
        widget=textarea(),
        error_messages={"required": "Enter why the officer needs to see this child's record"},
    )
    expires_at = GovukDateField(
        label="Access ends on",
        help_text="Access ends at midnight at the end of this day, at most 90 days away",
        error_messages={"required": "Enter the date access ends"},
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


# CSE risk assessment -----------------------------------------------------------------------


def in_domain_order(indicators):
    """Indicators in the order the screening tool asks them: the domains as Domain lists them
    (missing first), then each indicator's own order."""
    rank = {value: index for index, value in enumerate(Domain.values)}
    return sorted(indicators, key=lambda i: (rank.get(i.domain, len(rank)), i.order, i.pk))


class AssessmentForm(GovukForm):
    """One screening: for each indicator, no / possible / yes and current / historic. Every
    indicator must be answered; the service says which are not."""

    assessed_on = GovukDateField(
        label="Date of the assessment",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the assessment"},
    )
    summary = forms.CharField(
        label="Analysis",
        required=False,
        max_length=8000,
        widget=textarea(5),
        help_text="What the answers mean for this child, and what is protecting them",
    )
    override_level = radios(
        "Override the calculated level",
        [("", "No, use the calculated level"), *RiskLevel.choices],
        required=False,
        help_text="Only when your professional judgement differs from the score",
    )
    override_reason = forms.CharField(
        label="Why the level is different from the score",
        required=False,
        max_length=2000,
        widget=textarea(3),
    )

    def __init__(self, *args, indicators: list[CseIndicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"indicator_{indicator.pk}"] = forms.ChoiceField(
                label=indicator.text,
                choices=Answer.choices,
                required=False,
                widget=GovukRadios(),
                template_name=INLINE_RADIOS_TEMPLATE,
            )
            self.fields[f"indicator_{indicator.pk}_timing"] = forms.ChoiceField(
                label="Current or historic?",
                choices=Timing.choices,
                required=False,
                widget=GovukRadios(),
                template_name=INLINE_RADIOS_TEMPLATE,
            )

    def groups(self) -> list[dict]:
        """The indicators by domain, each with its answer and timing fields, for the page."""
        groups: dict[str, dict] = {}
        for indicator in in_domain_order(self.indicators):
            group = groups.setdefault(
                indicator.domain,
                {"domain": Domain(indicator.domain).label, "rows": []},
            )
            group["rows"].append(
                {
                    "indicator": indicator,
                    "answer": self[f"indicator_{indicator.pk}"],
                    "timing": self[f"indicator_{indicator.pk}_timing"],
                }
            )
        return list(groups.values())

    def answers(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            indicator.pk: (
                data.get(f"indicator_{indicator.pk}") or "",
                data.get(f"indicator_{indicator.pk}_timing") or "",
            )
            for indicator in self.indicators
        }


class IndicatorForm(GovukForm):
    domain = forms.ChoiceField(
        label="Domain",
        choices=[("", "Choose a domain"), *Domain.choices],
        error_messages={"required": "Choose the domain the indicator belongs to"},
    )
    text = forms.CharField(
        label="Indicator",
        max_length=CseIndicator._meta.get_field("text").max_length,
        help_text="Written as something that is or is not true of the child, for example "
        "'Seen at addresses linked to exploitation'",
        error_messages={"required": "Enter the indicator"},
    )
    weight = radios(
        "Weight",
        [("1", "1 (standard)"), ("2", "2 (a strong sign)"), ("3", "3 (a very strong sign)")],
        error="Choose a weight",
        initial="1",
    )
