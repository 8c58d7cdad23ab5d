"""Every local authority that existed before escalation rules gets the defaults.
New authorities get them from apps.accounts.services.organisation_create."""

from django.db import migrations


# The rule types that existed when this migration was written: later types are seeded by
# their own migrations (0005), after the constraint allows them.
TYPES = {
    "episodes_in_window",
    "overnight_in_window",
    "overnight_at_cse_risk",
    "open_longer_than",
    "police_risk_high",
    "no_police_report",
    "interview_not_held",
    "action_overdue",
}


def seed(apps, schema_editor):
    from apps.alerts.services import DEFAULT_RULES

    Organisation = apps.get_model("accounts", "Organisation")
    EscalationRule = apps.get_model("alerts", "EscalationRule")
    for authority in Organisation.objects.filter(kind="local_authority"):
        have = set(
            EscalationRule.objects.filter(authority=authority).values_list("rule_type", "name")
        )
        EscalationRule.objects.bulk_create(
            EscalationRule(authority=authority, **{k: str(v) if k in ("rule_type", "severity") else v for k, v in spec.items()})
            for spec in DEFAULT_RULES
            if spec["rule_type"] in TYPES and (spec["rule_type"], spec["name"]) not in have
        )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_action_overdue_rule")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
