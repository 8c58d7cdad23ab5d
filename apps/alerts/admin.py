"""Escalation rules, alerts and their deliveries, read-only: for support to look up why an
email did not arrive or what a rule was set to. Changes go through the web pages and the
services (versioned, validated, audited).

Administrators see no child data (ARCHITECTURE.md, access model): alerts are listed by id,
rule and authority, never by the child's name, and the child, the episodes, the summary and
the acknowledgement note are left out.
"""

from django.contrib import admin
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from apps.alerts.models import Alert, AlertDelivery, EscalationRule
from apps.core.admin import ReadOnlyAdmin


@admin.register(EscalationRule)
class EscalationRuleAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "authority",
        "rule_type",
        "severity",
        "acknowledge_within_minutes",
        "enabled",
    ]
    list_filter = ["rule_type", "severity", "enabled", "authority"]
    list_select_related = ["authority"]
    search_fields = ["name", "authority__name"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """A list only: an alert's own page would be titled with its str(), which names the child."""

    list_display = [
        "pk",
        "title",
        "authority",
        "severity",
        "status",
        "level",
        "raised_at",
        "escalate_at",
        "acknowledged_at",
    ]
    list_display_links = None
    list_filter = ["status", "severity", "level", "rule__rule_type"]
    list_select_related = ["authority"]
    date_hierarchy = "raised_at"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        raise Http404("Alerts are looked up from the list")

    def history_view(self, request, object_id, extra_context=None):
        raise Http404("Alerts are looked up from the list")


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "alert_id",
        "recipient_name",
        "email",
        "channel",
        "level",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["channel", "status", "level"]
    search_fields = ["email", "recipient_name"]
    fields = [
        "alert_id",
        "user",
        "recipient_name",
        "email",
        "channel",
        "level",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
    ]
    readonly_fields = fields
