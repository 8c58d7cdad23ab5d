from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top app: start pages, navigation, header context, error pages and the demo loader.
    It may import every other app; no app imports it."""

    name = "apps.site"
    label = "site"
    verbose_name = "Site"
