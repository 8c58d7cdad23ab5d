"""enqueue_on_commit: the one way a service hands work to the broker."""

import logging

import pytest
from django.db import transaction

from apps.core.services import enqueue_on_commit


class FakeTask:
    name = "tests.fake"

    def __init__(self, error: Exception | None = None):
        self.calls: list[tuple] = []
        self.error = error

    def apply_async(self, args, retry=True):
        self.calls.append((args, retry))
        if self.error:
            raise self.error


@pytest.mark.django_db
def test_the_task_is_sent_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(task, 7, "x")
        assert task.calls == []
    assert task.calls == [((7, "x"), False)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing():
    task = FakeTask()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(task, 7)
        raise RuntimeError
    assert task.calls == []


@pytest.mark.django_db(transaction=True)
def test_with_no_transaction_it_is_sent_at_once():
    task = FakeTask()
    enqueue_on_commit(task, 3)
    assert task.calls == [((3,), False)]


@pytest.mark.django_db
def test_a_broker_that_is_down_is_logged_not_raised(django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.WARNING, logger="apps.core.services")
    task = FakeTask(error=ConnectionError("refused"))
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(task, 5, {"email": "someone@example.org"})
    assert task.calls == [((5, {"email": "someone@example.org"}), False)]
    assert "Broker unavailable; tests.fake [5] waits" in caplog.text
    assert "someone@example.org" not in caplog.text
