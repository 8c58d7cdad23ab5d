"""The shared web kit: apps.core.web.versioned_edit, apps.core.api.with_etag,
apps.core.services.apply_changes, the uk_datetime filter and the datetime component.

No database: records are plain objects or unsaved model instances.
"""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

from apps.core.api import expected_version, with_etag
from apps.core.clock import display_time
from apps.core.errors import ApplicationError, StaleVersionError
from apps.core.forms import GovukForm, VersionedFormMixin
from apps.core.services import apply_changes
from apps.core.web import versioned_edit
from apps.homes.models import Home

# A summer evening (BST) and a winter one (GMT), both shown in UK time.
SUMMER = datetime(2026, 7, 29, 18, 40, tzinfo=UTC)  # 7:40pm BST
WINTER = datetime(2026, 11, 29, 19, 40, 30, tzinfo=UTC)  # 7:40pm GMT


class NoteForm(VersionedFormMixin, GovukForm):
    note = forms.CharField(label="Note")
    seen_at = forms.DateTimeField(label="Seen", required=False)


def record(version=1, note="saved", seen_at=WINTER):
    return SimpleNamespace(version=version, note=note, seen_at=seen_at)


def run(method="post", data=None, *, save, refetch=None, start=None):
    factory = RequestFactory()
    request = factory.post("/", data or {}) if method == "post" else factory.get("/")
    start = start or record()
    return versioned_edit(
        request,
        record=start,
        build=lambda data, record: NoteForm(data, initial={"version": record.version}),
        save=save,
        refetch=refetch or (lambda: record(version=2, note="theirs")),
    )


class TestVersionedEdit:
    def test_a_get_builds_an_unbound_form_and_saves_nothing(self):
        calls = []
        edit = run("get", save=calls.append)
        assert not edit.form.is_bound
        assert (edit.latest, edit.saved, calls) == (None, False, [])

    def test_an_invalid_form_is_not_saved(self):
        calls = []
        edit = run(data={"version": "1", "note": ""}, save=calls.append)
        assert edit.saved is False and calls == []
        assert "note" in edit.form.errors

    def test_a_valid_form_is_saved_once(self):
        calls = []
        edit = run(data={"version": "1", "note": "mine"}, save=calls.append)
        assert edit.saved is True
        assert [form.cleaned_data["note"] for form in calls] == ["mine"]

    def test_a_stale_edit_keeps_what_was_typed_carries_the_stored_version_and_lists_the_latest(
        self,
    ):
        def save(form):
            raise StaleVersionError("Someone else changed this record.")

        edit = run(data={"version": "1", "note": "mine"}, save=save)
        assert edit.saved is False
        assert edit.record.version == 2  # fetched again
        assert edit.form.data["note"] == "mine"
        assert edit.form.data["version"] == "2"
        assert edit.form.non_field_errors() == ["Someone else changed this record."]
        assert edit.latest == [("Note", "theirs"), ("Seen", "29 Nov 2026, 7:40pm")]

    def test_another_refusal_refetches_but_keeps_the_form_and_lists_nothing(self):
        def save(form):
            raise ApplicationError("Enter a note", fields={"note": ["Enter a note"]})

        edit = run(data={"version": "1", "note": "mine"}, save=save)
        assert edit.latest is None
        assert edit.record.note == "theirs"
        assert edit.form.data["version"] == "1"
        assert edit.form.errors["note"] == ["Enter a note"]

    def test_it_unpacks_as_form_latest_record_saved(self):
        form, latest, saved_record, saved = run(data={"version": "1", "note": "x"}, save=list)
        assert form.is_bound
        assert saved is True and latest is None and saved_record.version == 1


class TestWithEtag:
    def test_the_version_is_the_etag_and_reads_back_as_if_match(self):
        response = with_etag({"id": 1}, 7, status_code=201)
        assert (response.status_code, response["ETag"], response.data) == (201, '"7"', {"id": 1})
        request = RequestFactory().patch("/", headers={"If-Match": response["ETag"]})
        assert expected_version(request) == 7

    def test_the_status_is_200_unless_told(self):
        assert with_etag({}, 1).status_code == 200


class TestApplyChanges:
    def test_it_sets_only_what_differs_and_names_it_in_order(self):
        home = Home(name="Oak House", town="Leeds", capacity=4)
        changed = apply_changes(
            home,
            data={"town": "York", "name": "Oak House", "capacity": 5},
            allowed=["name", "town", "capacity"],
        )
        assert changed == ["town", "capacity"]
        assert (home.name, home.town, home.capacity) == ("Oak House", "York", 5)

    def test_nothing_changed_is_an_empty_list(self):
        home = Home(name="Oak House")
        assert apply_changes(home, data={"name": "Oak House"}, allowed=["name"]) == []

    def test_an_unknown_name_is_refused_and_nothing_is_set(self):
        home = Home(name="Oak House", town="Leeds")
        with pytest.raises(TypeError, match="no changeable field postcode_typo"):
            apply_changes(
                home, data={"town": "York", "postcode_typo": "LS1"}, allowed=["name", "town"]
            )
        assert home.town == "Leeds"

    def test_a_field_the_service_may_not_change_is_refused(self):
        with pytest.raises(TypeError):
            apply_changes(Home(), data={"version": 9}, allowed=["name"])


class TestUkDatetime:
    @pytest.mark.parametrize(
        ("value", "shown"),
        [(WINTER, "29 Nov 2026, 7:40pm"), (SUMMER, "29 Jul 2026, 7:40pm"), (None, "")],
    )
    def test_a_moment_reads_in_uk_time(self, value, shown):
        assert display_time(value) == shown
        template = Template("{% load homeward %}{{ value|uk_datetime }}")
        assert template.render(Context({"value": value})) == shown

    def test_the_component_shows_what_the_old_date_filters_showed(self):
        old = Template('{{ value|date:"j M Y, g:i" }}{{ value|date:"A"|lower }}')
        for value in (WINTER, SUMMER, datetime(2026, 1, 5, 0, 5, tzinfo=UTC), None, ""):
            context = {"value": value}
            assert render_to_string("components/datetime.html", context) == old.render(
                Context(context)
            )
