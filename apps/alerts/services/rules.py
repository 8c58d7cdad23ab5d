"""The authority's escalation rules: the defaults every authority starts with, and edits."""

from django.db import transaction

from apps.accounts.models import Organisation
from apps.alerts.models import (
    EscalationRule,
    RecipientRole,
    RuleType,
    Severity,
)
from apps.core.errors import ApplicationError
from apps.core.services import apply_changes, save_versioned, validate_instance

DEFAULT_RULES = [
    {
        "rule_type": RuleType.EPISODES_IN_WINDOW,
        "name": "Repeat episodes",
        "count": 3,
        "days": 30,
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER, RecipientRole.SERVICE_MANAGER],
        "action": "Consider a strategy meeting",
    },
    {
        "rule_type": RuleType.OVERNIGHT_IN_WINDOW,
        "name": "Repeat overnight absences",
        "count": 2,
        "days": 30,
        "severity": Severity.HIGH,
        "recipient_roles": [
            RecipientRole.SOCIAL_WORKER,
            RecipientRole.HOME_MANAGER,
            RecipientRole.POLICE_LIAISON,
        ],
        "action": "Review the risk of child sexual exploitation (CSE)",
    },
    {
        "rule_type": RuleType.OVERNIGHT_AT_CSE_RISK,
        "name": "Overnight absence at CSE risk",
        "severity": Severity.IMMEDIATE,
        "recipient_roles": [
            RecipientRole.SOCIAL_WORKER,
            RecipientRole.HOME_MANAGER,
            RecipientRole.POLICE_LIAISON,
        ],
        "action": "Contact the police and the child's social worker now",
        "acknowledge_within_minutes": 30,
    },
    {
        "rule_type": RuleType.OPEN_LONGER_THAN,
        "name": "Missing more than 24 hours",
        "hours": 24,
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.SERVICE_MANAGER],
        "action": "Review the search and the police response",
    },
    {
        "rule_type": RuleType.OPEN_LONGER_THAN,
        "name": "Missing more than 72 hours",
        "hours": 72,
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER, RecipientRole.SERVICE_MANAGER],
        "action": "Consider a strategy meeting",
    },
    {
        "rule_type": RuleType.POLICE_RISK_HIGH,
        "name": "Police risk grade high",
        "severity": Severity.IMMEDIATE,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER, RecipientRole.SERVICE_MANAGER],
        "action": "Speak to the police liaison officer and agree the response",
        "acknowledge_within_minutes": 30,
    },
    {
        "rule_type": RuleType.NO_POLICE_REPORT,
        "name": "Missing and not reported to police",
        "hours": 1,
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.HOME_MANAGER],
        "action": "Report the child missing to the police and record the reference",
        "acknowledge_within_minutes": 30,
    },
    {
        "rule_type": RuleType.INTERVIEW_NOT_HELD,
        "name": "Return interview not held",
        "hours": 72,
        "severity": Severity.STANDARD,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER, RecipientRole.SERVICE_MANAGER],
        "action": "Arrange the return home interview or record why it did not happen",
        "acknowledge_within_minutes": 240,
    },
    {
        "rule_type": RuleType.ACTION_OVERDUE,
        "name": "Meeting action overdue",
        "severity": Severity.STANDARD,
        "recipient_roles": [RecipientRole.ACTION_OWNER, RecipientRole.MEETING_CHAIR],
        "action": "Complete the action, or agree a new date with the chair and record it",
        "acknowledge_within_minutes": 480,
    },
    {
        "rule_type": RuleType.RISK_REVIEW_DUE,
        "name": "Police risk grade review overdue",
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.POLICE_LIAISON, RecipientRole.HOME_MANAGER],
        "action": "Agree the risk grade with the police again and record it",
        "acknowledge_within_minutes": 60,
    },
    {
        "rule_type": RuleType.CSE_REVIEW_DUE,
        "name": "CSE risk review due",
        "days": 7,
        "severity": Severity.STANDARD,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER],
        "action": "Review the CSE risk assessment with the people who know the child",
        "acknowledge_within_minutes": 1440,
    },
    {
        "rule_type": RuleType.MEETING_REVIEW_DUE,
        "name": "Strategy meeting review due",
        "days": 7,
        "severity": Severity.STANDARD,
        "recipient_roles": [RecipientRole.MEETING_CHAIR, RecipientRole.SOCIAL_WORKER],
        "action": "Book the review strategy meeting, or record why it is not needed",
        "acknowledge_within_minutes": 1440,
    },
]


@transaction.atomic
def rules_seed_defaults(*, authority: Organisation) -> int:
    """Give an authority the default rules it does not have yet (by type and name).
    Returns how many were created."""
    existing = set(
        EscalationRule.objects.filter(authority=authority).values_list("rule_type", "name")
    )
    created = 0
    for spec in DEFAULT_RULES:
        if (spec["rule_type"], spec["name"]) in existing:
            continue
        rule = EscalationRule(authority=authority, **spec)
        validate_instance(rule)
        rule.save()
        created += 1
    return created


def _check_rule(rule: EscalationRule) -> None:
    from apps.alerts.models import RULE_PARAMETERS

    errors: dict[str, list[str]] = {}
    limits = {"count": (2, 50), "days": (1, 365), "hours": (1, 720)}
    words = {"count": "number of episodes", "days": "number of days", "hours": "number of hours"}
    for name in RULE_PARAMETERS[rule.rule_type]:
        value = getattr(rule, name)
        low, high = limits[name]
        if value is None:
            errors[name] = [f"Enter the {words[name]}"]
        elif not low <= value <= high:
            errors[name] = [f"The {words[name]} must be between {low} and {high}"]
    roles = rule.recipient_roles or []
    if not roles:
        errors["recipient_roles"] = ["Choose who is told"]
    elif not set(roles) <= set(RecipientRole.values):
        errors["recipient_roles"] = ["Choose who is told from the list"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, fields=errors)


@transaction.atomic
def rule_update(*, actor, rule: EscalationRule, expected_version: int, **fields) -> EscalationRule:
    """Change a rule's threshold, recipients, ladder time or switch it on or off. The type
    and authority never change. Caller has checked the user may manage the authority's rules."""
    editable = [
        "name",
        "count",
        "days",
        "hours",
        "severity",
        "recipient_roles",
        "action",
        "acknowledge_within_minutes",
        "enabled",
    ]
    changed = apply_changes(rule, data=fields, allowed=editable)
    _check_rule(rule)
    validate_instance(rule)
    save_versioned(rule, actor=actor, expected_version=expected_version, fields=changed)
    return rule
