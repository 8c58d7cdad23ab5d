"""Administrators manage homes here. Children are deliberately not in the admin: the
administrator role sees no child data (ARCHITECTURE.md, access model)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.homes.models import Home


@admin.register(Home)
class HomeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "ofsted_urn", "operator", "host_authority", "police_force", "is_active"]
    list_filter = ["is_active", "ofsted_rating", "police_force"]
    list_select_related = ["operator", "host_authority", "police_force"]
    search_fields = ["name", "ofsted_urn", "postcode"]
    readonly_fields = ["version", "created_at", "updated_at"]
    # Edits go through the web pages (versioned, validated by the service); the admin is for
    # looking things up and for emergencies.
