"""Forms for the alert pages. They check the shape of input; apps.alerts.services applies the
rules (the thresholds' limits, at least one recipient, an email for the out-of-hours contact).
"""

from django import forms

from apps.alerts.models import (
    RULE_PARAMETERS,
    AlertStatus,
    EscalationRule,
    RecipientRole,
    RuleType,
    Severity,
)
from apps.core.forms import GovukForm, VersionedFormMixin, textarea

# The alerts list's filters -----------------------------------------------------------------

SCOPE_CHOICES = [("mine", "Sent to me"), ("authority", "All I can see")]
STATUS_CHOICES = [
    (AlertStatus.OPEN, "Not acknowledged"),
    (AlertStatus.ACKNOWLEDGED, "Acknowledged"),
]


class AlertFilterForm(GovukForm):
    """The list's filters, read from the querystring. Bad values are ignored, not refused."""

    scope = forms.ChoiceField(
        label="Show", choices=SCOPE_CHOICES, required=False, widget=forms.RadioSelect
    )
    status = forms.MultipleChoiceField(
        label="Status",
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rule_type = forms.MultipleChoiceField(
        label="Type of alert",
        choices=RuleType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    home = forms.TypedChoiceField(label="Home", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, homes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home"].choices = [("", "Any home"), *homes]

    def filters(self) -> dict:
        """The valid filters; a field with a bad value counts as not set."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "scope": data.get("scope") or "authority",
            "statuses": data.get("status") or [],
            "rule_types": data.get("rule_type") or [],
            "home": data.get("home"),
        }


# Acknowledging -----------------------------------------------------------------------------


class AcknowledgeForm(VersionedFormMixin, GovukForm):
    note = forms.CharField(
        label="Note",
        help_text="What you have done or will do, for the others who were told",
        required=False,
        max_length=2000,
        widget=textarea(3),
    )

    def __init__(self, *args, record=None, **kwargs):
        if record is not None:
            kwargs["initial"] = {"version": record.version, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)


# Escalation rules --------------------------------------------------------------------------

PARAMETER_FIELDS = ("count", "days", "hours")
# Roles that name one person of a strategy meeting: offered only for the rules about meetings.
MEETING_ROLES = {RecipientRole.ACTION_OWNER, RecipientRole.MEETING_CHAIR}
MEETING_ROLES_OF = {
    RuleType.ACTION_OVERDUE: MEETING_ROLES,
    RuleType.MEETING_REVIEW_DUE: {RecipientRole.MEETING_CHAIR},
}
RULE_LABELS = {
    "name": "Name",
    "count": "Number of episodes",
    "days": "Number of days",
    "hours": "Number of hours",
    "severity": "Severity",
    "recipient_roles": "Who is told",
    "action": "What to do",
    "acknowledge_within_minutes": "Minutes to acknowledge",
    "enabled": "This rule is on",
}


def _number(name: str, **kwargs) -> forms.IntegerField:
    label = RULE_LABELS[name]
    return forms.IntegerField(
        label=label,
        # GOV.UK: a text input with a numeric keypad, not type="number".
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-4", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be a whole number",
            "min_value": f"{label} must be %(limit_value)s or more",
            "max_value": f"{label} must be %(limit_value)s or fewer",
        },
        **kwargs,
    )


class RuleForm(VersionedFormMixin, GovukForm):
    """A rule's settings. Only the parameters its type uses (RULE_PARAMETERS) are asked for."""

    name = forms.CharField(
        label=RULE_LABELS["name"],
        max_length=120,
        help_text="The title of the alerts this rule raises",
        error_messages={"required": "Enter a name for the rule"},
    )
    count = _number("count", help_text="How many episodes within the number of days")
    days = _number("days", help_text="The length of the window, in days")
    hours = _number("hours")
    severity = forms.ChoiceField(
        label=RULE_LABELS["severity"],
        choices=Severity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the severity"},
    )
    recipient_roles = forms.MultipleChoiceField(
        label=RULE_LABELS["recipient_roles"],
        choices=RecipientRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select everyone who is told when the rule fires",
    )
    action = forms.CharField(
        label=RULE_LABELS["action"],
        max_length=300,
        widget=textarea(2),
        help_text="Shown on the alert, for example ‘Consider a strategy meeting’",
        error_messages={"required": "Enter what to do"},
    )
    acknowledge_within_minutes = _number(
        "acknowledge_within_minutes",
        min_value=5,
        max_value=10080,
        help_text="If nobody acknowledges the alert in this time, the authority's service "
        "managers are told, then the out-of-hours contact",
    )
    enabled = forms.BooleanField(
        label=RULE_LABELS["enabled"],
        required=False,
        help_text="When off, the rule raises no alerts",
    )

    def __init__(self, *args, rule: EscalationRule, **kwargs):
        initial = {name: getattr(rule, name) for name in RULE_LABELS}
        initial["version"] = rule.version
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        offered = MEETING_ROLES_OF.get(rule.rule_type, set())
        roles = self.fields["recipient_roles"]
        roles.choices = [
            (v, label) for v, label in roles.choices if v not in MEETING_ROLES - offered
        ]
        used = RULE_PARAMETERS[rule.rule_type]
        for name in PARAMETER_FIELDS:
            if name not in used:
                del self.fields[name]
        if rule.rule_type == RuleType.OPEN_LONGER_THAN:
            self.fields["hours"].help_text = "How long the episode has been open"
        elif "hours" in self.fields:
            self.fields["hours"].help_text = "How long to wait before the alert is raised"
        if rule.rule_type in (RuleType.CSE_REVIEW_DUE, RuleType.MEETING_REVIEW_DUE):
            self.fields[
                "days"
            ].help_text = "How many days before the review date the alert is raised"

    def latest_values(self, instance) -> list[tuple[str, str]]:
        rows = super().latest_values(instance)
        roles = dict(RecipientRole.choices)
        told = ", ".join(str(roles.get(role, role)) for role in instance.recipient_roles)
        return [
            (label, told if label == RULE_LABELS["recipient_roles"] else value)
            for label, value in rows
        ]


class OutOfHoursForm(GovukForm):
    out_of_hours_name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        help_text="For example, Emergency Duty Team",
    )
    out_of_hours_email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="Leave both empty to stop the ladder at the service managers",
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    missing_inbox_email = forms.EmailField(
        label="Missing-children inbox",
        required=False,
        max_length=254,
        help_text="Your MASH or missing co-ordinator: told at once of every episode of a child "
        "you place, and of children placed in your area by other authorities",
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
