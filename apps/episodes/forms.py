"""Forms for the episode pages. They check the shape of input; apps.episodes.services applies
the rules (not in the future, after last seen, one open episode, postcode...).

A time is entered as the GOV.UK date input with a fourth box for the time (GovukDateTimeField):
on a phone at 2 a.m. the boxes come filled in with now, so the usual report changes nothing or
only the time, typed on the number pad ("2305" or "23:05"). A native datetime-local picker was
not used: GOV.UK advises against native date pickers (they vary by browser and some are hard to
use with assistive technology), and it cannot show a GOV.UK error on the part that is wrong.
"""

import re
from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone

from apps.children.forms import (
    GovukDateField,
    GovukDateInput,
    ShapeOnlyModelForm,
    UserChoiceField,
    VersionedFormMixin,
    textarea,
)
from apps.core.forms import GovukForm
from apps.episodes.models import (
    Episode,
    EpisodeKind,
    EpisodeUpdate,
    InterviewOutcome,
    ReturnInterview,
    ReturnMethod,
    RiskGrade,
    SafeAndWellVisit,
    UpdateCategory,
)
from apps.episodes.services import EPISODE_FIELDS, INTERVIEW_FIELDS, RETURN_FIELDS

RADIOS_TEMPLATE = "episodes/forms/radios.html"
TIME_HINT = "Use the 24-hour clock, for example 23:05 or 2305"
POLICE_FIELDS = ("reported_to_police_at", "police_reference", "risk_grade")


# Date and time ------------------------------------------------------------------------------


class GovukDateTimeInput(GovukDateInput):
    """The GOV.UK date input with a fourth box for the time (hh:mm), in UK time.

    Boxes: <name>_day, <name>_month, <name>_year, <name>_time.
    """

    parts = (*GovukDateInput.parts, ("time", "Time", 5))

    def decompress(self, value):
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [str(local.day), str(local.month), str(local.year), f"{local:%H:%M}"]
        return [None, None, None, None]


_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:\s*[:.h ]?\s*(?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?$"
)


def parse_clock(text: str) -> time | None:
    """'23:05', '23.05', '2305', '9:05', '11pm', '11:05 p.m.', 'noon', 'midnight'; else None."""
    text = text.strip().lower()
    if text in {"noon", "midday"}:
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _CLOCK.match(text)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class GovukDateTimeField(GovukDateField):
    """A moment typed as day, month, year and time, read as UK time; an aware datetime.

    Messages name the field by its label: "When last seen must include a time", "... must be a
    real time". Whether it may be in the future is the service's rule.
    """

    widget = GovukDateTimeInput

    def to_python(self, value):
        if isinstance(value, datetime) or value is None:
            return value
        if not isinstance(value, (list, tuple)):
            raise ValidationError(f"{self.label} must be a real date", code="invalid")
        parts = [str(part or "").strip() for part in [*value, "", "", "", ""][:4]]
        if not any(parts):
            return None
        if not any(parts[:3]):
            raise ValidationError(f"{self.label} must include a date", code="incomplete")
        day = super().to_python(parts[:3])
        if not parts[3]:
            raise ValidationError(f"{self.label} must include a time", code="incomplete")
        clock = parse_clock(parts[3])
        if clock is None:
            raise ValidationError(
                f"{self.label} must be a real time, like 23:05", code="invalid_time"
            )
        return timezone.make_aware(datetime.combine(day, clock))


def now_to_the_minute() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def display_time(value: datetime | None) -> str:
    """'23 Nov 2026, 2:05am' in UK time, as the pages show times."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return dateformat.format(local, "j M Y, g:i") + dateformat.format(local, "A").lower()


# Radios with a hint under each option ---------------------------------------------------------


class GovukRadios(forms.RadioSelect):
    """Radios with an optional hint under each option (GOV.UK "radio items with hints").

    Rendered by templates/episodes/forms/radios.html, which reads option["hint"]. Each input
    is described by its own hint; the fieldset carries the question's hint and error.
    """

    def __init__(self, attrs=None, choices=(), hints=None):
        super().__init__(attrs, choices)
        self.hints = dict(hints or {})

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["hint"] = self.hints.get(str(value), "")
        option["attrs"].pop("aria-describedby", None)
        if option["hint"]:
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}-item-hint"
        return option


def radios(label, choices, *, hints=None, required=True, error=None, **kwargs):
    extra = {"error_messages": {"required": error}} if error else {}
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=GovukRadios(hints=hints),
        template_name=RADIOS_TEMPLATE,
        **extra,
        **kwargs,
    )


KIND_HINTS = {
    EpisodeKind.MISSING: "Nobody knows where they are.",
    EpisodeKind.AWAY: (
        "They are not where they should be, but you know where they are. This includes "
        "coming back later than agreed."
    ),
}
KIND_CHOICES = [(EpisodeKind.MISSING, "Missing"), (EpisodeKind.AWAY, "Away from placement")]
RISK_CHOICES = [
    ("", "Not graded yet"),
    *[(grade, RiskGrade(grade).label) for grade in reversed(RiskGrade.values)],
]


def kind_field():
    return radios(
        "Is the child missing or away?",
        KIND_CHOICES,
        hints=KIND_HINTS,
        error="Select whether the child is missing or away",
    )


def risk_field():
    return radios(
        "Police risk grade", RISK_CHOICES, required=False, help_text="As the police graded it"
    )


class EpisodeVersionedMixin(VersionedFormMixin):
    """The hidden version, with times in "the latest saved version" shown to the minute."""

    def latest_values(self, instance) -> list[tuple[str, str]]:
        rows = super().latest_values(instance)
        names = {str(field.label): name for name, field in self.fields.items()}
        for index, (label, _value) in enumerate(rows):
            stored = getattr(instance, names.get(label, ""), None)
            if isinstance(stored, datetime):
                rows[index] = (label, display_time(stored))
        return rows


class KeepStoredTimesMixin:
    """A time shown to the minute and sent back unchanged keeps its stored seconds, so saving
    a form does not count as changing every time on it."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            stored, value = self.initial.get(name), cleaned.get(name)
            if not (isinstance(field, GovukDateTimeField) and stored and value):
                continue
            if value == stored.replace(second=0, microsecond=0):
                cleaned[name] = stored
        return cleaned


# Reporting and changing the report ------------------------------------------------------------


EPISODE_LABELS = {
    "last_seen_where": "Where were they last seen?",
    "last_seen_with": "Who were they with?",
    "clothing": "What were they wearing?",
    "appearance": "Description on the day",
    "circumstances": "What happened",
    "police_reference": "Police reference",
    "suspected_sexual_exploitation": "Sexual exploitation is suspected",
    "serious_police_incident": "A serious incident involving the police",
}
EPISODE_HINTS = {
    "last_seen_where": "For example, the bus station on Market Street",
    "last_seen_with": "Names, or a description if you do not know them",
    "appearance": "Anything different from the profile: hair, bags, injuries",
    "circumstances": "What led up to it, and anything said about where they might go",
    "police_reference": "The reference the police gave you, for example NP-2026-1234",
    "suspected_sexual_exploitation": "Notifiable to Ofsted under Regulation 40",
    "serious_police_incident": "Notifiable to Ofsted under Regulation 40",
}


class EpisodeReportForm(ShapeOnlyModelForm):
    """One screen: three questions, and the rest folded away ("Add more now")."""

    # Fields shown under "Add more now (you can add these later)".
    OPTIONAL = (
        "last_seen_with",
        "clothing",
        "appearance",
        "circumstances",
        "reported_to_police_at",
        "police_reference",
        "risk_grade",
    )

    kind = kind_field()
    last_seen_at = GovukDateTimeField(
        label="When were they last seen?",
        help_text="For example, 23 11 2026 and 23:05 (the 24-hour clock; 2305 works too)",
        error_messages={"required": "Enter when the child was last seen"},
    )
    reported_to_police_at = GovukDateTimeField(
        label="When did you report it to the police?", help_text=TIME_HINT, required=False
    )
    risk_grade = risk_field()

    class Meta:
        model = Episode
        fields = [
            "kind",
            "last_seen_at",
            "last_seen_where",
            "last_seen_with",
            "clothing",
            "appearance",
            "circumstances",
            "reported_to_police_at",
            "police_reference",
            "risk_grade",
        ]
        labels = EPISODE_LABELS
        help_texts = EPISODE_HINTS
        error_messages = {
            "last_seen_where": {"required": "Enter where the child was last seen"},
        }
        widgets = {
            "clothing": textarea(2),
            "appearance": textarea(2),
            "circumstances": textarea(4),
            "police_reference": forms.TextInput(
                attrs={"class": "govuk-input--width-20", "spellcheck": "false"}
            ),
        }

    def required_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.OPTIONAL]

    def optional_fields(self):
        return [field for field in self.visible_fields() if field.name in self.OPTIONAL]

    def has_optional_errors(self) -> bool:
        return any(self.errors.get(name) for name in self.OPTIONAL)


class EpisodeEditForm(KeepStoredTimesMixin, EpisodeVersionedMixin, ShapeOnlyModelForm):
    kind = kind_field()
    last_seen_at = GovukDateTimeField(
        label="When were they last seen?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when the child was last seen"},
    )
    reported_to_police_at = GovukDateTimeField(
        label="When was it reported to the police?", help_text=TIME_HINT, required=False
    )
    risk_grade = risk_field()
    social_worker_notified_at = GovukDateTimeField(
        label="When were the placing authority and social worker told?",
        help_text=TIME_HINT,
        required=False,
    )

    class Meta:
        model = Episode
        fields = EPISODE_FIELDS
        labels = EPISODE_LABELS
        help_texts = EPISODE_HINTS
        error_messages = EpisodeReportForm.Meta.error_messages
        widgets = EpisodeReportForm.Meta.widgets

    def __init__(self, *args, police: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not police:
            for name in POLICE_FIELDS:
                del self.fields[name]


# Timeline -------------------------------------------------------------------------------------


UPDATE_CHOICES = [
    (category, UpdateCategory(category).label)
    for category in (
        UpdateCategory.SIGHTING,
        UpdateCategory.CONTACT,
        UpdateCategory.CALL,
        UpdateCategory.POLICE,
        UpdateCategory.NOTE,
    )
]


class UpdateForm(GovukForm):
    category = radios(
        "What kind of update is it?", UPDATE_CHOICES, error="Select what kind of update it is"
    )
    text = forms.CharField(
        label="What happened?",
        max_length=EpisodeUpdate._meta.get_field("text").max_length,
        widget=textarea(4),
        error_messages={"required": "Enter what happened"},
    )
    happened_at = GovukDateTimeField(
        label="When did it happen?",
        help_text=f"Leave this empty if it was just now. {TIME_HINT}.",
        required=False,
    )


# The return, the interview, the visit ---------------------------------------------------------


class ReturnForm(KeepStoredTimesMixin, EpisodeVersionedMixin, ShapeOnlyModelForm):
    returned_at = GovukDateTimeField(
        label="When did they come back?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when the child came back"},
    )
    return_method = radios(
        "How did they come back?",
        ReturnMethod.choices,
        error="Select how the child came back",
    )

    class Meta:
        model = Episode
        fields = ["returned_at", *RETURN_FIELDS]
        labels = {
            "found_where": "Where were they found, or where had they been?",
            "found_postcode": "Postcode",
            "returned_with": "Who were they with?",
            "condition": "How were they when they came back?",
            "concerns": "Concerns",
        }
        help_texts = {
            "found_postcode": "If you know it",
            "condition": "For example, injuries, tiredness, signs of drink or drugs",
            "concerns": "Anything that suggests harm or exploitation",
        }
        widgets = {
            "found_postcode": forms.TextInput(
                attrs={"class": "govuk-input--width-10", "autocomplete": "off"}
            ),
            "condition": textarea(3),
            "concerns": textarea(3),
        }


OUTCOME_CHOICES = [("", "Offered, no answer yet"), *InterviewOutcome.choices]


class InterviewForm(KeepStoredTimesMixin, EpisodeVersionedMixin, ShapeOnlyModelForm):
    offered_at = GovukDateTimeField(
        label="When was the interview offered?", help_text=TIME_HINT, required=False
    )
    outcome = radios("Outcome", OUTCOME_CHOICES, required=False)
    held_at = GovukDateTimeField(label="When was it held?", help_text=TIME_HINT, required=False)
    independent_of_home = forms.NullBooleanField(
        label="Is the person who held it independent of the home?",
        required=False,
        widget=GovukRadios(choices=[(True, "Yes"), (False, "No")]),
        template_name=RADIOS_TEMPLATE,
    )

    class Meta:
        model = ReturnInterview
        fields = INTERVIEW_FIELDS
        labels = {
            "outcome_reason": "Why did the interview not happen?",
            "held_by": "Who held it?",
            "push_factors": "Push factors",
            "pull_factors": "Pull factors",
            "places_mentioned": "Places mentioned",
            "associates_mentioned": "People mentioned",
            "disclosures": "Disclosures",
            "cse_concern": "There is a concern about sexual exploitation",
        }
        help_texts = {
            "outcome_reason": "Only if the child declined or it was not possible",
            "push_factors": "What made the child want to leave",
            "pull_factors": "What drew the child away",
        }
        widgets = {
            "outcome_reason": textarea(2),
            "push_factors": textarea(3),
            "pull_factors": textarea(3),
            "places_mentioned": textarea(2),
            "associates_mentioned": textarea(2),
            "disclosures": textarea(4),
        }


class AssignForm(GovukForm):
    interviewer = UserChoiceField(
        label="Return interviewer",
        queryset=None,
        empty_label="Choose a return interviewer",
        error_messages={
            "required": "Choose a return interviewer",
            "invalid_choice": "Choose a return interviewer from the list",
        },
    )

    def __init__(self, *args, interviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviewers


class VisitForm(ShapeOnlyModelForm):
    visited_at = GovukDateTimeField(
        label="When was the visit?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when the visit was"},
    )

    class Meta:
        model = SafeAndWellVisit
        fields = ["visited_at", "officer_name", "location", "outcome", "concerns"]
        labels = {
            "officer_name": "Officer",
            "location": "Where was the visit?",
            "outcome": "Outcome",
            "concerns": "Concerns",
        }
        help_texts = {"officer_name": "Name and collar number"}
        error_messages = {
            "officer_name": {"required": "Enter the officer's name and collar number"},
            "location": {"required": "Enter where the visit was"},
            "outcome": {"required": "Enter the outcome of the visit"},
        }
        widgets = {"outcome": textarea(3), "concerns": textarea(3)}
