"""Web view plumbing shared by every app: the versioned edit.

An edit form of a versioned record (one with `version`, saved by `save_versioned`) carries the
version the user loaded (`apps.core.forms.VersionedFormMixin`). When the service refuses with
StaleVersionError, the page is shown again keeping what the user typed, carrying the version
now stored, with the saved values listed (templates/forms/latest_version.html), so the user can
see who changed what and save over it knowingly.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from apps.core.errors import ApplicationError, StaleVersionError


class VersionedEdit(NamedTuple):
    """What `versioned_edit` did: the form to show, the saved values when the edit was stale
    (else None), the record as saved, and whether the service saved."""

    form: Any
    latest: list[tuple[str, str]] | None
    record: Any
    saved: bool


def with_version(data, version: int):
    """A copy of the submitted `data` carrying `version` instead of the one the user loaded."""
    data = data.copy()
    data["version"] = str(version)
    return data


def versioned_edit(
    request,
    *,
    record,
    build: Callable[[Any, Any], Any],
    save: Callable[[Any], Any],
    refetch: Callable[[], Any],
) -> VersionedEdit:
    """Run an edit form of a versioned record through its service.

    `build(data, record)` makes the form (data is None on a GET); `save(form)` calls the service
    with the form's cleaned data (raising ApplicationError to refuse); `refetch()` loads the
    record again. Caller has checked access.

    On a GET or an invalid form nothing is saved. When the service refuses, `record` is fetched
    again (as saved, not as the service left it in memory) and the error goes on the form; a
    stale version also rebuilds the form from what the user typed with the stored version, and
    `latest` lists the saved values.
    """
    posted = request.method == "POST"
    form = build(request.POST if posted else None, record)
    if not posted or not form.is_valid():
        return VersionedEdit(form, None, record, False)
    try:
        save(form)
    except ApplicationError as error:
        latest = None
        record = refetch()
        if isinstance(error, StaleVersionError):
            form = build(with_version(request.POST, record.version), record)
            form.is_valid()
            latest = form.latest_values(record)
        form.add_application_error(error)
        return VersionedEdit(form, latest, record, False)
    return VersionedEdit(form, None, record, True)
