"""Writes that belong to no single domain app, and the helpers every app's services share."""

import logging
from collections.abc import Collection, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.errors import StaleVersionError
from apps.core.models import Heartbeat

logger = logging.getLogger(__name__)


def heartbeat_record(*, name: str) -> Heartbeat:
    """Record that the periodic process `name` ran now."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat


def apply_changes(instance, *, data: Mapping[str, Any], allowed: Collection[str]) -> list[str]:
    """Set on `instance` each value of `data` that differs from the one it holds; return the
    names set, in `data`'s order, for `save_versioned(..., fields=...)`.

    Raises TypeError for a name not in `allowed` (a caller's mistake, like an unexpected keyword
    argument): a field the service may not change is never dropped silently.
    """
    unknown = [name for name in data if name not in allowed]
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no changeable field {', '.join(unknown)}")
    changed = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def enqueue_on_commit(task: str, *args) -> None:
    """Once the current transaction commits, hand the task named `task` (its dotted name, like
    "apps.alerts.tasks.deliver") with `args` to the broker (at once when there is no
    transaction). By name, so a service never imports its app's tasks module, which stands
    above it (docs/layout.md). A broker that is down is logged, never raised: the write has
    committed, and the rows the task works on wait in the database for the beat sweep that
    requeues them (the alert outbox, invitations' sent_sequence). The log names the task and
    its id arguments only (a cancellation's arguments hold a person's email address)."""

    def send():
        from celery import current_app

        try:
            current_app.send_task(task, args=args, retry=False)
        except Exception:
            ids = [a for a in args if isinstance(a, int)]
            logger.warning("Broker unavailable; %s %s waits", task, ids, exc_info=True)

    transaction.on_commit(send)


def save_versioned(instance, *, actor, expected_version: int, fields: list[str]) -> None:
    """Save `fields` of `instance` only if its stored version is still `expected_version`.

    Locks the row, compares versions, then saves through the model so history is written.
    Raises StaleVersionError naming who changed the record and when, so nothing is
    overwritten silently; a stale save with no changes is refused too. Call inside
    transaction.atomic.
    """
    model = type(instance)
    stored = model._default_manager.select_for_update().only("version").get(pk=instance.pk)
    if stored.version != expected_version:
        raise StaleVersionError(stale_message(instance))
    if not fields:
        return  # nothing changed: no new version, no history row
    instance.version = expected_version + 1
    instance._history_user = actor
    update_fields = [*fields, "version"]
    if any(f.name == "updated_at" for f in model._meta.fields):
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)


def stale_message(instance) -> str:
    """'Sam Okafor changed this record at 2:05pm on 23 Nov 2026, after you opened it. ...'"""
    from django.utils.formats import date_format

    who, when = "Someone else", None
    history = getattr(type(instance), "history", None)
    if history is not None:
        latest = (
            history.filter(id=instance.pk).select_related("history_user").order_by("-history_date")
        ).first()
        if latest is not None:
            when = latest.history_date
            if latest.history_user is not None:
                who = latest.history_user.full_name
    at = ""
    if when is not None:
        local = timezone.localtime(when)
        clock = date_format(local, "g:ia").replace(".", "")
        at = f" at {clock} on {date_format(local, 'j M Y')}"
    return (
        f"{who} changed this record{at}, after you opened it. Your changes have not been "
        "saved. Check the latest version below, then make your changes again."
    )


def validate_instance(
    instance, *, exclude: list[str] | None = None, validate_constraints: bool = True
) -> None:
    """full_clean(), with Django's ValidationError turned into ApplicationError(fields=...).

    `validate_constraints=False` leaves the model's constraints to the database: for a
    service that has already checked each of them itself (with its own message), under a
    lock, on a path that must stay cheap.
    """
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    from apps.core.errors import ApplicationError

    try:
        instance.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    except ValidationError as error:
        fields = {
            ("__all__" if name == NON_FIELD_ERRORS else name): list(messages)
            for name, messages in error.message_dict.items()
        }
        first = next(iter(fields.values()))[0]
        raise ApplicationError(first, fields=fields) from None
