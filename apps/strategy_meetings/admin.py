"""Strategy meetings, invitations and CSE indicators, read-only: for
support to look up why an invitation did not arrive or which indicators an authority added.
Changes go through the web pages and the services (versioned, validated, audited).

Administrators see no child data (ARCHITECTURE.md, access model): meetings are
listed by id, authority and status, never by the child's name, reason or minutes, and
have no page of their own (their str() names the child). CSE risk assessments are not here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin import ListOnlyAdmin, ReadOnlyAdmin
from apps.strategy_meetings.models import CseIndicatorListing, MeetingAttendee, StrategyMeeting


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
