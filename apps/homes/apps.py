from django.apps import AppConfig


class HomesConfig(AppConfig):
    name = "apps.homes"
    label = "homes"
    verbose_name = "Homes"
