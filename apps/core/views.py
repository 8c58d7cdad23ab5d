from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core import selectors


@never_cache
@require_GET
def healthz(request):
    """For load balancers and compose: 200 when the database and the broker answer."""
    database = selectors.database_is_up()
    broker = selectors.broker_is_up()
    beat = selectors.heartbeat_last_seen("beat") if database else None
    body = {
        "database": "ok" if database else "down",
        "broker": "ok" if broker else "down",
        "beat_last_seen": beat.isoformat() if beat else None,
    }
    return JsonResponse(body, status=200 if database and broker else 503)
