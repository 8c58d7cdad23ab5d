"""The loader's tables take their columns from the models: no database needed."""

import pytest
from django.db import models
from django.test.utils import isolate_apps

from benchmarks import generate, loader
from benchmarks.loader import HistoryTable, Table


@pytest.mark.parametrize("table", generate.TABLES, ids=lambda table: table.db_table)
def test_each_generated_table_has_its_models_columns_in_their_order(table):
    meta = table.model._meta
    expected = tuple(f.column for f in meta.concrete_fields if f is not meta.pk or f.column == "id")
    assert table.columns == expected
    assert table.sql.startswith(f"COPY {table.db_table} (")


@isolate_apps("apps.episodes")
def test_a_new_model_field_is_a_column_filled_with_its_default(monkeypatch):
    class Sighting(models.Model):  # noqa: DJ008 (a model for this test only)
        place = models.CharField(max_length=50)
        people = models.PositiveSmallIntegerField()
        seen_at = models.DateTimeField(null=True)
        confirmed = models.BooleanField(default=False)

        class Meta:
            app_label = "episodes"
            db_table = "bench_sighting"

    monkeypatch.setattr(loader, "_models_by_table", lambda: {"bench_sighting": Sighting})
    table = Table("bench_sighting")
    assert table.columns == ("id", "place", "people", "seen_at", "confirmed")
    assert table.line({"id": 7, "place": "Park\tgate", "people": 2}) == "7\tPark\\tgate\t2\t\\N\tf"
    assert table.line({"id": 7, "people": 2, "confirmed": True}) == "7\t\t2\t\\N\tt"
    with pytest.raises(TypeError, match="people"):  # no default: the row must give it
        table.line({"id": 7})
    with pytest.raises(TypeError, match="colour"):  # not a column
        table.line({"id": 7, "people": 2, "colour": "red"})


def test_a_history_row_takes_the_columns_its_history_keeps():
    history = HistoryTable(generate.PLACEMENT)
    assert "history_id" not in history.columns
    texts = generate.PLACEMENT.texts(
        id=3,
        created_at="2026-01-01T00:00:00+00",
        updated_at="2026-01-02T00:00:00+00",
        version=1,
        start_date="2026-01-01",
        child_id=4,
        home_id=5,
    )
    values = dict(
        zip(history.columns, history.created_line(texts, None, 9).split("\t"), strict=True)
    )
    assert values["id"] == "3"
    assert values["child_id"] == "4"
    assert values["history_type"] == "+"
    assert values["history_user_id"] == "9"
