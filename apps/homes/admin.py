"""Administrators manage homes here. Children are deliberately not in the admin: the
administrator role sees no child data (ARCHITECTURE.md, access model)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin import ServiceAdmin
from apps.homes import services
from apps.homes.models import Home


@admin.register(Home)
class HomeAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["name", "ofsted_urn", "operator", "host_authority", "police_force", "is_active"]
    list_filter = ["is_active", "ofsted_rating", "police_force"]
    list_select_related = ["operator", "host_authority", "police_force"]
    search_fields = ["name", "ofsted_urn", "postcode"]
    readonly_fields = ["version", "created_at", "updated_at"]
    # Edits go through the web pages (versioned, validated by the service); the admin is for
    # looking things up and for emergencies.

    def create(self, request, obj, form):
        return services.home_create(actor=request.user, **form.cleaned_data)

    def update(self, request, obj, form):
        stored = Home.objects.get(pk=obj.pk)  # `obj` already carries the form's values
        return services.home_update(
            actor=request.user, home=stored, expected_version=stored.version, **self.changed(form)
        )
