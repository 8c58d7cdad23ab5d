from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from apps.accounts.models import Role

START_TEMPLATES = {
    "care_worker": "site/start/care_worker.html",
    "home_manager": "site/start/home_manager.html",
    "social_worker": "site/start/social_worker.html",
    "return_interviewer": "site/start/return_interviewer.html",
    "police_liaison": "site/start/police_liaison.html",
    "service_manager": "site/start/service_manager.html",
    "administrator": "site/start/administrator.html",
}


@login_required
def start(request):
    """Each role lands on its own start page."""
    template = START_TEMPLATES.get(request.user.role, "site/start/administrator.html")
    context = {"today": timezone.localdate()}
    if request.user.role == Role.HOME_MANAGER:
        # Regulation 40 decisions waiting for them (apps.strategy_meetings).
        from apps.strategy_meetings.selectors import reg40_list

        context["reg40_pending"] = list(reg40_list(request.user)[:10])
    return render(request, template, context)


def accessibility(request):
    return render(request, "site/accessibility.html")


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    # Forbidden looks like missing, so existence does not leak.
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
