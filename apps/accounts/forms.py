from django import forms
from django.contrib.auth import forms as auth_forms

from apps.accounts.models import Organisation, Role
from apps.core.forms import GovukDateField, GovukForm, GovukFormMixin, VersionedFormMixin


class SignInForm(GovukForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={"required": "Enter your email address"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class TokenForm(GovukForm):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app.",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={
            "required": "Enter the 6-digit security code",
            "min_length": "Enter the 6-digit security code",
            "max_length": "Enter the 6-digit security code",
        },
    )


class PasswordChangeForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    pass


class InviteForm(GovukForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter their email address"},
    )
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    role = forms.ChoiceField(
        label="Role", choices=Role.choices, error_messages={"required": "Choose their role"}
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="None (platform administrator)",
    )
    homes = forms.MultipleChoiceField(
        label="Homes",
        help_text="Care workers and home managers work in the homes you choose.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, home_choices=(), home_manager=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["homes"].choices = list(home_choices)
        if not home_choices:
            del self.fields["homes"]
        if home_manager:
            # A home manager invites care workers of their organisation to their homes.
            del self.fields["role"]
            del self.fields["organisation"]
            if "homes" in self.fields:
                self.fields["homes"].required = True
                self.fields["homes"].error_messages["required"] = "Choose at least one home"


class UserEditForm(VersionedFormMixin, GovukForm):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="None (platform administrator)",
    )

    def __init__(self, *args, person, **kwargs):
        initial = {"role": person.role, "organisation": person.organisation}
        kwargs["initial"] = {**initial, "version": person.version, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    def latest_values(self, instance) -> list[tuple[str, str]]:
        org = instance.organisation.name if instance.organisation_id else "None"
        return [("Role", instance.get_role_display()), ("Organisation", org)]


class UserHomesForm(GovukForm):
    """The homes a care worker or home manager works in, among those the editor may give.
    `shown` carries the homes the page showed as theirs, so a change made meanwhile by
    someone else is refused rather than overwritten."""

    homes = forms.MultipleChoiceField(
        label="Homes",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every home they work in. They see its children and episodes.",
    )
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, choices, current: list[int], **kwargs):
        kwargs["initial"] = {
            "homes": [str(pk) for pk in current],
            "shown": ",".join(str(pk) for pk in current),
            **kwargs.get("initial", {}),
        }
        super().__init__(*args, **kwargs)
        self.fields["homes"].choices = [(str(pk), name) for pk, name in choices]

    def clean_shown(self):
        value = self.cleaned_data["shown"]
        try:
            return {int(pk) for pk in value.split(",") if pk}
        except ValueError:
            raise forms.ValidationError(
                "This page is out of date. Reload it and make your changes again."
            ) from None


class ApiTokenForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, for example ‘Police force CAD link’.",
        error_messages={"required": "Enter a name for the token"},
    )
    expires_on = GovukDateField(
        label="Expires on",
        help_text="For example, 27 3 2027",
        error_messages={"required": "Enter the date the token expires"},
    )
