"""children 0004 moves the access log from a database made before 0.1.0's move (core_accesslog)
into children_accesslog, keeping every row and its id, and drops the old table."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from apps.children.models import AccessLog
from tests.factories import make_user

migration = importlib.import_module("apps.children.migrations.0004_accesslog")


@pytest.mark.django_db(transaction=True)
def test_the_old_tables_rows_move_with_their_ids_and_the_old_table_goes():
    user = make_user()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE core_accesslog (id integer PRIMARY KEY, kind varchar(20), "
            "path varchar(500), viewed_at timestamp, child_id bigint NULL, user_id bigint)"
        )
        for pk, kind in [(5, "record"), (9, "export")]:
            cursor.execute(
                "INSERT INTO core_accesslog VALUES (%s, %s, %s, %s, NULL, %s)",
                [pk, kind, f"/{kind}/", timezone.now(), user.pk],
            )
    with connection.schema_editor() as editor:
        migration.move_rows(apps, editor)
    assert "core_accesslog" not in connection.introspection.table_names()
    assert list(AccessLog.objects.order_by("id").values_list("id", "kind", "path")) == [
        (5, "record", "/record/"),
        (9, "export", "/export/"),
    ]
    # New rows are numbered after the moved ones.
    new = AccessLog.objects.create(user=user, kind="api", viewed_at=timezone.now())
    assert new.pk > 9


@pytest.mark.django_db(transaction=True)
def test_a_database_without_the_old_table_is_left_alone():
    with connection.schema_editor() as editor:
        migration.free_index_name(apps, editor)
        migration.move_rows(apps, editor)
    assert "children_accesslog" in connection.introspection.table_names()
