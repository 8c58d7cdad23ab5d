"""The project's URLs plus two yardsticks for the episode API's throughput, served by the same
gunicorn through the same middleware:

- /bench/bare/: a Django view that does nothing (the issue's "bare Django view");
- /bench/bare-write/: the least a logging API can do: find the caller by API token and insert
  one row (an access-log row) in a transaction, answering 201.
"""

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from apps.accounts import services as account_services
from apps.children.models import AccessLog, AccessLogKind
from config.urls import urlpatterns as project_urlpatterns

CREATED = b'{"ok": true}'


@csrf_exempt
def bare(request):
    return HttpResponse(CREATED, status=201, content_type="application/json")


@csrf_exempt
def bare_write(request):
    key = request.headers.get("Authorization", "").removeprefix("Token ")
    token = account_services.api_token_use(key=key)
    if token is None:
        return HttpResponse(status=401)
    with transaction.atomic():
        AccessLog.objects.create(
            user=token.user, child=None, kind=AccessLogKind.API, viewed_at=timezone.now()
        )
    return HttpResponse(CREATED, status=201, content_type="application/json")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bare-write/", bare_write, name="bench_bare_write"),
    *project_urlpatterns,
]

handler404 = "apps.site.views.not_found"
handler500 = "apps.site.views.server_error"
handler403 = "apps.site.views.permission_denied"
