"""The access matrix: every URL and API route, every role, in-scope and out-of-scope objects.

Each route says, by hand and from ARCHITECTURE.md's access model, which users may reach it for
which objects of tests/world.py. Allowed answers anything but 404/403/5xx; forbidden answers
404, exactly as a missing object would. A route that is not listed here fails
test_every_route_is_in_the_matrix, so a new URL cannot ship without its row.

The world is built once for the module (see `world`). Every test, and every request within
it, runs inside a rolled-back savepoint, so a POST that deletes or changes something does not
change what the next user or the next route sees.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.accounts import services as account_services
from apps.accounts.models import User
from apps.alerts import services as alert_services
from apps.alerts.models import Alert, EscalationRule, RecipientRole, RuleType
from apps.children import services as child_services
from apps.children.models import Placement
from apps.episodes import services as episode_services
from apps.homes import services as home_services
from tests.factories import make_user
from tests.helpers import sign_in
from tests.world import World, build_world

pytestmark = pytest.mark.django_db

ALL_USERS = sorted(World.VISIBLE_CHILDREN)
ALL_CHILDREN = ["a1", "a2", "ax", "b1", "b2"]
ALL_HOMES = ["A1", "P1", "B1", "B2"]

# What each user may DO, written out by hand (object keys of tests/world.py).
CASE_HOLDERS = {  # allocated social worker, or service manager of the placing authority
    "sw_a": {"a1", "a2", "ax"},
    "sw_b": {"b1", "b2"},
    "sm_a": {"a1", "a2", "ax"},
    "sm_b": {"b1", "b2"},
}
PROFILE_KEEPERS = CASE_HOLDERS | {"cw_a1": {"a1"}, "hm_a1": {"a1"}, "cw_b1": {"a2", "b1"}}
ALLOCATORS = {"sm_a": {"a1", "a2", "ax"}, "sm_b": {"b1", "b2"}}
ACCESS_LOG_READERS = {"sm_a": {"a1", "a2", "ax"}, "sm_b": {"a2", "b1", "b2"}}
HOME_EDITORS = {"admin": set(ALL_HOMES), "sm_a": {"A1"}, "sm_b": {"B1", "B2"}, "hm_a1": {"A1"}}
HOME_CREATORS = {"admin", "sm_a", "sm_b"}
CHILD_CREATORS = {"sw_a", "sw_b", "sm_a", "sm_b"}
EVERYONE = set(ALL_USERS)
PLACED = ["a1", "a2", "b1", "b2"]  # children with a placement

# Episodes, keyed by their child: a1 at home A1, a2 and b1 at B1, b2 at B2. Force 1 covers A1,
# P1 and B1. The return interviewer is assigned the interview of a1's (returned) episode.
EPISODE_VIEWERS = {
    "cw_a1": {"a1"},
    "hm_a1": {"a1"},
    "cw_b1": {"a2", "b1"},
    "sw_a": {"a1", "a2"},
    "sw_b": {"b1", "b2"},
    "police_1": {"a1", "a2", "b1"},
    "police_2": {"b2"},
    "sm_a": {"a1", "a2"},
    "sm_b": {"a2", "b1", "b2"},
    "ri": {"a1"},
}
EPISODE_UPDATERS = {k: v for k, v in EPISODE_VIEWERS.items() if k != "ri"}
RETURNERS = EPISODE_UPDATERS  # police record a return too (issue 13)
CASE_VIEWERS = {k: EPISODE_VIEWERS[k] for k in ("sw_a", "sw_b", "sm_a", "sm_b")}
INTERVIEW_RECORDERS = CASE_VIEWERS | {"ri": {"a1"}}
VISITORS = {"police_1": {"a1", "a2", "b1"}, "police_2": {"b2"}}
EPISODE_LOGGERS = {  # care staff of the child's home, and case holders who see the child
    "cw_a1": {"a1"},
    "hm_a1": {"a1"},
    "cw_b1": {"a2", "b1"},
    "sw_a": {"a1", "a2", "ax"},
    "sw_b": {"b1", "b2"},
    "sm_a": {"a1", "a2", "ax"},
    "sm_b": {"a2", "b1", "b2"},
    # Police liaison officers report children they see (none in the base world: see
    # tests/episodes/test_first_hour.py TestPoliceReport for a granted child).
}
BOARD_USERS = EVERYONE - {"admin", "ri"}
INTERVIEW_LISTERS = {"ri", "sw_a", "sw_b", "sm_a", "sm_b"}
# Reports: dashboards for service and home managers; the SSDA903 table for service managers;
# the police pack for everyone who sees the full episode; an export job for its owner only.
DASHBOARD_USERS = {"sm_a", "sm_b", "hm_a1"}
SSDA903_USERS = {"sm_a", "sm_b"}
EXPORT_JOB_OWNERS = {"sm_a", "hm_a1"}
EXPORT_JOBS = {key: {key} for key in EXPORT_JOB_OWNERS}
# Notices in Homeward, keyed by their recipient: each person opens only their own. The world's
# episodes tell hm_a1 (a1's home manager; sw_a, who reports, is not told of their own) and
# the interview given to ri tells ri.
NOTICE_OWNERS = {"hm_a1", "ri"}
NOTICES = {key: {key} for key in NOTICE_OWNERS}

# Alerts, keyed by their child: each placed child's returned episode is graded high risk, so
# each authority's "Police risk grade high" rule raises one alert. Authority A's rule also
# tells the home's managers and the police of the home's force area; B's keeps the default
# (the child's social worker and the authority's service managers). a1 is at A1 (force 1),
# a2 at B1 (force 1), b1 at B1, b2 at B2.
ALERT_VIEWERS = {
    "sw_a": {"a1", "a2"},  # sent to them; and they see the children
    "sw_b": {"b1", "b2"},
    "sm_a": {"a1", "a2"},  # their authority's alerts (sm_a sees no alert about a child of B)
    "sm_b": {"b1", "b2"},  # not a2's, though a2 lives in B's home: A's alert, not sent to them
    "hm_a1": {"a1"},  # about their home (and sent to them)
    "police_1": {"a1", "a2"},  # sent to them: A's rule tells force 1, which covers A1 and B1
}
# Everyone who sees an alert acknowledges it (administrators see none).
ALERT_ACKNOWLEDGERS = ALERT_VIEWERS
# Escalation rules, keyed by their authority: its service managers only.
RULE_MANAGERS = {"sm_a": {"A"}, "sm_b": {"B"}}
SERVICE_MANAGERS = set(RULE_MANAGERS)

# Strategy meetings (all upcoming), keyed by their child: a1's chaired by sw_a with police_1 and
# hm_a1 invited, and an action owned by police_1; a2's chaired by sm_a with nobody else invited
# (an action of sm_a's); b1's chaired by sw_b with cw_b1 invited, who owns its action. The
# attendee of each route is hm_a1 for a1, and an external person for a2 and b1.
MEETINGS = ["a1", "a2", "b1"]
MEETING_LISTERS = EVERYONE - {"ri", "admin"}
MEETING_VIEWERS = {  # case holders' roles see meetings about children they see; others if invited
    "sw_a": {"a1", "a2"},
    "sm_a": {"a1", "a2"},
    "sw_b": {"b1"},
    "sm_b": {"a2", "b1"},  # sm_b sees a2, who lives in B's home B1
    "police_1": {"a1"},
    "hm_a1": {"a1"},
    "cw_b1": {"b1"},
}
# The chair and the case holders run a meeting (sm_b sees a2's but does not hold the case).
MEETING_RUNNERS = {"sw_a": {"a1", "a2"}, "sm_a": {"a1", "a2"}, "sw_b": {"b1"}, "sm_b": {"b1"}}
ACTION_COMPLETERS = MEETING_RUNNERS | {"police_1": {"a1"}, "cw_b1": {"b1"}}  # + the owners
# Regulation 40 decisions on a flagged episode of each placed child: the home's staff and the
# case holders who see the child; the home's manager decides; the police never see them.
REG40_VIEWERS = {
    "cw_a1": {"a1"},
    "hm_a1": {"a1"},
    "cw_b1": {"a2", "b1"},
    "sw_a": {"a1", "a2"},
    "sm_a": {"a1", "a2"},
    "sw_b": {"b1", "b2"},
    "sm_b": {"a2", "b1", "b2"},
}
REG40_DECIDERS = {"hm_a1": {"a1"}}
REG40_LISTERS = {"hm_a1", "sw_a", "sw_b", "sm_a", "sm_b"}
# People pages, keyed by the user managed: administrators manage everyone; a home manager the
# staff granted on the homes they manage (hm_a1: A1's care worker and themself), and invite
# care workers to those homes. Only administrators edit and issue or revoke API tokens.
PEOPLE_LISTERS = {"admin", "hm_a1"}
USER_MANAGERS = {"admin": set(ALL_USERS), "hm_a1": {"cw_a1", "hm_a1"}}
USER_EDITORS = {"admin": set(ALL_USERS)}
# A user's homes: only care workers and home managers have them; a home manager changes their
# own staff's homes (among the homes they manage).
HOME_STAFF = {"cw_a1", "hm_a1", "cw_b1"}
USER_HOME_EDITORS = {"admin": HOME_STAFF, "hm_a1": {"cw_a1", "hm_a1"}}


@dataclass(frozen=True)
class Route:
    name: str
    kind: str  # none | home | child | placement | associate | place | grant | staff | ...
    allowed: object  # set of users (kind none) or {user: set of object keys}
    methods: tuple = ("GET",)
    api: bool = False
    child_kwarg: str = "pk"  # what the route calls the child's id

    def may(self, user_key: str, obj_key: str | None) -> bool:
        if self.kind == "none":
            return user_key in self.allowed
        return obj_key in self.allowed.get(user_key, set())


def visible_children():
    return World.VISIBLE_CHILDREN


def visible_homes():
    return World.VISIBLE_HOMES


WEB_ROUTES = [
    Route("homes:list", "none", EVERYONE),
    Route("homes:create", "none", HOME_CREATORS, ("GET", "POST")),
    Route("homes:detail", "home", visible_homes()),
    Route("homes:edit", "home", HOME_EDITORS, ("GET", "POST")),
    Route("homes:staff", "home", HOME_EDITORS, ("GET", "POST")),
    Route("homes:staff_remove", "staff", HOME_EDITORS, ("POST",)),
    Route("children:list", "none", EVERYONE),
    Route("children:create", "none", CHILD_CREATORS, ("GET", "POST")),
    Route("children:detail", "child", visible_children()),
    Route("children:profile", "child", visible_children()),
    Route("children:placements", "child", visible_children()),
    Route("children:history", "child", visible_children()),
    Route("children:photo", "child", visible_children()),
    Route("children:access_log", "child", ACCESS_LOG_READERS),
    Route("children:edit", "child", CASE_HOLDERS, ("GET", "POST")),
    Route("children:photo_edit", "child", PROFILE_KEEPERS, ("GET", "POST")),
    Route("children:profile_edit", "child", PROFILE_KEEPERS, ("GET", "POST")),
    Route("children:associate_add", "child", PROFILE_KEEPERS, ("GET", "POST")),
    Route("children:associate_edit", "associate", PROFILE_KEEPERS, ("GET", "POST")),
    Route("children:associate_remove", "associate", PROFILE_KEEPERS, ("POST",)),
    Route("children:place_add", "child", PROFILE_KEEPERS, ("GET", "POST")),
    Route("children:place_edit", "place", PROFILE_KEEPERS, ("GET", "POST")),
    Route("children:place_remove", "place", PROFILE_KEEPERS, ("POST",)),
    Route("children:placement_add", "child", CASE_HOLDERS, ("GET", "POST")),
    Route("children:placement_end", "placement", CASE_HOLDERS, ("GET", "POST")),
    Route("children:allocate", "child", ALLOCATORS, ("GET", "POST")),
    Route("children:police_access", "child", CASE_HOLDERS, ("GET", "POST")),
    Route("children:police_access_revoke", "grant", CASE_HOLDERS, ("POST",)),
    Route("episodes:missing_now", "none", BOARD_USERS),
    Route("episodes:missing_now_rows", "none", BOARD_USERS),
    Route("episodes:interviews", "none", INTERVIEW_LISTERS),
    Route("episodes:child", "child", visible_children(), child_kwarg="child_pk"),
    Route("episodes:report", "child", EPISODE_LOGGERS, ("GET", "POST"), child_kwarg="child_pk"),
    Route(
        "episodes:record_late", "child", EPISODE_LOGGERS, ("GET", "POST"), child_kwarg="child_pk"
    ),
    Route("episodes:detail", "episode", EPISODE_VIEWERS),
    Route("episodes:edit", "episode", EPISODE_UPDATERS, ("GET", "POST")),
    Route("episodes:next_steps", "episode", EPISODE_UPDATERS),
    Route("episodes:step_tick", "step", EPISODE_UPDATERS, ("GET", "POST")),
    Route("episodes:authority_steps", "none", SERVICE_MANAGERS, ("GET", "POST")),
    Route("episodes:authority_step_move", "authority_step", RULE_MANAGERS, ("POST",)),
    Route("episodes:authority_step_active", "authority_step", RULE_MANAGERS, ("POST",)),
    Route("episodes:update_add", "episode", EPISODE_UPDATERS, ("GET", "POST")),
    Route("episodes:return", "open_episode", RETURNERS, ("GET", "POST")),
    Route("episodes:interview", "episode", INTERVIEW_RECORDERS, ("GET", "POST")),
    Route("episodes:interview_assign", "episode", CASE_VIEWERS, ("GET", "POST")),
    Route("episodes:interview_share", "episode", CASE_VIEWERS, ("GET", "POST")),
    Route(
        "episodes:interview_to_profile",
        "episode",
        # Profile keepers who see the episode and read what the child said (not care workers).
        {
            k: v & EPISODE_VIEWERS.get(k, set())
            for k, v in PROFILE_KEEPERS.items()
            if k not in {"cw_a1", "cw_b1"}
        },
        ("POST",),
    ),
    Route("episodes:visit", "episode", VISITORS, ("GET", "POST")),
    Route("alerts:list", "none", EVERYONE),
    Route("alerts:detail", "alert", ALERT_VIEWERS),
    Route("alerts:acknowledge", "alert", ALERT_ACKNOWLEDGERS, ("POST",)),
    Route("alerts:rules", "none", SERVICE_MANAGERS),
    Route("alerts:rule_edit", "rule", RULE_MANAGERS, ("GET", "POST")),
    Route("alerts:out_of_hours", "none", SERVICE_MANAGERS, ("GET", "POST")),
    Route("alerts:notices", "none", EVERYONE),
    Route("alerts:notice_open", "notice", NOTICES),
    Route("strategy_meetings:list", "none", MEETING_LISTERS),
    Route("strategy_meetings:my_actions", "none", MEETING_LISTERS),
    Route("episodes:reg40_list", "none", REG40_LISTERS),
    Route("episodes:reg40_decide", "reg40", REG40_DECIDERS, ("GET", "POST")),
    Route("children:indicators", "none", SERVICE_MANAGERS, ("GET", "POST")),
    Route("strategy_meetings:child", "child", visible_children(), child_kwarg="child_pk"),
    Route(
        "strategy_meetings:schedule", "child", CASE_HOLDERS, ("GET", "POST"), child_kwarg="child_pk"
    ),
    Route("children:assessments", "child", CASE_HOLDERS, child_kwarg="child_pk"),
    Route(
        "children:assessment_new",
        "child",
        CASE_HOLDERS,
        ("GET", "POST"),
        child_kwarg="child_pk",
    ),
    Route("children:assessment", "assessment", CASE_HOLDERS),
    Route("strategy_meetings:detail", "meeting", MEETING_VIEWERS),
    Route("strategy_meetings:move", "meeting", MEETING_RUNNERS, ("GET", "POST")),
    Route("strategy_meetings:cancel", "meeting", MEETING_RUNNERS, ("GET", "POST")),
    Route("strategy_meetings:record", "meeting", MEETING_RUNNERS, ("GET", "POST")),
    Route("strategy_meetings:attendee_add", "meeting", MEETING_RUNNERS, ("GET", "POST")),
    Route("strategy_meetings:attendee_remove", "attendee", MEETING_RUNNERS, ("POST",)),
    Route("strategy_meetings:action_add", "meeting", MEETING_RUNNERS, ("GET", "POST")),
    Route(
        "strategy_meetings:action_complete",
        "action",
        ACTION_COMPLETERS,
        ("GET", "POST"),
        child_kwarg="action_pk",
    ),
    Route("reports:dashboard", "none", DASHBOARD_USERS),
    Route("reports:export", "none", DASHBOARD_USERS),
    Route("reports:ssda903", "none", SSDA903_USERS),
    Route("reports:export_job", "export_job", EXPORT_JOBS),
    Route("reports:export_job_status", "export_job", EXPORT_JOBS),
    Route("reports:export_job_download", "export_job", EXPORT_JOBS),
    Route("reports:police_pack", "episode", EPISODE_UPDATERS),
    Route("reports:police_pack_print", "episode", EPISODE_UPDATERS),
    Route("reports:police_pack_download", "episode", EPISODE_UPDATERS),
    Route("accounts:user_list", "none", PEOPLE_LISTERS),
    Route("accounts:user_invite", "none", PEOPLE_LISTERS, ("GET", "POST")),
    Route("accounts:user_detail", "user", USER_MANAGERS),
    Route("accounts:user_deactivate", "user", USER_MANAGERS, ("GET", "POST")),
    Route("accounts:user_reactivate", "user", USER_MANAGERS, ("GET", "POST")),
    Route("accounts:user_edit", "user", USER_EDITORS, ("GET", "POST")),
    Route("accounts:user_homes", "user", USER_HOME_EDITORS, ("GET", "POST")),
    Route("accounts:user_invitation_resend", "user", USER_MANAGERS, ("POST",)),
    Route("accounts:api_token_create", "user", USER_EDITORS, ("GET", "POST")),
    Route("accounts:api_token_revoke", "user_token", USER_EDITORS, ("POST",)),
]

API_ROUTES = [
    Route("api:home_list", "none", EVERYONE, api=True),
    Route("api:home_list", "none", HOME_CREATORS, ("POST",), api=True),
    Route("api:home_detail", "home", visible_homes(), api=True),
    Route("api:home_detail", "home", HOME_EDITORS, ("PATCH",), api=True),
    Route("api:child_list", "none", EVERYONE, api=True),
    Route("api:child_list", "none", CHILD_CREATORS, ("POST",), api=True),
    Route("api:child_detail", "child", visible_children(), api=True),
    Route("api:child_detail", "child", CASE_HOLDERS, ("PATCH",), api=True),
    Route("api:child_placements", "child", visible_children(), api=True),
    Route("api:child_placements", "child", CASE_HOLDERS, ("POST",), api=True),
    Route("api:child_profile", "child", visible_children(), api=True),
    Route("api:child_profile", "child", PROFILE_KEEPERS, ("PATCH",), api=True),
    Route("api:child_profile_associates", "child", PROFILE_KEEPERS, ("POST",), api=True),
    Route("api:child_profile_places", "child", PROFILE_KEEPERS, ("POST",), api=True),
    Route("api:placement_detail", "placement", visible_children(), api=True),
    Route("api:placement_end", "placement", CASE_HOLDERS, ("POST",), api=True),
    Route("api:episode_list", "none", EVERYONE, ("GET", "POST"), api=True),
    Route("api:episode_detail", "episode", EPISODE_VIEWERS, api=True),
    Route("api:episode_detail", "episode", EPISODE_UPDATERS, ("PATCH",), api=True),
    Route("api:episode_return", "open_episode", RETURNERS, ("POST",), api=True),
    Route("api:episode_updates", "episode", EPISODE_UPDATERS, ("GET", "POST"), api=True),
    Route("api:episode_interview", "episode", EPISODE_VIEWERS, api=True),
    Route("api:episode_interview", "episode", INTERVIEW_RECORDERS, ("PATCH",), api=True),
    Route("api:episode_interview_assign", "episode", CASE_VIEWERS, ("POST",), api=True),
    Route("api:episode_visits", "episode", EPISODE_UPDATERS, api=True),
    Route("api:episode_visits", "episode", VISITORS, ("POST",), api=True),
    Route("api:alert_list", "none", EVERYONE, api=True),
    Route("api:alert_detail", "alert", ALERT_VIEWERS, api=True),
    Route("api:alert_acknowledge", "alert", ALERT_ACKNOWLEDGERS, ("POST",), api=True),
    Route("api:alert_rule_list", "none", SERVICE_MANAGERS, api=True),
    Route("api:alert_rule_detail", "rule", RULE_MANAGERS, ("GET", "PATCH"), api=True),
    Route("api:meeting_list", "none", MEETING_LISTERS, ("GET", "POST"), api=True),
    Route("api:meeting_detail", "meeting", MEETING_VIEWERS, api=True),
    Route("api:meeting_detail", "meeting", MEETING_RUNNERS, ("PATCH",), api=True),
    Route("api:meeting_cancel", "meeting", MEETING_RUNNERS, ("POST",), api=True),
    Route("api:meeting_record", "meeting", MEETING_RUNNERS, ("POST",), api=True),
    Route("api:meeting_attendees", "meeting", MEETING_VIEWERS, api=True),
    Route("api:meeting_attendees", "meeting", MEETING_RUNNERS, ("POST",), api=True),
    Route("api:meeting_attendee_remove", "attendee", MEETING_RUNNERS, ("POST",), api=True),
    Route("api:meeting_actions", "meeting", MEETING_VIEWERS, api=True),
    Route("api:meeting_actions", "meeting", MEETING_RUNNERS, ("POST",), api=True),
    Route("api:action_list", "none", MEETING_LISTERS, api=True),
    Route("api:action_complete", "action", ACTION_COMPLETERS, ("POST",), api=True),
    Route("api:child_cse_indicators", "child", CASE_HOLDERS, api=True),
    Route("api:child_cse_assessments", "child", CASE_HOLDERS, ("GET", "POST"), api=True),
    Route("api:reg40_list", "none", EVERYONE, api=True),
    Route("api:reg40_detail", "reg40", REG40_VIEWERS, api=True),
    Route("api:reg40_decide", "reg40", REG40_DECIDERS, ("POST",), api=True),
    Route("api:reports_dashboard", "none", DASHBOARD_USERS, api=True),
    Route("api:reports_export", "none", DASHBOARD_USERS, api=True),
    Route("api:reports_ssda903", "none", SSDA903_USERS, api=True),
    Route("api:reports_export_job", "export_job", EXPORT_JOBS, api=True),
    Route("api:reports_export_job_file", "export_job", EXPORT_JOBS, api=True),
]

# Routes with no object, open to every signed-in user (or to anyone): their own tests cover them.
UNSCOPED = {
    "site:start",
    "site:accessibility",
    "healthz",
    "api:schema",
    "api:docs",
    "api:redoc",
    "api:me",
    "accounts:invitation",  # the set-password link: the token in the URL is the check
}
ACCOUNT_PAGES_PREFIX = "accounts:"  # sign-in, two-factor, password: about the user themself
ADMIN_PREFIX = "admin:"  # Django admin: staff only; see test_admin_shows_no_child_data


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from _names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_route_is_in_the_matrix():
    covered = {route.name for route in WEB_ROUTES + API_ROUTES} | UNSCOPED
    missing = sorted(
        name
        for name in set(_names(get_resolver().url_patterns))
        if name not in covered and not name.startswith((ACCOUNT_PAGES_PREFIX, ADMIN_PREFIX))
    )
    assert missing == [], f"Add these routes to the access matrix: {missing}"


# The objects each kind of route is exercised on ---------------------------------------------


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    """The children's photos of the module's world, kept for every test of the module."""
    return tmp_path_factory.mktemp("matrix-private")


@pytest.fixture(autouse=True)
def private_media_root(settings, matrix_media):
    settings.PRIVATE_MEDIA_ROOT = matrix_media
    return matrix_media


@pytest.fixture(scope="class")
def world(request, django_db_setup, django_db_blocker, matrix_media):
    """The matrix's world, built once per class (setUpTestData-style) inside a transaction that
    is rolled back after the class's last test. Each test runs in a savepoint of that
    transaction (pytest-django's `db`), and each request in one more (`_request`), so what a
    test or a request writes is gone before the next one.

    Two worlds: TestTheBaseWorld's, and TestTheMeetingsWorld's, which adds the strategy
    meetings, assessments and Regulation 40 decisions of `_add_multi_agency` for the routes of
    MEETING_KINDS only: an invitation to a meeting widens what the invited see."""
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_MEDIA_ROOT=matrix_media),
        transaction.atomic(),
    ):
        world = _build_matrix_world(meetings=request.cls.MEETINGS)
        yield world
        transaction.set_rollback(True)


def _build_matrix_world(*, meetings):
    world = build_world()
    admin = world.users["admin"]
    outsider_police = make_user("police_liaison", organisation=world.orgs["F2"])
    world.targets = {
        "child": {},
        "home": {},
        "placement": {},
        "associate": {},
        "place": {},
        "grant": {},
        "staff": {},
    }
    for key, child in world.children.items():
        child_services.child_photo_set(
            actor=admin,
            child=child,
            photo=SimpleUploadedFile("p.png", PNG, "image/png"),
            taken_on=timezone.localdate(),
        )
        associate = child_services.associate_add(actor=admin, child=child, name=f"Friend {key}")
        place = child_services.place_add(actor=admin, child=child, name=f"Park {key}")
        grant = child_services.police_grant_create(
            actor=admin,
            child=child,
            officer=outsider_police,
            reason="Matrix",
            expires_at=timezone.now() + timedelta(days=1),
        )
        world.targets["child"][key] = {"pk": child.pk}
        world.targets["associate"][key] = {"pk": child.pk, "item_pk": associate.pk}
        world.targets["place"][key] = {"pk": child.pk, "item_pk": place.pk}
        world.targets["grant"][key] = {"pk": child.pk, "grant_pk": grant.pk}
    # The outsider officer must not widen anyone's view in the matrix: they are not a column.
    for key in PLACED:
        placement = Placement.objects.get(child=world.children[key])
        world.targets["placement"][key] = {"pk": child_pk(world, key), "placement_pk": placement.pk}
    world.targets["episode"] = {}
    world.targets["step"] = {}
    world.targets["authority_step"] = {
        key: {
            "pk": episode_services.authority_step_add(
                actor=world.users[f"sm_{key.lower()}"], authority=world.orgs[key], wording="Matrix"
            ).pk
        }
        for key in ("A", "B")
    }
    for key in PLACED:
        episode = episode_services.episode_open(
            actor=admin_like(world, key),
            child=world.children[key],
            kind="M",
            last_seen_at=timezone.now() - timedelta(hours=30),
            last_seen_where="Town",
        )
        episode = episode_services.episode_record_return(
            actor=admin_like(world, key),
            episode=episode,
            expected_version=episode.version,
            returned_at=timezone.now() - timedelta(hours=26),
            return_method="own_accord",
        )
        world.targets["episode"][key] = {"pk": episode.pk}
        world.targets["step"][key] = {"pk": episode.pk, "step": "search"}
        if key == "a1":
            episode_services.interview_assign(
                actor=world.users["sw_a"],
                interview=episode.interview,
                interviewer=world.users["ri"],
            )
    _raise_alerts(world)
    staff = {"A1": world.users["cw_a1"], "B1": world.users["cw_b1"]}
    staff["P1"] = make_user("care_worker", organisation=world.orgs["P"])
    staff["B2"] = make_user("care_worker", organisation=world.orgs["B"])
    for key in ("P1", "B2"):
        home_services.home_staff_grant(actor=admin, home=world.homes[key], user=staff[key])
    for key, home in world.homes.items():
        world.targets["home"][key] = {"pk": home.pk}
        world.targets["staff"][key] = {"pk": home.pk, "user_pk": staff[key].pk}
    world.targets["user"] = {key: {"pk": user.pk} for key, user in world.users.items()}
    world.targets["user_token"] = {}
    for key, user in world.users.items():
        token, _ = account_services.api_token_issue(
            actor=admin, user=user, name="Matrix", expires_at=timezone.now() + timedelta(days=1)
        )
        world.targets["user_token"][key] = {"pk": user.pk, "token_pk": token.pk}
    _add_export_jobs(world)
    world.targets["notice"] = {
        key: {
            "pk": world.users[key]
            .alert_deliveries.filter(notice__isnull=False, channel="in_app")
            .first()
            .pk
        }
        for key in NOTICE_OWNERS
    }
    if meetings:
        _add_multi_agency(world)
    return world


def _raise_alerts(world):
    """One "Police risk grade high" alert per placed child, through the services; the rules
    are seeded here because OrganisationFactory does not seed them."""
    world.targets["alert"] = {}
    world.targets["rule"] = {}
    for key in ("A", "B"):
        alert_services.rules_seed_defaults(authority=world.orgs[key])
        rule = EscalationRule.objects.get(
            authority=world.orgs[key], rule_type=RuleType.POLICE_RISK_HIGH
        )
        if key == "A":
            rule = alert_services.rule_update(
                actor=world.users["sm_a"],
                rule=rule,
                expected_version=rule.version,
                recipient_roles=[
                    *rule.recipient_roles,
                    RecipientRole.HOME_MANAGER,
                    RecipientRole.POLICE_LIAISON,
                ],
            )
        world.targets["rule"][key] = {"pk": rule.pk}
    for key in PLACED:
        episode = world.children[key].episodes.get()
        episode_services.episode_update(
            actor=admin_like(world, key),
            episode=episode,
            expected_version=episode.version,
            risk_grade="high",
        )
        alert = Alert.objects.get(child=world.children[key])
        world.targets["alert"][key] = {"pk": alert.pk}


def admin_like(world, child_key):
    """The child's social worker: someone who may report and record a return."""
    return world.users["sw_a" if child_key.startswith("a") else "sw_b"]


def _open_episodes(world):
    """Open episodes (after the returned ones) for the routes that act on an open episode.
    Made by the test that needs them, in its own savepoint: an open episode widens what the
    police see, so the module's world has none."""
    targets = {}
    for key in PLACED:
        episode = episode_services.episode_open(
            actor=admin_like(world, key),
            child=world.children[key],
            kind="A",
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Park",
        )
        targets[key] = {"pk": episode.pk}
    return targets


def _add_export_jobs(world):
    """One export job for each of two users who may export: only its owner reaches it."""
    from apps.reports.models import ExportJob

    world.targets["export_job"] = {
        key: {"pk": ExportJob.objects.create(user=world.users[key], kind="episodes").pk}
        for key in EXPORT_JOB_OWNERS
    }


def child_pk(world, key):
    return world.children[key].pk


def _url(route, kwargs):
    if route.api:
        return reverse(route.name, kwargs=_api_kwargs(route, kwargs))
    if route.child_kwarg != "pk":
        kwargs = {route.child_kwarg: kwargs["pk"]}
    return reverse(route.name, kwargs=kwargs)


def _api_kwargs(route, kwargs):
    # API routes name their object `pk`, whatever it is.
    if route.kind == "placement":
        return {"pk": kwargs["placement_pk"]}
    return kwargs


def _request(client, route: Route, method: str, url: str):
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif method == "PATCH":
            response = client.patch(
                url, data={}, content_type="application/json", HTTP_IF_MATCH='"1"'
            )
        elif route.api:
            response = client.post(url, data={}, content_type="application/json")
        else:
            response = client.post(url, data={})
        transaction.set_rollback(True)
    return response


def _add_multi_agency(world):
    """Meetings, attendees, actions, assessments and Regulation 40 decisions (see MEETINGS and
    REG40_VIEWERS), through the services, for the routes of apps.strategy_meetings."""
    from apps.strategy_meetings import services as meeting_services

    users = world.users
    for kind in ("meeting", "attendee", "action", "assessment", "reg40"):
        world.targets[kind] = {}
    plans = {"a1": ("sw_a", ["police_1", "hm_a1"]), "a2": ("sm_a", []), "b1": ("sw_b", ["cw_b1"])}
    for key, (chair, invited) in plans.items():
        meeting = meeting_services.meeting_schedule(
            actor=users[chair],
            child=world.children[key],
            scheduled_at=timezone.now() + timedelta(days=2),
            reason="Matrix",
            location="Room 4",
            invite_users=[users[name] for name in invited],
        )
        if key != "a1":
            meeting_services.attendee_add(
                actor=users[chair], meeting=meeting, name="Nurse", agency="NHS", email="n@x.test"
            )
        owner = {"a1": "police_1", "a2": "sm_a", "b1": "cw_b1"}[key]
        action = meeting_services.action_add(
            actor=users[chair],
            meeting=meeting,
            description="Matrix",
            due_on=timezone.localdate(),
            owner_user=users[owner],
        )
        removable = meeting.attendees.exclude(user__in=[users[chair], users[owner]]).first()
        world.targets["meeting"][key] = {"pk": meeting.pk}
        world.targets["attendee"][key] = {"pk": meeting.pk, "attendee_pk": removable.pk}
        world.targets["action"][key] = {"pk": action.pk}
    for key in ALL_CHILDREN:
        assessment = child_services.assessment_complete(
            actor=admin_like(world, key), child=world.children[key], indicators=[], answers={}
        )
        world.targets["assessment"][key] = {"child_pk": child_pk(world, key), "pk": assessment.pk}
    for key in PLACED:
        episode = world.children[key].episodes.get()
        episode_services.episode_update(
            actor=admin_like(world, key),
            episode=episode,
            expected_version=episode.version,
            suspected_sexual_exploitation=True,
        )
        world.targets["reg40"][key] = {"pk": episode.regulation40.pk}


MEETING_KINDS = {"meeting", "attendee", "action", "assessment", "reg40"}


def _route_id(route):
    return f"{route.name}-{'+'.join(route.methods)}"


def _objects(world, route: Route):
    if route.kind == "none":
        return [(None, {})]
    targets = _open_episodes(world) if route.kind == "open_episode" else world.targets[route.kind]
    keys = {
        "meeting": MEETINGS,
        "attendee": MEETINGS,
        "action": MEETINGS,
        "reg40": PLACED,
        "home": ALL_HOMES,
        "staff": ALL_HOMES,
        "placement": PLACED,
        "episode": PLACED,
        "step": PLACED,
        "authority_step": ["A", "B"],
        "open_episode": PLACED,
        "alert": PLACED,
        "rule": ["A", "B"],
        "export_job": sorted(EXPORT_JOB_OWNERS),
        "notice": sorted(NOTICE_OWNERS),
        "user": ALL_USERS,
        "user_token": ALL_USERS,
    }.get(route.kind, ALL_CHILDREN)
    return [(key, targets[key]) for key in keys]


def _object_key_for_matrix(route, key):
    return key  # placement, associate, place and grant targets are keyed by their child


class Matrix:
    """The checks of every route, run by each world's class on the routes checked in it."""

    MEETINGS = False  # the world of the class: see `world`

    def test_each_role_reaches_exactly_what_the_access_model_allows(self, client, world, route):
        failures = []
        objects = _objects(world, route)
        for user_key in ALL_USERS:
            client.logout()
            sign_in(client, world.users[user_key])
            for obj_key, kwargs in objects:
                url = _url(route, kwargs)
                for method in route.methods:
                    response = _request(client, route, method, url)
                    allowed = route.may(user_key, _object_key_for_matrix(route, obj_key))
                    status = response.status_code
                    forbidden_statuses = {404} if route.kind != "none" else {404, 403}
                    if allowed and (status in {403, 404} or status >= 500):
                        failures.append(
                            f"{user_key} {method} {url} ({obj_key}): {status}, expected access"
                        )
                    if not allowed and status not in forbidden_statuses:
                        failures.append(
                            f"{user_key} {method} {url} ({obj_key}): {status}, expected 404"
                        )
        assert failures == []

    def test_anonymous_users_are_sent_to_sign_in(self, client, world, route):
        _key, kwargs = _objects(world, route)[0]
        url = _url(route, kwargs)
        response = client.get(url)
        if "GET" in route.methods:
            assert response.status_code == 302
            assert response["Location"] == f"/account/sign-in/?next={url}"
        else:
            assert response.status_code in {302, 405}

    def test_anonymous_api_requests_are_refused(self, client, world, route):
        _key, kwargs = _objects(world, route)[0]
        url = _url(route, kwargs)
        for method in route.methods:
            response = _request(client, route, method, url)
            assert response.status_code in {401, 403}, (method, url, response.status_code)


class TestTheBaseWorld(Matrix):
    """Every route but those of MEETING_KINDS, and the checks of single objects."""

    def test_an_item_of_another_child_is_404_through_a_child_the_user_can_see(self, client, world):
        """Sub-objects are fetched through their child: a1's page cannot reach b1's associate."""
        sign_in(client, world.users["sw_a"])
        a1 = world.children["a1"].pk
        for name, kind, arg in [
            ("children:associate_edit", "associate", "item_pk"),
            ("children:place_edit", "place", "item_pk"),
            ("children:placement_end", "placement", "placement_pk"),
        ]:
            foreign = world.targets[kind]["b1"][arg]
            assert client.get(reverse(name, kwargs={"pk": a1, arg: foreign})).status_code == 404
        grant = world.targets["grant"]["b1"]["grant_pk"]
        url = reverse("children:police_access_revoke", kwargs={"pk": a1, "grant_pk": grant})
        assert client.post(url).status_code == 404

    def test_admin_shows_no_child_data(self, client, world):
        """Administrators manage users, organisations and homes; children are not in the admin."""
        admin = User.objects.get(pk=world.users["admin"].pk)  # the module's world keeps its own
        admin.is_staff = admin.is_superuser = True
        admin.save()
        sign_in(client, admin)
        index = client.get("/admin/").content.decode()
        assert "/admin/homes/home/" in index
        for path in [
            "/admin/children/",
            "/admin/children/child/",
            "/admin/children/placement/",
            "/admin/children/philomenaprofile/",
            "/admin/core/accesslog/",
        ]:
            assert path not in index
            assert client.get(path).status_code == 404, path


class TestTheMeetingsWorld(Matrix):
    """The routes of MEETING_KINDS, in the world with meetings."""

    MEETINGS = True


ROUTES_OF_TEST = {
    "test_each_role_reaches_exactly_what_the_access_model_allows": (WEB_ROUTES + API_ROUTES),
    "test_anonymous_users_are_sent_to_sign_in": WEB_ROUTES,
    "test_anonymous_api_requests_are_refused": API_ROUTES,
}


def pytest_generate_tests(metafunc):
    """Each check of `Matrix` over the routes its class's world is for, with the ids the
    checks always had (the route's name, and its methods unless on the anonymous web page)."""
    if "route" not in metafunc.fixturenames:
        return
    routes = [
        route
        for route in ROUTES_OF_TEST[metafunc.function.__name__]
        if (route.kind in MEETING_KINDS) == metafunc.cls.MEETINGS
    ]
    web_page = metafunc.function.__name__ == "test_anonymous_users_are_sent_to_sign_in"
    metafunc.parametrize("route", routes, ids=(lambda r: r.name) if web_page else _route_id)
