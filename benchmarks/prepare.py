"""One scale's preparation for the harness, in a process of its own with the benchmark server's
settings and that scale's database (benchmarks.run starts it):

- picks one user per role, in the authority whose size is nearest the reference (so county and
  national compare scopes of about the same size in tables of very different sizes);
- signs each in the way the server expects after two-factor sign-in (a session holding the
  user and django-otp's verified-device key) and gives each an API token;
- finds the paths each role may open (in-process, with Django's test client) and captures the
  SQL each one runs (CaptureQueriesContext), then times every SELECT of it directly in
  PostgreSQL;
- counts the escalation engine's queries for a child with one episode and one with the longest
  history;
- chooses the (token, child) pairs the throughput test reports missing.

Writes a JSON plan: python -m benchmarks.prepare --scale county --out plan.json
"""

import argparse
import json
import logging
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta

import django

SAMPLES = 5  # objects per detail endpoint and role

# (name, kind, path, the object it needs). Kinds: page, list, detail, dashboard (web); api,
# api-dashboard. Paths that do not resolve in this checkout are left out.
ENDPOINTS = [
    ("start page", "page", "/", None),
    ("homes list", "list", "/homes/", None),
    ("home", "detail", "/homes/{home}/", "home"),
    ("home staff", "detail", "/homes/{home}/staff/", "home"),
    ("children list", "list", "/children/", None),
    ("child", "detail", "/children/{child}/", "child"),
    ("child profile", "detail", "/children/{child}/profile/", "child"),
    ("child placements", "detail", "/children/{child}/placements/", "child"),
    ("child history", "detail", "/children/{child}/history/", "child"),
    ("child viewed by", "detail", "/children/{child}/viewed/", "child"),
    ("missing-now board", "list", "/episodes/missing-now/", None),
    ("missing-now rows", "list", "/episodes/missing-now/rows/?opened={now}", None),
    ("interviews list", "list", "/episodes/interviews/", None),
    ("child's episodes", "detail", "/episodes/child/{child}/", "child"),
    ("episode", "detail", "/episodes/{episode}/", "episode"),
    ("alerts list", "list", "/alerts/", None),
    ("alert", "detail", "/alerts/{alert}/", "alert"),
    ("meetings list", "list", "/meetings/", None),
    ("my actions", "list", "/meetings/my-actions/", None),
    ("regulation 40 list", "list", "/meetings/regulation-40/", None),
    ("meeting", "detail", "/meetings/{meeting}/", "meeting"),
    ("child's meetings", "detail", "/meetings/child/{child}/", "child"),
    ("child's CSE assessments", "detail", "/meetings/child/{child}/cse/", "child"),
    ("dashboard", "dashboard", "/reports/", None),
    ("API me", "api", "/api/v1/me/", None),
    ("API homes", "api", "/api/v1/homes/", None),
    ("API home", "api", "/api/v1/homes/{home}/", "home"),
    ("API children", "api", "/api/v1/children/", None),
    ("API child", "api", "/api/v1/children/{child}/", "child"),
    ("API child placements", "api", "/api/v1/children/{child}/placements/", "child"),
    ("API child profile", "api", "/api/v1/children/{child}/profile/", "child"),
    ("API child associates", "api", "/api/v1/children/{child}/profile/associates/", "child"),
    ("API child places", "api", "/api/v1/children/{child}/profile/places/", "child"),
    ("API episodes", "api", "/api/v1/episodes/", None),
    ("API open episodes", "api", "/api/v1/episodes/?open=true", None),
    ("API episode", "api", "/api/v1/episodes/{episode}/", "episode"),
    ("API episode timeline", "api", "/api/v1/episodes/{episode}/updates/", "episode"),
    ("API episode interview", "api", "/api/v1/episodes/{episode}/interview/", "episode"),
    ("API episode visits", "api", "/api/v1/episodes/{episode}/visits/", "episode"),
    ("API alerts", "api", "/api/v1/alerts/", None),
    ("API alert", "api", "/api/v1/alerts/{alert}/", "alert"),
    ("API meetings", "api", "/api/v1/meetings/", None),
    ("API meeting", "api", "/api/v1/meetings/{meeting}/", "meeting"),
    ("API actions", "api", "/api/v1/actions/", None),
    ("API regulation 40", "api", "/api/v1/regulation-40/", None),
    ("API child CSE assessments", "api", "/api/v1/children/{child}/cse-assessments/", "child"),
    ("API dashboard", "api-dashboard", "/api/v1/reports/dashboard/", None),
]

ROLES = [
    "care_worker",
    "home_manager",
    "social_worker",
    "return_interviewer",
    "police_liaison",
    "service_manager",
    "administrator",
]


def _log(message: str) -> None:
    print(f"[prepare] {message}", file=sys.stderr, flush=True)


def _authority(reference: int):
    """The generated authority whose number of children is nearest `reference`."""
    from django.db.models import Count

    from apps.accounts.models import Organisation, OrganisationKind
    from benchmarks.generate import CODE_PREFIX

    authorities = (
        Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY, code__startswith=CODE_PREFIX
        )
        .annotate(children=Count("placed_children"))
        .order_by("pk")
    )
    return min(authorities, key=lambda a: (abs(a.children - reference), a.pk))


def _police_force(reference: int | None, default: int) -> tuple[int, int]:
    """(force id, its episodes): the force whose homes' episodes are nearest `reference` in
    number (police see every episode from their force's homes), else `default`'s."""
    from django.db.models import Count

    from apps.episodes.models import Episode

    counts = dict(
        Episode.objects.order_by()
        .values_list("home__police_force_id")
        .annotate(n=Count("pk"))
        .values_list("home__police_force_id", "n")
    )
    if reference is None:
        return default, counts.get(default, 0)
    force = min(counts, key=lambda f: (abs(counts[f] - reference), f))
    return force, counts[force]


def _users(authority, police_reference: int | None) -> dict:
    """One user per role, with a scope typical of a busy one in `authority`; police from the
    force nearest the reference size."""
    from django.db.models import Count, Q

    from apps.accounts.models import Role, User
    from apps.homes.models import Home

    busiest_home = (
        Home.objects.filter(host_authority=authority)
        .annotate(now=Count("placements", filter=Q(placements__end_date__isnull=True)))
        .order_by("-now", "pk")
        .first()
    )
    staff = (
        User.objects.filter(homeuserobjectpermission__content_object=busiest_home)
        .distinct()
        .order_by("pk")
    )
    force, force_episodes = _police_force(police_reference, busiest_home.police_force_id)
    users = {
        "care_worker": staff.filter(role=Role.CARE_WORKER).first(),
        "home_manager": staff.filter(role=Role.HOME_MANAGER).first(),
        "social_worker": User.objects.filter(role=Role.SOCIAL_WORKER, organisation=authority)
        .annotate(n=Count("allocated_children"))
        .order_by("-n", "pk")
        .first(),
        "return_interviewer": User.objects.filter(
            role=Role.RETURN_INTERVIEWER, organisation=authority
        )
        .annotate(n=Count("assigned_interviews"))
        .order_by("-n", "pk")
        .first(),
        "police_liaison": User.objects.filter(role=Role.POLICE_LIAISON, organisation_id=force)
        .order_by("pk")
        .first(),
        "service_manager": User.objects.filter(role=Role.SERVICE_MANAGER, organisation=authority)
        .order_by("pk")
        .first(),
        "administrator": User.objects.filter(role=Role.ADMINISTRATOR, organisation=authority)
        .order_by("pk")
        .first(),
    }
    users = {role: user for role, user in users.items() if user is not None}
    return users, force_episodes


def _sign_in(user) -> tuple[str, str]:
    """(session key, API token) for `user`: the session is what the sign-in and two-factor
    views leave behind (django.contrib.auth's keys and django-otp's verified device)."""
    import datetime

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts import services as account_services

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Benchmark"}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    _, key = account_services.api_token_issue(
        actor=user,
        user=user,
        name="Benchmark",
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return session.session_key, key


def _ids(queryset, rng, count=SAMPLES) -> list[int]:
    ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:20000])
    return rng.sample(ids, min(count, len(ids)))


def _objects(user, rng) -> dict[str, list[int]]:
    """Objects of each kind the user may open, chosen at random among those with history."""
    from apps.children.access import children_visible_to
    from apps.episodes.access import episodes_visible_to
    from apps.homes.access import homes_visible_to

    objects = {
        "home": _ids(homes_visible_to(user), rng),
        "child": _ids(children_visible_to(user).filter(episodes__isnull=False).distinct(), rng)
        or _ids(children_visible_to(user), rng),
        "episode": _ids(episodes_visible_to(user).filter(returned_at__isnull=False), rng),
    }
    try:
        from apps.alerts.access import alerts_visible_to

        objects["alert"] = _ids(alerts_visible_to(user), rng)
    except ImportError:
        objects["alert"] = []
    try:
        from apps.strategy_meetings.access import meetings_visible_to

        objects["meeting"] = _ids(meetings_visible_to(user), rng)
    except ImportError:
        objects["meeting"] = []
    return objects


def _resolves(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def _time_sql(queries: list[str], repeat: int) -> dict:
    """Run each SELECT the view ran directly in PostgreSQL; the median of `repeat` runs."""
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        for sql in queries:
            head = sql.lstrip()[:6].upper()
            if head not in ("SELECT", "WITH ("):
                continue
            runs = []
            for _ in range(repeat):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            timings.append((statistics.median(runs), sql))
    timings.sort(reverse=True)
    plan = []
    if timings:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + timings[0][1])
            plan = [row[0] for row in cursor.fetchall()][:40]
    return {
        "queries": len(queries),
        "selects": len(timings),
        "sql_ms": round(sum(ms for ms, _ in timings), 2),
        "slowest": [{"ms": round(ms, 2), "sql": sql[:2000]} for ms, sql in timings[:3]],
        "slowest_plan": plan,
    }


def _endpoints(users: dict, sessions: dict, rng, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    now = int(time.time())
    found = {}
    for role, user in users.items():
        objects = _objects(user, rng)
        session_key, token = sessions[role]
        client = Client()
        client.cookies["sessionid"] = session_key
        for name, kind, template, needs in ENDPOINTS:
            if not _resolves(re.sub(r"\{\w+\}", "1", template)):
                continue
            candidates = (
                [template.format(now=now, **{needs: pk}) for pk in objects.get(needs, [])]
                if needs
                else [template.format(now=now)]
            )
            headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if kind.startswith("api") else {}
            paths, captured = [], None
            for path in candidates:
                with CaptureQueriesContext(connection) as context:
                    response = client.get(path, **headers)
                if response.status_code == 200:
                    paths.append(path)
                    if captured is None:
                        captured = [q["sql"] for q in context.captured_queries]
            if not paths:
                continue
            found[f"{role}|{name}"] = {
                "role": role,
                "name": name,
                "kind": kind,
                "api": kind.startswith("api"),
                "paths": paths,
                **_time_sql(captured, repeat),
            }
        _log(f"{role}: {sum(1 for k in found if k.startswith(role + '|'))} endpoints")
    return found


def _engine_queries() -> dict:
    """Queries of apps.alerts.services.episode_evaluate for the latest episode of a child with
    one episode and of the child with the longest history, where no rule fires (so only the
    history differs). Rolled back."""
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from apps.alerts.services import episode_evaluate
    from apps.children.models import Child
    from apps.episodes.models import Episode

    def quiet(episode) -> bool:
        window = episode.last_seen_at - timedelta(days=30)
        return (
            not episode.overnight
            and episode.risk_grade != "high"
            and not Episode.objects.filter(
                child_id=episode.child_id,
                last_seen_at__gt=window,
                last_seen_at__lt=episode.last_seen_at,
            ).exists()
        )

    children = Child.objects.annotate(n=Count("episodes")).filter(n__gte=1)
    result = {}
    for label, ordering in (("one_episode", "n"), ("longest_history", "-n")):
        for child in children.order_by(ordering, "pk")[:200]:
            episode = (
                Episode.objects.filter(child=child)
                .select_related("child", "home")
                .order_by("-last_seen_at")
                .first()
            )
            if label == "one_episode" and child.n != 1:
                break
            if not quiet(episode):
                continue
            with transaction.atomic(), CaptureQueriesContext(connection) as context:
                episode_evaluate(episode=episode)
                transaction.set_rollback(True)
            result[label] = {"episodes": child.n, "queries": len(context.captured_queries)}
            break
    return result


def _throughput_pairs(rng, limit: int = 6000) -> list[tuple[str, int]]:
    """(API token, child id) pairs for the throughput test: children placed now with no open
    episode, each paired with a service manager of their placing authority (who may report
    them), so every request opens a new episode and none is refused."""
    from django.db.models import Exists, OuterRef

    from apps.accounts.models import Role, User
    from apps.children.models import Child, Placement
    from apps.episodes.models import Episode

    tokens = {}
    pairs = []
    children = (
        Child.objects.filter(
            Exists(Placement.objects.current().filter(child=OuterRef("pk"))),
            is_archived=False,
        )
        .exclude(Exists(Episode.objects.open().filter(child=OuterRef("pk"))))
        .values_list("pk", "placing_authority_id")
        .order_by("pk")
    )
    for child_id, authority_id in children.iterator():
        if authority_id not in tokens:
            manager = (
                User.objects.filter(role=Role.SERVICE_MANAGER, organisation_id=authority_id)
                .order_by("pk")
                .first()
            )
            tokens[authority_id] = _sign_in(manager)[1] if manager else None
        if tokens[authority_id]:
            pairs.append((tokens[authority_id], child_id))
    rng.shuffle(pairs)
    return pairs[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--reference-children", type=int, default=1500)
    parser.add_argument("--reference-police-episodes", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sql-repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s of roles' trials
    from django.db import connection

    from apps.episodes.models import Episode

    rng = random.Random(args.seed)
    authority = _authority(args.reference_children)
    users, police_episodes = _users(authority, args.reference_police_episodes)
    _log(f"{args.scale}: authority {authority.name} ({authority.children} children)")
    sessions = {role: _sign_in(user) for role, user in users.items()}
    endpoints = _endpoints(users, sessions, rng, args.sql_repeat)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    plan = {
        "scale": args.scale,
        "authority": {"name": authority.name, "children": authority.children},
        "police_force_episodes": police_episodes,
        "database_bytes": size,
        "episodes": Episode.objects.count(),
        "users": {
            role: {
                "id": user.pk,
                "email": user.email,
                "session": sessions[role][0],
                "token": sessions[role][1],
            }
            for role, user in users.items()
        },
        "endpoints": endpoints,
        "engine": _engine_queries(),
        "throughput_pairs": _throughput_pairs(rng),
    }
    with open(args.out, "w") as handle:
        json.dump(plan, handle, indent=1)
    _log(f"{args.scale}: {len(endpoints)} endpoint/role pairs, plan in {args.out}")


if __name__ == "__main__":
    main()
