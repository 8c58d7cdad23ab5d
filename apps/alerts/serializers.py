"""Shapes of alerts and escalation rules in the API.

No rules here: they live in apps.alerts.services (thresholds' limits, recipients, the ladder).
"""

from rest_framework import serializers

from apps.alerts.models import (
    AlertStatus,
    Channel,
    DeliveryStatus,
    RecipientRole,
    RuleType,
    Severity,
)
from apps.children.serializers import HomeRefSerializer, UserRefSerializer
from apps.episodes.serializers import ChildRefSerializer


class RuleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule_type = serializers.ChoiceField(choices=RuleType.choices)
    name = serializers.CharField()

    class Meta:
        ref_name = "AlertRuleRef"


class AlertOutputSerializer(serializers.Serializer):
    """An alert in a list; needs child, home and rule loaded (no queries)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    action = serializers.CharField(help_text="What to do, from the rule.")
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=AlertStatus.choices)
    rule = RuleRefSerializer()
    child = ChildRefSerializer()
    home = HomeRefSerializer(allow_null=True, help_text="The home the child was placed at.")
    raised_at = serializers.DateTimeField()
    level = serializers.IntegerField(
        help_text="The ladder: 0 the rule's recipients, 1 the authority's service managers, "
        "2 the out-of-hours contact."
    )
    escalated_at = serializers.DateTimeField(allow_null=True)
    escalate_at = serializers.DateTimeField(
        allow_null=True, help_text="When it climbs the ladder unless acknowledged."
    )
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class DeliveryOutputSerializer(serializers.Serializer):
    recipient_name = serializers.CharField()
    user = serializers.IntegerField(source="user_id", allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    level = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    sent_at = serializers.DateTimeField(allow_null=True)


class AlertDetailOutputSerializer(AlertOutputSerializer):
    """One alert; also needs acknowledged_by loaded, and `episode_ids` and `deliveries` set."""

    acknowledged_by = UserRefSerializer(allow_null=True)
    acknowledgement_note = serializers.CharField()
    ladder = serializers.CharField(help_text="The ladder in words; empty on the first step.")
    episodes = serializers.ListField(
        child=serializers.IntegerField(),
        source="episode_ids",
        help_text="Ids of the episodes that triggered it.",
    )
    deliveries = DeliveryOutputSerializer(many=True, source="delivery_list")


class AcknowledgeInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="What you have done or will do, for the others who were told.",
    )


class RuleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule_type = serializers.ChoiceField(choices=RuleType.choices)
    name = serializers.CharField()
    description = serializers.CharField(source="describe", help_text="The threshold in words.")
    count = serializers.IntegerField(allow_null=True)
    days = serializers.IntegerField(allow_null=True)
    hours = serializers.IntegerField(allow_null=True)
    severity = serializers.ChoiceField(choices=Severity.choices)
    recipient_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=RecipientRole.choices)
    )
    action = serializers.CharField()
    acknowledge_within_minutes = serializers.IntegerField()
    enabled = serializers.BooleanField()
    version = serializers.IntegerField()


class RuleInputSerializer(serializers.Serializer):
    """What a service manager may change (PATCH takes any of them). count, days and hours
    apply only to the rule types that use them; the service checks their limits."""

    name = serializers.CharField(max_length=120)
    count = serializers.IntegerField(allow_null=True, min_value=0)
    days = serializers.IntegerField(allow_null=True, min_value=0)
    hours = serializers.IntegerField(allow_null=True, min_value=0)
    severity = serializers.ChoiceField(choices=Severity.choices)
    recipient_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=RecipientRole.choices)
    )
    action = serializers.CharField(max_length=300)
    acknowledge_within_minutes = serializers.IntegerField(min_value=5, max_value=10080)
    enabled = serializers.BooleanField()
