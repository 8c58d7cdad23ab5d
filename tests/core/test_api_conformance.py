"""The API keeps its own contract: schemathesis against the OpenAPI schema drf-spectacular makes
of this code, as four roles, finds no server error and no answer the schema does not describe
(a status it does not list, a body or content type that differs from it).

Bounded to run in well under two minutes: a few examples per operation and role, valid and
invalid input, every write inside a transaction rolled back after the request. Path ids are
drawn half from the ids of real rows (some in the role's scope, most not), half at random.
"""

import json
from datetime import timedelta

import pytest
import schemathesis
from django.apps import apps
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.alerts import services as alert_services
from apps.episodes import services as episode_services
from apps.strategy_meetings import services as meeting_services
from tests.factories import api_key
from tests.world import build_world

pytestmark = pytest.mark.django_db

ROLES = ["cw_a1", "sw_a", "sm_a", "police_1"]  # care worker, social worker, manager, police
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 3  # per operation, role and generation mode


@pytest.fixture
def wsgi_app():
    """Django's WSGI app, called in this thread, so it sees the test's transaction. As the
    Django test client does, keep it from closing the test's connection at each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema():
    """The schema drf-spectacular makes of this code (what /api/v1/schema/ serves)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))


def _world():
    """tests/world.py, plus rules, episodes (one returned, one open), an alert, a meeting with
    an action and a Regulation 40 decision, all through the services."""
    world = build_world()
    users = world.users
    for key in ("A", "B"):
        alert_services.rules_seed_defaults(authority=world.orgs[key])
    child = world.children["a1"]
    episode = episode_services.episode_open(
        actor=users["sw_a"],
        child=child,
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=30),
        last_seen_where="Town",
    )
    episode = episode_services.episode_record_return(
        actor=users["sw_a"],
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now() - timedelta(hours=26),
        return_method="own_accord",
    )
    episode_services.episode_update(
        actor=users["sw_a"],
        episode=episode,
        expected_version=episode.version,
        risk_grade="high",
        suspected_sexual_exploitation=True,
    )
    episode_services.episode_open(
        actor=users["cw_a1"],
        child=child,
        kind="A",
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_where="Park",
    )
    meeting = meeting_services.meeting_schedule(
        actor=users["sw_a"],
        child=child,
        scheduled_at=timezone.now() + timedelta(days=2),
        reason="Conformance",
        location="Room 4",
        invite_users=[users["police_1"], users["cw_a1"]],
    )
    meeting_services.action_add(
        actor=users["sw_a"],
        meeting=meeting,
        description="Check in",
        due_on=timezone.localdate(),
        owner_user=users["police_1"],
    )
    return world


def _row_ids() -> list[int]:
    """Ids of the rows of Homeward's own tables: a path id drawn from these often names a real
    record, in or out of the role's scope."""
    ids = set()
    for model in apps.get_models():
        if model.__module__.startswith("apps."):
            ids.update(model._default_manager.values_list("pk", flat=True)[:50])
    return sorted(pk for pk in ids if isinstance(pk, int))


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_of_the_api_is_one_its_schema_describes(api_schema, wsgi_app, role):
    world = _world()
    ids = _row_ids()
    headers = {"Authorization": f"Token {api_key(world.users[role])}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not a schema that lost its paths

    failures = []
    for operation in operations:
        for mode in _modes(operation):
            try:
                _explore(operation, mode, ids, headers, wsgi_app)
            except Exception as failure:  # every operation's failures, not just the first
                failures.append(f"{operation.label} ({mode.value}):\n{failure}")
    assert not failures, "\n\n".join(failures)


def _modes(operation):
    """Valid input for every operation; invalid input too where there is any to give (a body,
    a query or header parameter), as an operation with none has nothing to get wrong."""
    raw = operation.definition.raw
    takes_input = "requestBody" in raw or any(
        parameter.get("in") != "path" for parameter in raw.get("parameters", [])
    )
    return (
        [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
        if takes_input
        else [GenerationMode.POSITIVE]
    )


def _explore(operation, mode, ids, headers, app):
    path_names = [parameter.name for parameter in operation.path_parameters]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,  # bounded by max_examples; a loaded CI machine is slow, not wrong
        database=None,
        derandomize=True,  # the same examples on every run
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def explore(data):
        path_parameters = None
        if path_names and data.draw(st.booleans()):
            path_parameters = {name: data.draw(st.sampled_from(ids)) for name in path_names}
        case = data.draw(operation.as_strategy(mode, path_parameters=path_parameters))
        with transaction.atomic():
            response = case.call(app=app, headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS, headers=headers)

    explore()
