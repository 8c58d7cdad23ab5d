import os

import pytest
from rest_framework.test import APIClient

from tests.factories import api_key, make_user
from tests.helpers import sign_in
from tests.world import build_world

# Real SMTP sink, private Redis and Celery worker fixtures (tests/services.py).
pytest_plugins = ["tests.services"]


def pytest_configure(config):
    # Browser tests run the ORM from Playwright's sync API, which Django sees as async context.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    required = os.environ.get("REQUIRE_SERVICES") == "1"
    return [f"homeward: database={engine} broker={broker} require_services={required}"]


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path_factory):
    """Children's photos written by any test go to a temporary folder, never var/private."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private")
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def world(db):
    """tests/world.py's world, for any test. A module that needs more (rules, episodes) builds
    on it with its own `world(world)` fixture, or a helper such as tests.alerts.making's."""
    return build_world()


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def signed_in(client):
    """Call with a user: returns the Django test client signed in (two-factor verified)."""

    def _sign_in(user):
        return sign_in(client, user)

    return _sign_in


@pytest.fixture
def api():
    """Call with a user: an API client carrying that user's token (as a partner system)."""

    def as_user(user):
        key = api_key(user)
        # A partner system's token is in use: its "last used" is fresh, as it is between two
        # calls in production (it is written at most once a minute), so a query count is the
        # view's own and not the token's first use.
        from apps.accounts.services import api_token_use

        api_token_use(key=key)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return as_user


@pytest.fixture
def tasks_run_at_once(monkeypatch):
    """What a worker would do, at once and in this process: a task handed to the broker
    (apps.core.services.enqueue_on_commit) runs when its transaction commits. Under django_db
    the commit callbacks run only inside TestCase.captureOnCommitCallbacks(execute=True);
    browser tests commit for real. Returns the names of the tasks run."""
    from celery import current_app
    from celery.utils.imports import symbol_by_name

    ran = []

    def send_task(name, args=(), **kwargs):
        ran.append(name)
        symbol_by_name(name).apply(args=args, throw=True)

    monkeypatch.setattr(current_app, "send_task", send_task)
    return ran
