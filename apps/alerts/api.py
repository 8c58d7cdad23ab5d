"""Alerts and escalation rules in the REST API.

Same rules as the web: every read goes through apps.alerts.access (an alert or rule the caller
may not see answers 404, like a missing one), every write through apps.alerts.services, and
every read of one alert is written to its child's access log.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.alerts import access, selectors, services
from apps.alerts.models import RULE_PARAMETERS, AlertStatus, RuleType
from apps.alerts.serializers import (
    AcknowledgeInputSerializer,
    AlertDetailOutputSerializer,
    AlertOutputSerializer,
    RuleInputSerializer,
    RuleOutputSerializer,
)
from apps.children.access import require
from apps.children.services import access_log_record_api
from apps.core.api import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    error_responses,
    etag,
    expected_version,
    paginated,
    validated,
)

TAGS = ["alerts"]
# Thresholds: each rule type uses some of them (RULE_PARAMETERS).
PARAMETER_FIELDS = {"count", "days", "hours"}


def _with_etag(data, version: int) -> Response:
    response = Response(data)
    response["ETag"] = etag(version)
    return response


def _alert_response(user, alert) -> Response:
    """One alert with its episodes, deliveries and ladder text (caller has checked access)."""
    alert.episode_ids = [episode.pk for episode in selectors.alert_episodes(user, alert)]
    alert.delivery_list = list(selectors.alert_deliveries(alert))
    alert.ladder = services.ladder_description(alert)
    return _with_etag(AlertDetailOutputSerializer(alert).data, alert.version)


# Alerts -------------------------------------------------------------------------------------


class AlertListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    OutputSerializer = AlertOutputSerializer

    class FilterSerializer(serializers.Serializer):
        scope = serializers.ChoiceField(
            choices=[(selectors.SCOPE_MINE, "Sent to me"), (selectors.SCOPE_ALL, "All I can see")],
            required=False,
            help_text="mine: alerts sent to you; authority (default): every alert you may see.",
        )
        status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
        rule_type = serializers.ChoiceField(choices=RuleType.choices, required=False)
        home = serializers.IntegerField(required=False, min_value=1, help_text="A home's id.")

        class Meta:
            ref_name = "AlertFilter"

    @extend_schema(
        tags=TAGS,
        operation_id="alerts_list",
        summary="Alerts you may see, newest first",
        description="Alerts sent to you; and, for service managers, every alert of their "
        "authority; for home managers, alerts about their homes; for social workers, alerts "
        "about the children they see. A list is not logged as a view of each child.",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request):
        filters = validated(self.FilterSerializer, request.query_params.dict())
        alerts = selectors.alert_list(
            request.user,
            scope=filters.get("scope", selectors.SCOPE_ALL),
            statuses=[filters["status"]] if "status" in filters else None,
            rule_types=[filters["rule_type"]] if "rule_type" in filters else None,
            home=filters.get("home"),
        )
        return paginated(request, alerts, self.OutputSerializer, view=self)


class AlertDetailApi(APIView):
    OutputSerializer = AlertDetailOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="alerts_retrieve",
        summary="One alert (the read is logged, and marks your notification of it read)",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        alert = access.get_alert_for_user(request.user, pk)
        services.notifications_mark_read(user=request.user, alert=alert)
        access_log_record_api(request=request, child=alert.child)
        return _alert_response(request.user, alert)


class AlertAcknowledgeApi(APIView):
    InputSerializer = AcknowledgeInputSerializer
    OutputSerializer = AlertDetailOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="alerts_acknowledge",
        summary="Acknowledge the alert for everyone it went to; the ladder stops",
        description="An alert already acknowledged answers 400.",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request, pk: int):
        alert = access.get_alert_for_user(request.user, pk)
        require(access.can_acknowledge(request.user, alert))
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data)
        alert = services.alert_acknowledge(
            actor=request.user, alert=alert, expected_version=version, note=data.get("note", "")
        )
        return _alert_response(request.user, alert)


# Escalation rules ---------------------------------------------------------------------------


class RuleListApi(APIView):
    pagination_class = PageNumberPagination  # read by the schema generator
    OutputSerializer = RuleOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="alerts_rules_list",
        summary="Your authority's escalation rules (service managers)",
        description="Anyone else is answered 404.",
        responses={200: OutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request):
        access.get_authority_for_user(request.user)
        return paginated(
            request, selectors.rule_list(request.user), self.OutputSerializer, view=self
        )


class RuleDetailApi(APIView):
    InputSerializer = RuleInputSerializer
    OutputSerializer = RuleOutputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="alerts_rules_retrieve",
        summary="One escalation rule of your authority (service managers)",
        parameters=[ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        rule = access.get_rule_for_user(request.user, pk)
        return _with_etag(self.OutputSerializer(rule).data, rule.version)

    @extend_schema(
        tags=TAGS,
        operation_id="alerts_rules_partial_update",
        summary="Change a rule's threshold, recipients, ladder time, or switch it on or off",
        description="count, days and hours are taken only for the rule types that use them "
        "(count and days: the window rules; hours: the time rules); others are ignored.",
        request=InputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request, pk: int):
        rule = access.get_rule_for_user(request.user, pk)
        version = expected_version(request)
        data = validated(self.InputSerializer, request.data, partial=True)
        used = RULE_PARAMETERS[rule.rule_type]
        fields = {k: v for k, v in data.items() if k not in PARAMETER_FIELDS or k in used}
        rule = services.rule_update(
            actor=request.user, rule=rule, expected_version=version, **fields
        )
        return _with_etag(self.OutputSerializer(rule).data, rule.version)
