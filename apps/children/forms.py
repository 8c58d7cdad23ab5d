"""Forms for the children pages. They check the shape of input; services apply the rules.

Model forms here never write to a model instance: `ShapeOnlyModelForm` takes its initial values
from the record but validates into a throwaway instance, because the services compare the
submitted values with the stored record to find what changed.

Also here, until they move to apps.core.forms: the GOV.UK date input (`GovukDateField`) and
`VersionedFormMixin`, the hidden `version` every edit form of a versioned record carries.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.forms.models import model_to_dict
from django.utils import formats

from apps.children.models import (
    Associate,
    Child,
    CseRisk,
    Ethnicity,
    PhilomenaProfile,
    Place,
    Sex,
)
from apps.children.services import (
    ASSOCIATE_FIELDS,
    CHILD_FIELDS,
    MAX_PHOTO_BYTES,
    PLACE_FIELDS,
    PROFILE_FIELDS,
)
from apps.core.forms import GovukForm, GovukModelForm

# Shared GOV.UK form pieces -------------------------------------------------------------------


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes inside a fieldset.

    Renders through templates/forms/govuk_date_input.html; the field's template
    (templates/forms/govuk_date_field.html) supplies the fieldset, legend, hint and error.
    The boxes' ids are <id>_0 (day), <id>_1 (month), <id>_2 (year): the error summary links
    to the day (GovukBoundField.govuk_anchor).
    """

    template_name = "forms/govuk_date_input.html"
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(attrs={"inputmode": "numeric"}) for name, _, _ in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        has_error = context["widget"]["attrs"].get("aria-invalid") == "true"
        for subwidget, (_, label, width) in zip(
            context["widget"]["subwidgets"], self.parts, strict=True
        ):
            subwidget["label"] = label
            subwidget["attrs"].pop("aria-describedby", None)  # the fieldset carries these
            classes = ["govuk-input", "govuk-date-input__input", f"govuk-input--width-{width}"]
            if has_error:
                classes.append("govuk-input--error")
            subwidget["attrs"]["class"] = " ".join(classes)
        return context


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK error messages.

    Messages name the field by its label: "Date of birth must include a month",
    "Date of birth must be a real date". Set error_messages["required"] for the empty case.
    """

    widget = GovukDateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("template_name", "forms/govuk_date_field.html")
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, date) or value is None:
            return value
        if not isinstance(value, (list, tuple)):
            raise ValidationError(f"{self.label} must be a real date", code="invalid")
        parts = [str(part or "").strip() for part in [*value, "", "", ""][:3]]
        if not any(parts):
            return None
        names = [name for name, _, _ in GovukDateInput.parts]
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                f"{self.label} must include a {' and '.join(missing)}", code="incomplete"
            )
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError("a year has four digits")
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{self.label} must be a real date", code="invalid") from None


class VersionedFormMixin(forms.Form):
    """The version of the record the user loaded, sent back so a stale edit is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:
            # A hidden field: say so where the error summary shows it.
            self.add_error(None, "This page is out of date. Reload it and make your changes again.")
        return cleaned

    def latest_values(self, instance) -> list[tuple[str, str]]:
        """The saved value of each visible field of `instance`, for "the latest version"."""
        rows = []
        for name, field in self.fields.items():
            if name == "version" or not hasattr(instance, name):
                continue
            display = getattr(instance, f"get_{name}_display", None)
            value = display() if display else getattr(instance, name)
            if isinstance(value, bool):
                value = "Yes" if value else "No"
            elif isinstance(value, date):
                value = formats.date_format(value, "j F Y")
            rows.append((str(field.label), str(value) if value not in (None, "") else "None"))
        return rows


class ShapeOnlyModelForm(GovukModelForm):
    """A model form that checks shape and never changes the record it was built from.

    Pass the record as `record`: its values become the initial values. Uniqueness and
    cross-record rules are the service's job (it knows which record is being changed).
    """

    def __init__(self, *args, record=None, **kwargs):
        if record is not None:
            initial = model_to_dict(record, fields=list(self._meta.fields))
            if hasattr(record, "version") and "version" in self.base_fields:
                initial["version"] = record.version
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    def validate_unique(self):
        pass


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        organisation = f", {user.organisation.name}" if user.organisation_id else ""
        return f"{user.full_name} ({user.get_role_display()}{organisation})"


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
    cse_risk = forms.ChoiceField(
        label="Child sexual exploitation (CSE) risk",
        choices=[("", "Not assessed"), *CseRisk.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text="Medium or high: an absence overnight raises an immediate alert",
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
