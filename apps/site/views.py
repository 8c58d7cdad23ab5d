from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone

from apps.core.api import error_body, is_api_request
from apps.site.selectors import start_page

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
    now = timezone.now()
    context = {"today": timezone.localdate(), "now": now, **start_page(request.user, now=now)}
    return render(request, template, context)


def accessibility(request):
    return render(request, "site/accessibility.html")


def bad_request(request, exception=None):
    """handler400: a request Django could not read (SuspiciousOperation, a bad multipart body,
    text that is not valid UTF-8: MalformedTextError names the fields), or one too large to
    read (RequestDataTooBig: 413). Rendered without the request: it may be what is broken."""
    too_large = isinstance(exception, RequestDataTooBig)
    status = 413 if too_large else 400
    fields = getattr(exception, "fields", {})
    if is_api_request(request):
        message = (
            "The request is too large. Send less at a time."
            if too_large
            else str(exception)
            if fields
            else "The request could not be read."
        )
        return JsonResponse(error_body(message, fields), status=status)
    title = (
        "Your request was too large" if too_large else "Sorry, there is a problem with your request"
    )
    context = {"title": title, "too_large": too_large, "fields": fields}
    return HttpResponse(loader.render_to_string("errors/400.html", context), status=status)


def not_found(request, exception=None):
    if is_api_request(request):
        return JsonResponse(error_body("Not found."), status=404)
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    # Forbidden looks like missing, so existence does not leak.
    return not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return JsonResponse(error_body("Sorry, there is a problem with Homeward."), status=500)
    return render(request, "errors/500.html", status=500)
