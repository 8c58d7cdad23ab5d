import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, the URL configuration and the views it imports)
# lives as long as the process. Moved out of the garbage collector's generations, a full
# collection during a request scans only what requests made: it halved the slowest requests
# of the episodes API at national scale (docs/performance.md).
get_resolver().url_patterns  # noqa: B018 (imports every view now, not on the first request)
gc.collect()
gc.freeze()
