"""The scope mechanism (apps/core/scope.py): a role table of parts giving the rows, the
single-row condition, fetch-or-404 and contains, and parts contributed by higher apps."""

import pytest
from django.db.models import Q
from django.http import Http404

from apps.accounts.models import OrganisationKind, Role
from apps.core.scope import ALL, Scope, one_or_404, parse_pk
from apps.homes import services as homes
from apps.homes.models import Home
from tests.factories import OrganisationFactory, make_user

pytestmark = pytest.mark.django_db


def _home(admin, n, operator, force):
    return homes.home_create(
        actor=admin,
        name=f"Home {n}",
        ofsted_urn=f"SC{n:06d}",
        operator=operator,
        host_authority=operator,
        police_force=force,
        address_line_1=f"{n} Test Street",
        town="Testbury",
        postcode="NE1 8AA",
        capacity=4,
    )


@pytest.fixture
def place():
    la = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY)
    other = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY)
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)
    admin = make_user(Role.ADMINISTRATOR, organisation=la)
    run_by_la = _home(admin, 1, la, force)
    named = _home(admin, 2, other, force)
    elsewhere = _home(admin, 3, other, force)
    return {
        "la": la,
        "admin": admin,
        "manager": make_user(Role.SERVICE_MANAGER, organisation=la),
        "worker": make_user(Role.CARE_WORKER, organisation=la),
        "interviewer": make_user(Role.RETURN_INTERVIEWER, organisation=la),
        "homes": (run_by_la, named, elsewhere),
    }


def _operated(user):  # a part as a queryset of ids
    return Home.objects.filter(operator_id=user.organisation_id).values("pk")


def _named(user):  # a part as a condition on the model
    return Q(name="Home 2")


def _never(user):  # a part that does not apply to this user
    return None


def _scope():
    return Scope(
        Home,
        {
            Role.ADMINISTRATOR: ALL,
            Role.SERVICE_MANAGER: [_operated, _named, _never],
            (Role.CARE_WORKER, Role.HOME_MANAGER): [_named],
        },
        name="home",
    )


def _pks(rows):
    return set(rows.values_list("pk", flat=True))


def test_rows_are_the_union_of_the_parts(place):
    run_by_la, named, _ = place["homes"]
    rows = _scope().rows(place["manager"])
    assert _pks(rows) == {run_by_la.pk, named.pk}
    assert "UNION" in str(rows.query)  # each part read on its own, joined by primary key


def test_a_single_condition_is_a_plain_filter(place):
    rows = _scope().rows(place["worker"])
    assert _pks(rows) == {place["homes"][1].pk}
    assert "UNION" not in str(rows.query)


def test_where_applies_inside_each_part(place):
    run_by_la, _, _ = place["homes"]
    rows = _scope().rows(place["manager"], where=Q(ofsted_urn="SC000001"))
    assert _pks(rows) == {run_by_la.pk}


def test_all_roles_see_every_row_and_unnamed_roles_none(place):
    scope = _scope()
    assert _pks(scope.rows(place["admin"])) == {h.pk for h in place["homes"]}
    assert scope.condition(place["admin"]) == Q()
    assert not scope.rows(place["interviewer"]).exists()
    assert not Home.objects.filter(scope.condition(place["interviewer"])).exists()


def test_deactivated_users_see_nothing(place):
    manager = place["manager"]
    manager.is_active = False
    assert _scope().parts(manager) == []
    assert not _scope().rows(manager).exists()


def test_the_condition_is_the_same_rule_as_the_rows(place):
    scope = _scope()
    for user in (place["manager"], place["worker"], place["admin"], place["interviewer"]):
        assert _pks(Home.objects.filter(scope.condition(user))) == _pks(scope.rows(user))


def test_fetch_or_404_finds_a_row_in_scope(place, django_assert_num_queries):
    run_by_la, _, _ = place["homes"]
    with django_assert_num_queries(1):  # the row, with its operator
        home = _scope().fetch_or_404(
            place["manager"], str(run_by_la.pk), queryset=Home.objects.select_related("operator")
        )
        assert home == run_by_la
        assert home.operator == place["la"]


@pytest.mark.parametrize("pk", ["abc", "", None, "1.5"])
def test_fetch_or_404_refuses_a_pk_that_is_not_a_number(place, pk):
    with pytest.raises(Http404):
        _scope().fetch_or_404(place["manager"], pk)


def test_fetch_or_404_answers_forbidden_like_missing(place):
    _, _, elsewhere = place["homes"]
    with pytest.raises(Http404, match="No such home"):
        _scope().fetch_or_404(place["manager"], elsewhere.pk)
    with pytest.raises(Http404, match="No such home"):
        _scope().fetch_or_404(place["manager"], 999_999)


def test_contains(place, django_assert_num_queries):
    scope = _scope()
    run_by_la, named, elsewhere = place["homes"]
    manager = place["manager"]
    assert scope.contains(manager, named)
    assert not scope.contains(manager, elsewhere)
    assert not scope.contains(place["worker"], run_by_la)
    fetched = scope.fetch_or_404(manager, run_by_la.pk)
    with django_assert_num_queries(0):  # fetched for this user: already checked
        assert scope.contains(manager, fetched)
    with django_assert_num_queries(1):  # another user: checked again
        assert not scope.contains(place["worker"], fetched)


def test_a_contributed_part_joins_the_role(place):
    scope = _scope()
    _, _, elsewhere = place["homes"]
    assert not scope.rows(place["interviewer"]).exists()

    def contributed(user):
        return Home.objects.filter(pk=elsewhere.pk).values("pk")

    scope.contribute(Role.RETURN_INTERVIEWER, contributed)
    scope.contribute(Role.RETURN_INTERVIEWER, contributed)  # once only
    assert len(scope.parts(place["interviewer"])) == 1
    assert _pks(scope.rows(place["interviewer"])) == {elsewhere.pk}
    assert scope.contains(place["interviewer"], elsewhere)
    with pytest.raises(ValueError):
        scope.contribute(Role.ADMINISTRATOR, contributed)


def test_the_apps_contribute_their_parts_to_lower_scopes():
    from apps.children import access as children_access
    from apps.children.access import child_scope
    from apps.episodes import access as episodes_access
    from apps.homes.access import home_scope
    from apps.strategy_meetings import access as meetings_access

    assert home_scope._roles[Role.SOCIAL_WORKER] == [children_access.homes_of_visible_children]
    assert home_scope._roles[Role.SERVICE_MANAGER][-1] == (
        children_access.homes_of_authority_children
    )
    # After the table's own part, in INSTALLED_APPS order.
    assert child_scope._roles[Role.POLICE_LIAISON][1:] == [
        episodes_access.children_missing_in_force_area,
        meetings_access.children_of_recent_meetings,
    ]


def test_one_or_404_and_parse_pk(place):
    home = place["homes"][0]
    assert one_or_404(Home.objects.all(), str(home.pk), "home") == home
    with pytest.raises(Http404, match="No such home"):
        one_or_404(Home.objects.filter(name="nobody"), home.pk, "home")
    assert parse_pk("12") == 12
    with pytest.raises(Http404):
        parse_pk("12a")
