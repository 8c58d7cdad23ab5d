"""Homes pages. Each view: parse input, check access (forbidden looks like missing), call one
service or selector, render. Every successful POST redirects with a success message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.core.errors import ApplicationError
from apps.core.pagination import paginate
from apps.core.panels import page_panels
from apps.core.web import versioned_edit
from apps.homes import access, selectors, services
from apps.homes.forms import HomeEditForm, HomeForm, StaffGrantForm

# The homes list is paginated: an administrator sees every home in the country.
HOMES_PER_PAGE = 50


def _require(allowed: bool) -> None:
    """Forbidden looks like missing."""
    if not allowed:
        raise Http404("Not found")


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
def home_list(request):
    search = request.GET.get("q", "").strip()[:100]
    page, page_range = paginate(
        request, selectors.home_list(user=request.user, search=search), HOMES_PER_PAGE
    )
    return render(
        request,
        "homes/list.html",
        {
            "homes": list(page),
            "page": page,
            "page_range": page_range,
            "search": search,
            "can_create": access.can_create_homes(request.user),
            # Police and administrators see homes, not what is inside them.
            "show_children_now": request.user.role not in (Role.POLICE_LIAISON, Role.ADMINISTRATOR),
        },
    )


@login_required
def home_detail(request, pk):
    home = access.get_home_for_user(request.user, pk)
    permissions = access.home_permissions(request.user, home)
    return render(
        request,
        "homes/detail.html",
        {
            "home": home,
            "permissions": permissions,
            "panels": page_panels("homes:detail", request, home=home, permissions=permissions),
            "staff": selectors.home_staff(home=home),
        },
    )


@login_required
def home_create(request):
    _require(access.can_create_homes(request.user))
    organisation = request.user.organisation
    initial = {"operator": organisation.pk} if organisation else {}
    form = HomeForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            home = services.home_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"{home.name} has been added.")
            return redirect("homes:detail", pk=home.pk)
    return render(request, "homes/form.html", {"form": form, "home": None})


@login_required
def home_edit(request, pk):
    home = access.get_home_for_user(request.user, pk)
    _require(access.can_edit_home(request.user, home))
    form, latest, home, saved = versioned_edit(
        request,
        record=home,
        build=lambda data, record: HomeEditForm(data, record=record),
        save=lambda form: services.home_update(
            actor=request.user,
            home=home,
            expected_version=form.cleaned_data["version"],
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        refetch=lambda: access.get_home_for_user(request.user, pk),  # as saved, not as typed
    )
    if saved:
        messages.success(request, f"{home.name} has been updated.")
        return redirect("homes:detail", pk=home.pk)
    return render(request, "homes/form.html", {"form": form, "home": home, "latest": latest})


@login_required
def home_staff(request, pk):
    home = access.get_home_for_user(request.user, pk)
    _require(access.can_manage_staff(request.user, home))
    form = StaffGrantForm(_data(request), candidates=selectors.home_staff_candidates(home=home))
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["user"]
        try:
            services.home_staff_grant(
                actor=request.user, home=home, user=user, manager=form.cleaned_data["manager"]
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"{user.full_name} can now work in {home.name}.")
            return redirect("homes:staff", pk=home.pk)
    return render(
        request,
        "homes/staff.html",
        {"home": home, "form": form, "staff": selectors.home_staff(home=home)},
    )


@login_required
@require_POST
def home_staff_remove(request, pk, user_pk):
    home = access.get_home_for_user(request.user, pk)
    _require(access.can_manage_staff(request.user, home))
    user = access.get_staff_member_for_home(home, user_pk)
    services.home_staff_revoke(actor=request.user, home=home, user=user)
    messages.success(request, f"{user.full_name} no longer has access to {home.name}.")
    return redirect("homes:staff", pk=home.pk)
