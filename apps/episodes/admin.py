"""Regulation 40 decisions, read-only: for support to look up whether a home has recorded its
decision. Changes go through the web pages and the services (versioned, validated, audited).

Administrators see no child data (ARCHITECTURE.md, access model): decisions are listed by id,
home and status, never by the child's name or the reason, and have no page of their own (their
str() names the child).
"""

from django.contrib import admin

from apps.core.admin import ListOnlyAdmin
from apps.episodes.models import Regulation40Decision


@admin.register(Regulation40Decision)
class Regulation40DecisionAdmin(ListOnlyAdmin):
    list_display = ["pk", "home", "status", "created_at", "decided_at", "ofsted_reference"]
    list_filter = ["status"]
    list_select_related = ["home"]
