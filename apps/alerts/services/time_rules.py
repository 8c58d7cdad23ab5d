"""Time rules: beat, every minute, raises the alerts that are due because time has passed.

The rules about episodes (open too long, no police report, return interview not held) are
here; an app above alerts adds its own rule type by registering a source
(`time_rule_source_register`), so alerts never imports it (strategy meetings: overdue actions).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.alerts.models import (
    TIME_RULES,
    Alert,
    EscalationRule,
    RuleType,
)
from apps.alerts.services import engine
from apps.alerts.services.engine import _hours, _when

# Time rules look back this far for things that should have alerted (beat or the database
# down for a while); older misses are left to the reports.
CATCH_UP = timedelta(days=14)


@dataclass
class Due:
    """A time rule that should fire for one thing, unless it already has."""

    rule: EscalationRule
    episode: object | None
    key: str
    summary: str
    child: object = None
    home: object = None
    # Roles that name one person: role -> user id (a meeting action's owner, the chair).
    named: dict | None = None
    # Roles that name someone without an account: role -> Recipient (an external attendee
    # who owns a meeting action is emailed).
    external: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.episode is not None:
            self.child = self.child or self.episode.child
            self.home = self.home or self.episode.home


# Rule type -> the function giving what is due for it: `source(rules=..., now=...)` takes the
# enabled rules of that type (perhaps none) and returns a list of `Due`, in a fixed number of
# queries. Registered by the app that owns the rows, in its AppConfig.ready().
TimeRuleSource = Callable[..., list[Due]]
TIME_RULE_SOURCES: dict[str, TimeRuleSource] = {}


def time_rule_source_register(*, rule_type: str, source: TimeRuleSource) -> None:
    """Let `time_rules_evaluate` ask `source` what is due for `rule_type` (a time rule whose
    rows live in an app above alerts). Registering again replaces the source."""
    if rule_type not in TIME_RULES:
        raise ValueError(f"{rule_type} is not a time rule")
    TIME_RULE_SOURCES[rule_type] = source


def time_rules_evaluate(*, now: datetime | None = None) -> list[Alert]:
    """Beat, every minute: episodes open too long, missing with no police report, and return
    interviews not held in time. Per rule type: one query for the candidates and one for the
    alerts already raised on them, whatever the number of authorities or the history size;
    then a fixed number for each alert raised."""
    from apps.episodes.models import Episode, EpisodeKind, InterviewOutcome, ReturnInterview

    now = now or timezone.now()
    rules = list(EscalationRule.objects.filter(enabled=True, rule_type__in=TIME_RULES))
    due: list[Due] = []
    for rule_type, source in TIME_RULE_SOURCES.items():
        due += source(rules=[r for r in rules if r.rule_type == rule_type], now=now)
    for rule_type in TIME_RULES - set(TIME_RULE_SOURCES):
        of_type = [r for r in rules if r.rule_type == rule_type and r.hours]
        if not of_type:
            continue
        by_authority = rules_by_authority(of_type)
        earliest = now - timedelta(hours=min(r.hours for r in of_type))
        authorities = list(by_authority)
        if rule_type == RuleType.INTERVIEW_NOT_HELD:
            interviews = (
                ReturnInterview.objects.filter(
                    episode__returned_at__lte=earliest,
                    episode__returned_at__gte=now - CATCH_UP,
                    episode__child__placing_authority_id__in=authorities,
                )
                .exclude(outcome=InterviewOutcome.ACCEPTED, held_at__isnull=False)
                # Declined by the child or not possible, with the reason recorded: the offer
                # was made and its outcome is known, so nothing is overdue.
                .exclude(
                    outcome__in=[InterviewOutcome.DECLINED, InterviewOutcome.NOT_POSSIBLE],
                    outcome_reason__gt="",
                )
                .select_related("episode__child", "episode__home")
            )
            for interview in interviews:
                episode = interview.episode
                state = (
                    interview.get_outcome_display().lower()
                    if interview.outcome
                    else ("no outcome recorded")
                )
                for rule in by_authority[episode.child.placing_authority_id]:
                    if episode.returned_at <= now - timedelta(hours=rule.hours):
                        summary = (
                            f"Came back {_when(episode.returned_at)}; the return interview was "
                            f"not held within {_hours(rule.hours)} ({state})"
                        )
                        due.append(Due(rule, episode, f"interview:{interview.pk}", summary))
            continue
        episodes = Episode.objects.open().filter(
            child__placing_authority_id__in=authorities, last_seen_at__gte=now - CATCH_UP * 4
        )
        if rule_type == RuleType.OPEN_LONGER_THAN:
            episodes = episodes.filter(last_seen_at__lte=earliest)
        else:  # NO_POLICE_REPORT: counted from when the home logged the child missing
            episodes = episodes.filter(
                kind=EpisodeKind.MISSING,
                reported_to_police_at__isnull=True,
                created_at__lte=earliest,
            )
        for episode in episodes.select_related("child", "home"):
            for rule in by_authority[episode.child.placing_authority_id]:
                since = timedelta(hours=rule.hours)
                if rule_type == RuleType.OPEN_LONGER_THAN:
                    if episode.last_seen_at > now - since:
                        continue
                    summary = (
                        f"{episode.get_kind_display()} since {_when(episode.last_seen_at)}, "
                        f"more than {_hours(rule.hours)}"
                    )
                else:
                    if episode.created_at > now - since:
                        continue
                    summary = (
                        f"Reported missing {_when(episode.created_at)} and not reported to "
                        f"the police after {_hours(rule.hours)}"
                    )
                due.append(Due(rule, episode, f"episode:{episode.pk}", summary))
    if not due:
        return []
    raised = set(
        Alert.objects.filter(
            rule__in={d.rule.pk for d in due}, key__in={d.key for d in due}
        ).values_list("rule_id", "key")
    )
    alerts = []
    for item in due:
        if (item.rule.pk, item.key) in raised:
            continue
        with transaction.atomic():
            alert = engine._raise(
                rule=item.rule,
                child=item.child,
                home=item.home,
                key=item.key,
                episodes=[item.episode] if item.episode else [],
                summary=item.summary,
                now=now,
                named=item.named,
                external=item.external,
            )
        if alert:
            alerts.append(alert)
    return alerts


def rules_by_authority(rules: list[EscalationRule]) -> dict[int, list[EscalationRule]]:
    by_authority: dict[int, list[EscalationRule]] = {}
    for rule in rules:
        by_authority.setdefault(rule.authority_id, []).append(rule)
    return by_authority


def review_dates(rules: list[EscalationRule], now: datetime):
    """For the review-due rules: today (UK), the latest review date any rule alerts on yet
    (today plus the longest `days`), and the earliest one still caught up on."""
    today = timezone.localdate(now)
    return today, today + timedelta(days=max(r.days or 0 for r in rules)), today - CATCH_UP


def review_summary(what: str, due_on, today) -> str:
    if due_on < today:
        return f"{what} was due for review on {due_on:%-d %b %Y}"
    return f"{what} is due for review on {due_on:%-d %b %Y}"


def cse_reviews_due(*, rules: list[EscalationRule], now: datetime) -> list[Due]:
    """The time-rule source of the "CSE review due" rule: each child's newest CSE risk
    assessment whose review date is within the rule's days (or passed, up to CATCH_UP ago),
    for children still in the authority's care, with the home they live in now (so the home's
    managers can be told). Two queries."""
    from apps.children.selectors import current_placements, newest_assessments

    rules = [r for r in rules if r.days]
    if not rules:
        return []
    by_authority = rules_by_authority(rules)
    today, latest, earliest = review_dates(rules, now)
    assessments = (
        newest_assessments()
        .filter(
            review_due_on__lte=latest,
            review_due_on__gte=earliest,
            child__is_archived=False,
            child__placing_authority_id__in=list(by_authority),
        )
        .select_related("child")
        .prefetch_related(current_placements("child__placements"))
    )
    due = []
    for assessment in assessments:
        child = assessment.child
        placement = child.current_placement
        what = (
            f"The CSE risk assessment of {assessment.assessed_on:%-d %b %Y} "
            f"({assessment.get_level_display().lower()} risk)"
        )
        for rule in by_authority[child.placing_authority_id]:
            if assessment.review_due_on - timedelta(days=rule.days) > today:
                continue
            due.append(
                Due(
                    rule,
                    None,
                    f"cse-review:{assessment.pk}",
                    review_summary(what, assessment.review_due_on, today),
                    child=child,
                    home=placement.home if placement else None,
                )
            )
    return due


def risk_reviews_due(*, rules: list[EscalationRule], now: datetime) -> list[Due]:
    """The time-rule source of "police risk grade review overdue": open episodes whose risk
    grade's review time has passed (up to CATCH_UP ago) with no new grade since. Keyed by the
    review time, so a new grade with its own review time can alert again. One query."""
    from apps.core.clock import display_time
    from apps.episodes.models import Episode

    if not rules:
        return []
    by_authority = rules_by_authority(rules)
    episodes = (
        Episode.objects.open()
        .filter(
            risk_review_at__lte=now,
            risk_review_at__gte=now - CATCH_UP,
            child__placing_authority_id__in=list(by_authority),
        )
        .select_related("child", "home")
    )
    due = []
    for episode in episodes:
        given = f", by {episode.risk_graded_by}" if episode.risk_graded_by else ""
        contact = f" ({episode.risk_grader_contact})" if episode.risk_grader_contact else ""
        summary = (
            f"Graded {episode.get_risk_grade_display().lower()} risk "
            f"{display_time(episode.risk_graded_at)}{given}{contact}; the review was due "
            f"{display_time(episode.risk_review_at)} and no new grade is recorded"
        )
        key = f"risk-review:{episode.pk}:{int(episode.risk_review_at.timestamp())}"
        for rule in by_authority[episode.child.placing_authority_id]:
            due.append(Due(rule, episode, key, summary))
    return due


time_rule_source_register(rule_type=RuleType.CSE_REVIEW_DUE, source=cse_reviews_due)
time_rule_source_register(rule_type=RuleType.RISK_REVIEW_DUE, source=risk_reviews_due)
