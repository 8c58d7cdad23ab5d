"""Strategy meetings, invitations, CSE indicators and Regulation 40 decisions, read-only: for
support to look up why an invitation did not arrive or which indicators an authority added.
Changes go through the web pages and the services (versioned, validated, audited).

Administrators see no child data (ARCHITECTURE.md, access model): meetings and decisions are
listed by id, authority or home and status, never by the child's name, reason or minutes, and
have no page of their own (their str() names the child). CSE risk assessments are not here.
"""

from django.contrib import admin
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from apps.episodes.models import Regulation40Decision
from apps.strategy_meetings.models import CseIndicatorListing, MeetingAttendee, StrategyMeeting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ListOnlyAdmin(ReadOnlyAdmin):
    """A list only: the object's own page would be titled with its str(), naming the child."""

    list_display_links = None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        raise Http404("Looked up from the list")

    def history_view(self, request, object_id, extra_context=None):
        raise Http404("Looked up from the list")


@admin.register(StrategyMeeting)
class StrategyMeetingAdmin(ListOnlyAdmin):
    list_display = ["pk", "authority", "scheduled_at", "status", "sequence", "uid"]
    list_filter = ["status", "authority"]
    list_select_related = ["authority"]
    date_hierarchy = "scheduled_at"


@admin.register(MeetingAttendee)
class MeetingAttendeeAdmin(ListOnlyAdmin):
    """Whether each person's calendar invitation has caught up with the meeting's revision."""

    list_display = ["pk", "meeting_id", "name", "agency", "email", "sent_sequence"]
    search_fields = ["email", "name"]


@admin.register(CseIndicatorListing)
class CseIndicatorAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["text", "domain", "weight", "authority", "active"]
    list_filter = ["domain", "active", "authority"]
    list_select_related = ["authority"]
    search_fields = ["text"]


@admin.register(Regulation40Decision)
class Regulation40DecisionAdmin(ListOnlyAdmin):
    list_display = ["pk", "home", "status", "created_at", "decided_at", "ofsted_reference"]
    list_filter = ["status"]
    list_select_related = ["home"]
