"""Reads about episodes that take a user or span models. Each returns a queryset already
scoped by apps.episodes.access, with the relations its page shows named in select_related, so
a list costs the same number of queries for 1 row as for 1,000."""

from datetime import timedelta

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.episodes.access import (
    authority_steps_managed_by,
    episode_scope_q,
    interviews_visible_to,
    reg40_visible_to,
)
from apps.episodes.models import (
    DERIVED_STEPS,
    RISK_ORDER,
    STATUTORY_STEPS,
    STEPS_ON_EPISODE,
    AuthorityStep,
    Episode,
    EpisodeUpdate,
    FirstStep,
    Reg40Status,
    Regulation40Decision,
    ReturnInterview,
    StepTick,
)

# Risk grade -> rank for ordering in the database: high first, not graded ("") last.
_RISK_RANK = Case(
    *[When(risk_grade=grade, then=Value(rank)) for grade, rank in RISK_ORDER.items() if grade],
    default=Value(RISK_ORDER[None]),
    output_field=IntegerField(),
)


# The child's status on every children list (apps.children.selectors.child_status_annotation,
# registered in EpisodesConfig.ready()): a subquery per figure in the list's one query, through
# the open episodes' partial index, never a query per row.


def _open_episode(ref: str):
    return Episode.objects.open().filter(child=OuterRef(ref)).order_by("-last_seen_at", "-pk")


def status_kind(ref: str) -> Subquery:
    """The kind of the child's open episode ("M" missing, "A" away), or None."""
    return Subquery(_open_episode(ref).values("kind")[:1])


def status_since(ref: str) -> Subquery:
    """When the child of an open episode was last seen, or None."""
    return Subquery(_open_episode(ref).values("last_seen_at")[:1])


def missing_now(user) -> QuerySet[Episode]:
    """Open episodes the user may see: highest risk first, then the longest missing first.

    One query: the child, the home and its police force come joined.
    """
    # Open episodes are few whatever the history: read them through their partial index and
    # check the scope on each, rather than gather the user's whole scope first.
    return (
        Episode.objects.open()
        .filter(episode_scope_q(user))
        .select_related("child", "home", "home__police_force")
        .annotate(risk_rank=_RISK_RANK)
        .with_steps_left()
        .order_by("risk_rank", "last_seen_at", "pk")
    )


def recently_returned(user, *, days: int = 7, now=None) -> QuerySet[Episode]:
    """Episodes the user may see whose child came back in the last `days` days, newest first.

    So the police can reach a closed episode for the safe-and-well visit, and staff can follow
    up, after it leaves the missing-now board. One query.
    """
    now = now or timezone.now()
    # A week of returns, through the returned_at index, the scope checked on each.
    return (
        Episode.objects.filter(episode_scope_q(user), returned_at__gte=now - timedelta(days=days))
        .select_related("child", "home")
        .order_by("-returned_at", "-pk")
    )


def episode_timeline(episode: Episode) -> QuerySet[EpisodeUpdate]:
    """The episode's updates, newest first, with their authors (caller has checked access)."""
    return episode.updates.select_related("author").order_by("-happened_at", "-pk")


def episode_visits(episode: Episode):
    """Safe-and-well visits of the episode, newest first (caller has checked access)."""
    return episode.visits.order_by("-visited_at", "-pk")


def interviews_for(user, overdue_only: bool = False, *, now=None) -> QuerySet[ReturnInterview]:
    """Return interviews the user may see, those still to do first, each group by due time.

    A return interviewer sees only the interviews assigned to them. `overdue_only` keeps the
    interviews still to do whose 72-hour clock has run out (the ones someone must act on).
    One query: the episode, child, home and interviewer come joined.
    """
    interviews = interviews_visible_to(user)
    if user.role == Role.RETURN_INTERVIEWER:
        interviews = interviews.filter(assigned_to=user)
    if overdue_only:
        interviews = interviews.filter(outcome="", due_at__lt=now or timezone.now())
    return (
        interviews.select_related("episode", "episode__child", "episode__home", "assigned_to")
        .annotate(
            done_rank=Case(
                When(outcome="", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("done_rank", "due_at", "pk")
    )


def child_episodes(user, child) -> QuerySet[Episode]:
    """The child's episodes the user may see, newest first (caller has checked the child)."""
    # One child's episodes: read through the child's index, the scope checked on each.
    return (
        Episode.objects.filter(episode_scope_q(user), child=child)
        .select_related("home", "interview")
        .order_by("-last_seen_at")
    )


def child_open_episode(user, child) -> Episode | None:
    """The child's open episode, if the user may see it."""
    return child_episodes(user, child).filter(returned_at__isnull=True).first()


def return_interviewers() -> QuerySet[User]:
    """Active return interviewers, to choose one for an interview."""
    return (
        User.objects.filter(Q(role=Role.RETURN_INTERVIEWER) & Q(is_active=True))
        .select_related("organisation")
        .order_by("full_name", "pk")
    )


# Regulation 40 ----------------------------------------------------------------------------


def reg40_list(user, *, pending_only: bool = True) -> QuerySet[Regulation40Decision]:
    decisions = reg40_visible_to(user).select_related("episode", "episode__child", "home")
    if pending_only:
        decisions = decisions.filter(status=Reg40Status.PENDING)
    return decisions.order_by("-created_at", "-pk")


def reg40_for_episode(user, episode) -> Regulation40Decision | None:
    """The episode's Regulation 40 decision (any status) with who decided, if the user may see
    it. One query."""
    return reg40_visible_to(user).filter(episode=episode).select_related("decided_by").first()


def reg40_pending_for_episode(user, episode) -> Regulation40Decision | None:
    """The episode's Regulation 40 decision still waiting, if the user may see it. One query."""
    return reg40_visible_to(user).filter(episode=episode, status=Reg40Status.PENDING).first()


# The first hour -----------------------------------------------------------------------------


def first_hour_undone(user) -> QuerySet[Episode]:
    """Open episodes the user may see with first-hour steps left (annotated `steps_left`),
    most urgent first (highest risk, then longest gone). One query."""
    return missing_now(user).filter(steps_left__gt=0)


def first_hour_steps(episode: Episode) -> list[dict]:
    """The episode's first-hour steps, in order, each with whether it is done, who did it and
    when, and the tick (for its version). Two queries (caller has checked access)."""
    ticks = list(
        StepTick.objects.filter(episode=episode).select_related("done_by", "authority_step")
    )
    by_step = {(tick.step, tick.authority_step_id): tick for tick in ticks}
    rows = []
    for step in STATUTORY_STEPS:
        tick = by_step.get((step, None))
        row = {
            "code": step.value,
            "slug": step.value,
            "label": step.label,
            "tick": tick,
            "authority_step": None,
            "derived": step in DERIVED_STEPS,
        }
        if step in STEPS_ON_EPISODE:
            field, unset = STEPS_ON_EPISODE[step]
            row["done"] = getattr(episode, field) != unset
        else:
            row["done"] = tick is not None
        if step == FirstStep.POLICE_CALLED:
            row["done_at"] = tick.done_at if tick else episode.reported_to_police_at
        elif step == FirstStep.AUTHORITY_TOLD:
            row["done_at"] = episode.social_worker_notified_at
        else:
            row["done_at"] = tick.done_at if tick else None
        row["done_by"] = tick.done_by if tick else None
        rows.append(row)
    authority_steps = AuthorityStep.objects.filter(
        authority_id=episode.child.placing_authority_id
    ).order_by("order", "pk")
    ticked_authority = {tick.authority_step_id: tick for tick in ticks if tick.authority_step_id}
    for step in authority_steps:
        tick = ticked_authority.get(step.pk)
        if not step.active and tick is None:
            continue
        rows.append(
            {
                "code": FirstStep.AUTHORITY_STEP.value,
                "slug": f"authority-{step.pk}",
                "label": step.wording,
                "authority_step": step,
                "tick": tick,
                "done": tick is not None,
                "done_at": tick.done_at if tick else None,
                "done_by": tick.done_by if tick else None,
            }
        )
    return rows


def authority_steps_for(user) -> QuerySet[AuthorityStep]:
    """The steps of the service manager's authority, in order, retired ones included."""
    return authority_steps_managed_by(user).order_by("-active", "order", "pk")
