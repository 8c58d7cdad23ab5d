"""Notices: who is told of an event, at once, through the outbox (PRODUCT.md, "Who is told").

A domain service calls one of these inside its own transaction, as it calls the escalation
engine: the notice, its in-app deliveries and its email rows commit with the event or not at
all, and the emails go to the broker on commit (beat's sweep sends whatever the broker never
got). Each notice is unique on its key (the event: `episode-12-reported`), so a retried
event, or two transactions at once, tell nobody twice.

Every notice names the child by initials and ID only. The link leads to the record, where the
recipient's own scope applies: someone told who may not see the child sees nothing more.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.alerts.models import Notice, NoticeKind, RecipientRole
from apps.alerts.services import outbox
from apps.alerts.services.engine import _recipients
from apps.alerts.services.outbox import Recipient, child_initials
from apps.children.models import Placement
from apps.core.clock import display_time

EPISODE_EVENTS = {
    "reported": NoticeKind.EPISODE_REPORTED,
    "changed": NoticeKind.EPISODE_CHANGED,
    "returned": NoticeKind.EPISODE_RETURNED,
}


def _inbox(organisation: Organisation | None, what: str) -> list[Recipient]:
    if organisation is None or not organisation.missing_inbox_email:
        return []
    name = f"{organisation.name} {what}"
    return [Recipient(user=None, email=organisation.missing_inbox_email, name=name)]


def _organisations(*pks) -> dict[int, Organisation]:
    """The organisations whose inboxes a notice may go to, in one query."""
    wanted = {pk for pk in pks if pk}
    return Organisation.objects.in_bulk(wanted) if wanted else {}


def _send(
    *,
    kind: str,
    key: str,
    child,
    title: str,
    body: str,
    ask: str,
    path: str,
    recipients: list[Recipient],
    actor=None,
    episode=None,
    now: datetime | None = None,
) -> Notice | None:
    """Create the notice and its deliveries, or do nothing if this event was told already.
    The person who caused the event is not told of it."""
    now = now or timezone.now()
    seen, people = set(), []
    for person in recipients:
        identity = person.user.pk if person.user else person.email.lower()
        if identity in seen or (actor is not None and person.user == actor):
            continue
        seen.add(identity)
        people.append(person)
    notice = Notice(
        kind=kind,
        key=key,
        child=child,
        episode=episode,
        title=title[:200],
        body=body[:1000],
        ask=ask[:300],
        path=path,
        created_at=now,
    )
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:
        return None  # told already, perhaps by a transaction running at the same time
    ids = outbox._deliver_to(notice, people, level=0, now=now)
    outbox._enqueue(ids)
    return notice


def notice_episode(
    *, episode, event: str, actor=None, now: datetime | None = None
) -> datetime | None:
    """Tell the child's allocated social worker, the home's managers and the placing
    authority's missing-children inbox of a report, a change of kind or police risk grade, or a
    return; for a child placed out of area, the host authority's and the host police force's
    inboxes too. Returns when the placing authority or social worker was told (the time the
    episode records as "placing authority and social worker told"), or None if neither could
    be (no allocated social worker in Homeward and no inbox set)."""
    now = now or timezone.now()
    child, home = episode.child, episode.home
    organisations = _organisations(
        child.placing_authority_id, home.host_authority_id, home.police_force_id
    )
    placing = organisations.get(child.placing_authority_id)
    people = _recipients(
        roles={RecipientRole.SOCIAL_WORKER, RecipientRole.HOME_MANAGER},
        child=child,
        home=home,
        authority_id=child.placing_authority_id,
    )
    placing_inbox = _inbox(placing, "missing-children inbox")
    authority_told = [
        person for person in people if person.user.pk == child.allocated_social_worker_id
    ] + placing_inbox
    recipients = people + placing_inbox
    if Placement(child=child, home=home).out_of_area:
        recipients += _inbox(organisations.get(home.host_authority_id), "missing-children inbox")
        recipients += _inbox(organisations.get(home.police_force_id), "missing-persons inbox")

    who = f"{child_initials(child)} (ID {child.child_id})"
    kind_words = episode.get_kind_display().lower()
    grade = episode.get_risk_grade_display() if episode.risk_grade else "not yet graded"
    if event == "reported":
        title = f"{who} reported {kind_words} from {home.name}"
        body = (
            f"{who} was reported {kind_words} from {home.name} at {display_time(now)}. "
            f"Last seen {display_time(episode.last_seen_at)}. Police risk grade: {grade}."
        )
        ask = (
            "Read the report and the first-hour steps, and tell the home anything that may "
            "help find the child."
        )
        key = f"episode-{episode.pk}-reported"
    elif event == "changed":
        title = f"{who}: now {kind_words}, police risk grade {grade.lower()}"
        body = (
            f"The episode of {who} from {home.name} is now recorded as {kind_words}, "
            f"police risk grade {grade.lower()}."
        )
        ask = "Check the change and whether the child's safety plan needs to change too."
        key = f"episode-{episode.pk}-changed-{episode.version}"
    else:
        title = f"{who} is back at {home.name}"
        body = (
            f"{who} came back at {display_time(episode.returned_at)} "
            f"(reported {kind_words} {display_time(episode.last_seen_at)})."
        )
        ask = "A return interview is due within the authority's time: arrange it or assign it."
        key = f"episode-{episode.pk}-returned"
    notice = _send(
        kind=EPISODE_EVENTS[event],
        key=key,
        child=child,
        episode=episode,
        title=title,
        body=body,
        ask=ask,
        path=reverse("episodes:detail", args=[episode.pk]),
        recipients=recipients,
        actor=actor,
        now=now,
    )
    # _send tells everyone it is given but the actor: the authority was told if one of its
    # recipients was someone else.
    if notice is not None and any(p.user is None or p.user != actor for p in authority_told):
        return now
    return None


def notice_placement(*, placement, event: str, actor=None) -> Notice | None:
    """A child placed out of area: the host authority's and host police force's inboxes are
    told when the placement starts or ends (who, which home, the dates; never the record)."""
    child, home = placement.child, placement.home
    if not placement.out_of_area:
        return None
    organisations = _organisations(
        home.host_authority_id, home.police_force_id, child.placing_authority_id
    )
    placing = organisations.get(child.placing_authority_id)
    who = f"{child_initials(child)} (ID {child.child_id})"
    by = placing.name if placing else "another authority"
    if event == "started":
        kind, title = NoticeKind.PLACEMENT_STARTED, f"{who} placed at {home.name} by {by}"
        body = f"{who}, placed by {by}, lives at {home.name} from {placement.start_date:%-d %b %Y}."
        ask = "Note the placement: you will be told if the child goes missing."
    else:
        kind, title = NoticeKind.PLACEMENT_ENDED, f"{who} has left {home.name}"
        body = (
            f"The placement of {who} ({by}) at {home.name} from "
            f"{placement.start_date:%-d %b %Y} ended on {placement.end_date:%-d %b %Y}."
        )
        ask = "Nothing more is asked; update your records of children placed in your area."
    recipients = _inbox(organisations.get(home.host_authority_id), "missing-children inbox")
    recipients += _inbox(organisations.get(home.police_force_id), "missing-persons inbox")
    return _send(
        kind=kind,
        key=f"placement-{placement.pk}-{event}",
        child=child,
        title=title,
        body=body,
        ask=ask,
        path=reverse("homes:detail", args=[home.pk]),
        recipients=recipients,
        actor=actor,
    )


def notice_interview_assigned(*, interview, actor=None) -> Notice | None:
    """The return interviewer is told of the interview given to them, with its due time."""
    interviewer = interview.assigned_to
    episode = interview.episode
    child = episode.child
    who = f"{child_initials(child)} (ID {child.child_id})"
    return _send(
        kind=NoticeKind.INTERVIEW_ASSIGNED,
        key=f"interview-{interview.pk}-assigned-{interviewer.pk}",
        child=child,
        episode=episode,
        title=f"Return interview for {who} given to you",
        body=(
            f"{who} came back to {episode.home.name} at {display_time(episode.returned_at)}. "
            f"The return interview is due by {display_time(interview.due_at)}."
        ),
        ask=f"Arrange the interview with the home by {display_time(interview.due_at)}.",
        path=reverse("episodes:interview", args=[episode.pk]),
        recipients=[
            Recipient(user=interviewer, email=interviewer.email, name=interviewer.full_name)
        ],
        actor=actor,
    )


def notice_action_assigned(*, action, path: str, actor=None) -> Notice | None:
    """The owner of a meeting's action is told: in Homeward and by email when they have an
    account, by email when they are an external attendee."""
    child = action.meeting.child
    who = f"{child_initials(child)} (ID {child.child_id})"
    if action.owner_user_id:
        owner = action.owner_user
        recipient = Recipient(user=owner, email=owner.email, name=owner.full_name)
    else:
        attendee = action.owner_attendee
        if not attendee.email:
            return None
        recipient = Recipient(user=None, email=attendee.email, name=attendee.name)
    return _send(
        kind=NoticeKind.ACTION_ASSIGNED,
        key=f"action-{action.pk}-assigned",
        child=child,
        title=f"An action for {who} given to you",
        body=f"From the strategy meeting about {who}: {action.description}",
        ask=f"Do this by {action.due_on:%-d %b %Y} and record it as done.",
        path=path,
        recipients=[recipient],
        actor=actor,
    )
