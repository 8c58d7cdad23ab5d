"""Property: for random organisations, homes, children, placements and grants, every child or
home any list, search or fetch returns is in the user's scope, and every object in scope is
reachable. The oracle below restates the access model in plain Python over the generated
data, independently of apps/*/access.py."""

from datetime import date, timedelta

from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from apps.accounts.models import OrganisationKind, Role
from apps.children import selectors as child_selectors
from apps.children import services as child_services
from apps.children.access import get_child_for_user
from apps.homes import selectors as home_selectors
from apps.homes import services as home_services
from apps.homes.access import get_home_for_user
from tests.factories import OrganisationFactory, make_user

ROLES = [r.value for r in Role]

world_strategy = st.fixed_dictionaries(
    {
        # Each home: (operator index among LAs+provider, host LA index, force index)
        "homes": st.lists(
            st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 1)),
            min_size=1,
            max_size=4,
        ),
        # Each child: (placing LA index, home index or None, allocated?)
        "children": st.lists(
            st.tuples(st.integers(0, 1), st.one_of(st.none(), st.integers(0, 3)), st.booleans()),
            min_size=1,
            max_size=6,
        ),
        # Each user: (role, organisation slot, granted home indexes, police grants on children)
        "users": st.lists(
            st.tuples(
                st.sampled_from(ROLES),
                st.integers(0, 1),
                st.sets(st.integers(0, 3), max_size=2),
                st.sets(st.tuples(st.integers(0, 5), st.booleans()), max_size=2),
            ),
            min_size=1,
            max_size=5,
        ),
    }
)


class ScopeProperties(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(spec=world_strategy)
    def test_lists_searches_and_fetches_match_the_access_model(self, spec):
        las = [OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY) for _ in range(2)]
        provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
        forces = [OrganisationFactory(kind=OrganisationKind.POLICE_FORCE) for _ in range(2)]
        operators = [*las, provider]
        admin = make_user(Role.ADMINISTRATOR, organisation=las[0])

        homes = []
        for n, (op, host, force) in enumerate(spec["homes"]):
            homes.append(
                home_services.home_create(
                    actor=admin,
                    name=f"H{n}",
                    ofsted_urn=f"SC{n + 1:06d}",
                    operator=operators[op],
                    host_authority=las[host],
                    police_force=forces[force],
                    address_line_1="1 Road",
                    town="T",
                    postcode="NE1 8AA",
                    capacity=4,
                )
            )
        social_workers = [make_user(Role.SOCIAL_WORKER, organisation=la) for la in las]
        # Children are added by their own authority's service manager (not a column here).
        adders = [make_user(Role.SERVICE_MANAGER, organisation=la) for la in las]
        children = []  # (child, placing la index, home index or None, allocated sw index)
        for n, (la, home_index, allocated) in enumerate(spec["children"]):
            child = child_services.child_create(
                actor=adders[la],
                first_name=f"Kid{n}",
                last_name="Test",
                date_of_birth=date(2011, 1, 1),
                sex="1",
                child_id=f"C{n}",
                placing_authority=las[la],
                allocated_social_worker=social_workers[la] if allocated else None,
            )
            if home_index is not None and home_index < len(homes):
                child_services.placement_start(
                    actor=admin,
                    child=child,
                    home=homes[home_index],
                    start_date=date(2024, 1, 1),
                )
            else:
                home_index = None
            children.append((child, la, home_index, la if allocated else None))

        users = []
        now = timezone.now()
        for role, org_slot, granted_homes, police_grants in spec["users"]:
            if role == Role.POLICE_LIAISON:
                org = forces[org_slot]
            elif role in (Role.CARE_WORKER, Role.HOME_MANAGER, Role.RETURN_INTERVIEWER):
                org = operators[org_slot]
            else:
                org = las[org_slot]
            user = make_user(role, organisation=org)
            staff_homes = set()
            if role in (Role.CARE_WORKER, Role.HOME_MANAGER):
                for h in granted_homes:
                    if h < len(homes) and homes[h].operator_id == org.pk:
                        home_services.home_staff_grant(actor=admin, home=homes[h], user=user)
                        staff_homes.add(h)
            live_grants = set()
            if role == Role.POLICE_LIAISON:
                for c, expired in police_grants:
                    if c < len(children):
                        grant = child_services.police_grant_create(
                            actor=admin,
                            child=children[c][0],
                            officer=user,
                            reason="Test",
                            expires_at=now + timedelta(days=1),
                        )
                        # A second grant on the same child renews the same row, so what
                        # counts is the last one given.
                        if expired:  # expired but not yet removed by the beat task
                            grant.expires_at = now - timedelta(minutes=1)
                            grant.save(update_fields=["expires_at"])
                            live_grants.discard(c)
                        else:
                            live_grants.add(c)
            users.append((user, role, org, staff_homes, live_grants))
        for index, sw in enumerate(social_workers):
            users.append((sw, Role.SOCIAL_WORKER, las[index], set(), set()))

        for user, role, org, staff_homes, live_grants in users:
            expected_children = self._oracle_children(
                role, org, staff_homes, live_grants, children, homes, user, social_workers
            )
            expected_homes = self._oracle_homes(
                role, org, staff_homes, homes, children, expected_children
            )
            listed = {c.pk for c in child_selectors.child_list(user=user)}
            assert listed == {children[i][0].pk for i in expected_children}, role
            listed_homes = {h.pk for h in home_selectors.home_list(user=user)}
            assert listed_homes == {homes[i].pk for i in expected_homes}, role
            # Search never widens the scope.
            found = {c.pk for c in child_selectors.child_list(user=user, search="Kid")}
            assert found == listed
            for i, (child, *_rest) in enumerate(children):
                if i in expected_children:
                    assert get_child_for_user(user, child.pk) == child
                else:
                    with self.assertRaises(Http404):
                        get_child_for_user(user, child.pk)
            for i, home in enumerate(homes):
                if i in expected_homes:
                    assert get_home_for_user(user, home.pk) == home
                else:
                    with self.assertRaises(Http404):
                        get_home_for_user(user, home.pk)

    @staticmethod
    def _oracle_children(role, org, staff_homes, live_grants, children, homes, user, sws):
        visible = set()
        for i, (_child, _la, home_index, sw_index) in enumerate(children):
            if role in (Role.CARE_WORKER, Role.HOME_MANAGER):
                ok = home_index is not None and home_index in staff_homes
            elif role == Role.SOCIAL_WORKER:
                ok = sw_index is not None and sws[sw_index].pk == user.pk
            elif role == Role.POLICE_LIAISON:
                ok = i in live_grants
            elif role == Role.SERVICE_MANAGER:
                ok = la_pk(children, i) == org.pk or (
                    home_index is not None and homes[home_index].operator_id == org.pk
                )
            else:
                ok = False
            if ok:
                visible.add(i)
        return visible

    @staticmethod
    def _oracle_homes(role, org, staff_homes, homes, children, visible_children):
        visible = set()
        for h, home in enumerate(homes):
            if role == Role.ADMINISTRATOR:
                ok = True
            elif role in (Role.CARE_WORKER, Role.HOME_MANAGER):
                ok = h in staff_homes
            elif role == Role.POLICE_LIAISON:
                ok = home.police_force_id == org.pk
            elif role == Role.SOCIAL_WORKER:
                ok = any(children[i][2] == h for i in visible_children)
            elif role == Role.SERVICE_MANAGER:
                ok = (
                    home.operator_id == org.pk
                    or home.host_authority_id == org.pk
                    or any(c[2] == h and c[0].placing_authority_id == org.pk for c in children)
                )
            else:
                ok = False
            if ok:
                visible.add(h)
        return visible


def la_pk(children, i):
    return children[i][0].placing_authority_id
