"""enqueue_on_commit: the one way a service hands work to the broker, by the task's name."""

import ast
import logging
from pathlib import Path

import pytest
from celery import current_app
from django.db import transaction

from apps.core.services import enqueue_on_commit


class FakeBroker:
    """Stands in for Celery's send_task: records what was sent, or fails like a dead broker."""

    def __init__(self, error: Exception | None = None):
        self.calls: list[tuple] = []
        self.error = error

    def send_task(self, name, args=(), retry=True):
        self.calls.append((name, args, retry))
        if self.error:
            raise self.error


@pytest.fixture
def broker(monkeypatch):
    fake = FakeBroker()
    monkeypatch.setattr(current_app, "send_task", fake.send_task)
    return fake


@pytest.mark.django_db
def test_the_task_is_sent_only_once_the_transaction_commits(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("tests.fake", 7, "x")
        assert broker.calls == []
    assert broker.calls == [("tests.fake", (7, "x"), False)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("tests.fake", 7)
        raise RuntimeError
    assert broker.calls == []


@pytest.mark.django_db(transaction=True)
def test_with_no_transaction_it_is_sent_at_once(broker):
    enqueue_on_commit("tests.fake", 3)
    assert broker.calls == [("tests.fake", (3,), False)]


@pytest.mark.django_db
def test_a_broker_that_is_down_is_logged_not_raised(
    broker, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.WARNING, logger="apps.core.services")
    broker.error = ConnectionError("refused")
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("tests.fake", 5, {"email": "someone@example.org"})
    assert broker.calls == [("tests.fake", (5, {"email": "someone@example.org"}), False)]
    assert "Broker unavailable; tests.fake [5] waits" in caplog.text
    assert "someone@example.org" not in caplog.text


def _named_tasks() -> set[str]:
    """Every task name passed to enqueue_on_commit anywhere in apps/."""
    names = set()
    for path in Path("apps").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "enqueue_on_commit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
    return names


def test_every_task_a_service_names_is_one_the_worker_runs():
    # A name with a typo would be accepted by the broker and run by nobody.
    current_app.loader.import_default_modules()
    names = _named_tasks()
    assert "apps.alerts.tasks.deliver" in names
    assert names <= set(current_app.tasks), names - set(current_app.tasks)
