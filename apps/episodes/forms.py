"""Forms for the episode pages. They check the shape of input; apps.episodes.services applies
the rules (not in the future, after last seen, one open episode, postcode...).

Times are typed in `apps.core.forms.GovukDateTimeField` (the GOV.UK date input with a time box).
"""

from django import forms

from apps.core.forms import (
    RADIOS_TEMPLATE,
    TIME_HINT,
    GovukDateTimeField,
    GovukForm,
    GovukRadios,
    KeepStoredTimesMixin,
    ShapeOnlyModelForm,
    UserChoiceField,
    VersionedFormMixin,
    radios,
    textarea,
)
from apps.episodes.models import (
    AuthorityStep,
    Episode,
    EpisodeKind,
    EpisodeUpdate,
    FirstStep,
    InterviewOutcome,
    Reg40Status,
    ReturnInterview,
    ReturnMethod,
    RiskGrade,
    SafeAndWellVisit,
    StepTick,
    UpdateCategory,
)
from apps.episodes.services import EPISODE_FIELDS, INTERVIEW_FIELDS, RETURN_FIELDS

POLICE_FIELDS = (
    "reported_to_police_at",
    "police_reference",
    "risk_grade",
    "risk_graded_by",
    "risk_grader_contact",
    "risk_review_at",
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


class EpisodeEditForm(KeepStoredTimesMixin, VersionedFormMixin, ShapeOnlyModelForm):
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
    risk_review_at = GovukDateTimeField(
        label="When is the risk grade to be reviewed?",
        help_text="Leave it for the police force's time for the grade. " + TIME_HINT,
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


class ReturnForm(KeepStoredTimesMixin, VersionedFormMixin, ShapeOnlyModelForm):
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


class InterviewForm(KeepStoredTimesMixin, VersionedFormMixin, ShapeOnlyModelForm):
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


# Regulation 40 -----------------------------------------------------------------------------


class Reg40Form(VersionedFormMixin, GovukForm):
    status = radios(
        "Is this notifiable to Ofsted?",
        [
            (Reg40Status.NOTIFIED, "Yes, Ofsted has been notified"),
            (Reg40Status.NOT_NOTIFIABLE, "No, it is not notifiable"),
        ],
        error="Choose whether Ofsted was notified",
    )
    notified_at = GovukDateTimeField(
        label="When was Ofsted notified?",
        help_text=f"Only if notified. {TIME_HINT}",
        required=False,
    )
    ofsted_reference = forms.CharField(
        label="Ofsted reference",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        help_text="Only if notified",
    )
    not_notifiable_reason = forms.CharField(
        label="Why is it not notifiable?",
        required=False,
        max_length=2000,
        widget=textarea(3),
        help_text="Only if not notifiable",
    )


# The first hour ------------------------------------------------------------------------------

PARENT_CHOICES = [("told", "Told"), ("not_appropriate", "Not appropriate")]


class StepTickForm(GovukForm):
    """One first-hour step ticked. The fields depend on the step: police called asks the time
    and reference, the risk grade asks the grade, the parent or carer asks told or not
    appropriate (with a reason). `version` is the tick's (0: not ticked), `episode_version` the
    episode's, both as the user saw them."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    episode_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, step: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step == FirstStep.POLICE_CALLED:
            self.fields["reported_to_police_at"] = GovukDateTimeField(
                label="When were the police called?",
                help_text=TIME_HINT,
                error_messages={"required": "Enter when the police were called"},
            )
            self.fields["police_reference"] = forms.CharField(
                label="Police reference",
                max_length=Episode._meta.get_field("police_reference").max_length,
                error_messages={"required": "Enter the police reference"},
            )
        elif step == FirstStep.RISK_GRADE:
            self.fields["risk_grade"] = radios(
                "Police risk grade",
                [(grade, RiskGrade(grade).label) for grade in reversed(RiskGrade.values)],
                error="Select the police risk grade",
                help_text="As the police graded it",
            )
            # APP: a grade records who gave it and how to reach them.
            self.fields["risk_graded_by"] = forms.CharField(
                label="Who gave the grade?",
                help_text="The officer's name and collar number",
                max_length=200,
                error_messages={"required": "Enter who gave the grade"},
            )
            self.fields["risk_grader_contact"] = forms.CharField(
                label="How can they be reached?",
                help_text="A phone number or email",
                max_length=200,
                required=False,
            )
        elif step == FirstStep.PARENT_TOLD:
            self.fields["told"] = radios(
                "Was the parent or carer told?",
                PARENT_CHOICES,
                hints={"not_appropriate": "For example, the care plan says they are not told."},
                error="Select whether the parent or carer was told",
            )
            self.fields["note"] = forms.CharField(
                label="Why is it not appropriate?",
                required=False,
                max_length=StepTick._meta.get_field("note").max_length,
                widget=textarea(3),
            )

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors or "episode_version" in self.errors:
            self.add_error(None, "This page is out of date. Reload it and tick the step again.")
        return cleaned

    def tick_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("episode_version", None)
        told = data.pop("told", None)
        if told is not None:
            data["not_appropriate"] = told == "not_appropriate"
        return data


class AuthorityStepForm(GovukForm):
    wording = forms.CharField(
        label="Add a step",
        help_text="What the home must do, as your protocol words it.",
        max_length=AuthorityStep._meta.get_field("wording").max_length,
        error_messages={"required": "Enter the step"},
    )


class InterviewSummaryForm(VersionedFormMixin, ShapeOnlyModelForm):
    class Meta:
        model = ReturnInterview
        fields = ["shared_summary"]
        labels = {"shared_summary": "Summary for the home and the police"}
        help_texts = {
            "shared_summary": "They see the outcome and this summary, not what the child said. "
            "Write only what they need to keep the child safe. Leave it empty to share nothing."
        }
        widgets = {"shared_summary": textarea(4)}


class LateRecordForm(ShapeOnlyModelForm):
    """An episode that has already ended, recorded afterwards: when and where the child was
    last seen, when and how they came back, and why it is recorded late."""

    kind = radios(
        "Was the child missing or away?",
        KIND_CHOICES,
        hints=KIND_HINTS,
        error="Select whether the child was missing or away",
    )
    last_seen_at = GovukDateTimeField(
        label="When were they last seen?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when the child was last seen"},
    )
    returned_at = GovukDateTimeField(
        label="When did they come back?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when the child came back"},
    )
    return_method = radios(
        "How did they come back?", ReturnMethod.choices, error="Select how the child came back"
    )

    class Meta:
        model = Episode
        fields = [
            "kind",
            "last_seen_at",
            "last_seen_where",
            "returned_at",
            "return_method",
            "found_where",
            "concerns",
            "late_reason",
        ]
        labels = {
            **EPISODE_LABELS,
            "found_where": "Where had they been?",
            "concerns": "Concerns",
            "late_reason": "Why is this recorded now, after they came back?",
        }
        help_texts = {
            **EPISODE_HINTS,
            "late_reason": "For example, the weekend staff did not have access to Homeward",
        }
        error_messages = {
            "last_seen_where": {"required": "Enter where the child was last seen"},
            "late_reason": {"required": "Enter why this is recorded after the child came back"},
        }
        widgets = {"concerns": textarea(3), "late_reason": textarea(2)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["late_reason"].required = True
