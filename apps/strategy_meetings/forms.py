"""Forms for the multi-agency response pages. They check the shape of input;
apps.strategy_meetings.services applies the rules (in the future, a place or a link, who can
be invited, every indicator answered, an override needs a reason...)."""

from django import forms

from apps.core.forms import (
    INLINE_RADIOS_TEMPLATE,
    TIME_HINT,
    GovukDateField,
    GovukDateTimeField,
    GovukForm,
    GovukRadios,
    UserChoiceField,
    VersionedFormMixin,
    textarea,
)
from apps.strategy_meetings.models import (
    Attendance,
    Decision,
    MeetingAction,
    MeetingAttendee,
    StrategyMeeting,
)


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class InviteChoiceField(forms.ModelMultipleChoiceField):
    label_from_instance = UserChoiceField.label_from_instance


# Where and when: shared by scheduling and moving -------------------------------------------


class WhenWhereMixin(forms.Form):
    scheduled_at = GovukDateTimeField(
        label="When is the meeting?",
        help_text=f"For example, 27 3 2026 and 10:00. {TIME_HINT}",
        error_messages={"required": "Enter when the meeting is"},
    )
    duration_minutes = forms.IntegerField(
        label="How long, in minutes?",
        min_value=15,
        max_value=480,
        initial=60,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter how long the meeting is, in minutes",
            "invalid": "Enter how long the meeting is as a number of minutes, like 60",
            "min_value": "The meeting must be at least 15 minutes",
            "max_value": "The meeting must be 8 hours (480 minutes) or shorter",
        },
    )
    location = forms.CharField(
        label="Place",
        required=False,
        max_length=_max(StrategyMeeting, "location"),
        help_text="For example, Room 4, County Hall. Enter a place, a video link or both.",
    )
    video_link = forms.URLField(
        label="Video link",
        required=False,
        max_length=_max(StrategyMeeting, "video_link"),
        assume_scheme="https",
        help_text="The link to join the call, starting https://",
        error_messages={"invalid": "Enter the video link as a web address, like https://..."},
    )


class ScheduleForm(WhenWhereMixin, GovukForm):
    reason = forms.CharField(
        label="Why is the meeting needed?",
        max_length=_max(StrategyMeeting, "reason"),
        widget=textarea(4),
        help_text="Everyone who can see the meeting in Homeward reads this. The invitation "
        "email does not include it.",
        error_messages={"required": "Enter why the meeting is needed"},
    )
    invite_users = InviteChoiceField(
        label="Who else to invite from Homeward",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="You are invited as the chair. Add people from other agencies, like health or "
        "the school, on the meeting page.",
        error_messages={"invalid_choice": "Choose people from the list"},
    )
    alert = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = [
        "scheduled_at",
        "duration_minutes",
        "location",
        "video_link",
        "reason",
        "invite_users",
    ]

    def __init__(self, *args, invitable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invite_users"].queryset = invitable


class MoveForm(WhenWhereMixin, VersionedFormMixin, GovukForm):
    pass


class CancelForm(VersionedFormMixin, GovukForm):
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        max_length=_max(StrategyMeeting, "cancelled_reason"),
        widget=textarea(3),
        help_text="Everyone invited is sent a cancellation with this reason",
        error_messages={"required": "Enter why the meeting is cancelled"},
    )


# Attendees ---------------------------------------------------------------------------------


class AttendeeUserForm(GovukForm):
    user = UserChoiceField(
        label="Person",
        queryset=None,
        empty_label="Choose someone",
        error_messages={
            "required": "Choose who to invite",
            "invalid_choice": "Choose someone from the list",
        },
    )

    def __init__(self, *args, invitable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = invitable


class AttendeeExternalForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=_max(MeetingAttendee, "name"),
        error_messages={"required": "Enter the attendee's name"},
    )
    agency = forms.CharField(
        label="Agency",
        max_length=_max(MeetingAttendee, "agency"),
        help_text="For example, the school, the NHS trust or the independent reviewing officer "
        "service",
        error_messages={"required": "Enter the attendee's agency"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="The invitation is sent here",
        error_messages={
            "required": "Enter the attendee's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


# Recording the meeting ---------------------------------------------------------------------


class RecordForm(VersionedFormMixin, GovukForm):
    held_at = GovukDateTimeField(
        label="When was the meeting held?",
        help_text=TIME_HINT,
        error_messages={"required": "Enter when the meeting was held"},
    )
    minutes = forms.CharField(
        label="Minutes",
        max_length=_max(StrategyMeeting, "minutes"),
        widget=textarea(8),
        help_text="Everyone who can see the meeting reads these, including the police",
        error_messages={"required": "Enter the minutes"},
    )
    restricted_minutes = forms.CharField(
        label="Restricted minutes",
        required=False,
        max_length=_max(StrategyMeeting, "restricted_minutes"),
        widget=textarea(5),
        help_text="Only the chair's authority and invited attendees outside the police read "
        "these: for example, health information or what the child disclosed",
    )
    decisions = forms.MultipleChoiceField(
        label="Decisions",
        choices=Decision.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "required": "Choose at least one decision",
            "invalid_choice": "Choose decisions from the list",
        },
    )
    decision_notes = forms.CharField(
        label="Notes on the decisions",
        required=False,
        max_length=_max(StrategyMeeting, "decision_notes"),
        widget=textarea(3),
    )
    next_review_on = GovukDateField(
        label="Next review",
        required=False,
        help_text="When the meeting will look at this again, for example 27 4 2026",
    )

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees = list(attendees)
        for attendee in self.attendees:
            name = f"attendance_{attendee.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{attendee.name} ({attendee.agency})",
                choices=[c for c in Attendance.choices if c[0]],
                required=False,
                widget=GovukRadios(),
                template_name=INLINE_RADIOS_TEMPLATE,
            )
            self.initial.setdefault(name, attendee.attendance or None)

    def attendance_fields(self):
        return [self[f"attendance_{attendee.pk}"] for attendee in self.attendees]

    def main_fields(self):
        return [
            field
            for field in self.visible_fields()
            if not field.name.startswith("attendance_") and field.name != "next_review_on"
        ]

    def attendance(self) -> dict[int, str]:
        return {
            attendee.pk: self.cleaned_data[f"attendance_{attendee.pk}"]
            for attendee in self.attendees
            if self.cleaned_data.get(f"attendance_{attendee.pk}")
        }

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "held_at": data["held_at"],
            "minutes": data["minutes"],
            "restricted_minutes": data["restricted_minutes"],
            "decisions": data["decisions"],
            "decision_notes": data["decision_notes"],
            "next_review_on": data["next_review_on"],
            "attendance": self.attendance(),
        }


# Actions -----------------------------------------------------------------------------------


class ActionForm(GovukForm):
    description = forms.CharField(
        label="What needs to be done?",
        max_length=_max(MeetingAction, "description"),
        widget=textarea(3),
        error_messages={"required": "Enter what needs to be done"},
    )
    owner = forms.ChoiceField(
        label="Who will do it?",
        choices=(),
        help_text="Anyone invited to the meeting",
        error_messages={
            "required": "Choose who will do it",
            "invalid_choice": "Choose someone invited to the meeting",
        },
    )
    due_on = GovukDateField(
        label="Due by",
        help_text="For example, 27 4 2026",
        error_messages={"required": "Enter when the action is due"},
    )

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees = {str(attendee.pk): attendee for attendee in attendees}
        self.fields["owner"].choices = [
            ("", "Choose someone"),
            *[
                (key, f"{attendee.name} ({attendee.agency})")
                for key, attendee in self.attendees.items()
            ],
        ]

    def service_fields(self) -> dict:
        attendee = self.attendees[self.cleaned_data["owner"]]
        return {
            "description": self.cleaned_data["description"],
            "due_on": self.cleaned_data["due_on"],
            "owner_attendee": attendee,
        }


class ActionCompleteForm(VersionedFormMixin, GovukForm):
    note = forms.CharField(
        label="What was done?",
        required=False,
        max_length=_max(MeetingAction, "completion_note"),
        widget=textarea(3),
        help_text="The people at the next meeting read this",
    )
