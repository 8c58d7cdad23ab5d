from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "apps.children"
    label = "children"
    verbose_name = "Children"
