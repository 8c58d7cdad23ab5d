"""GOV.UK Design System rendering for Django forms, with Django's own form renderer API.

Forms inherit GovukForm / GovukModelForm. Each field renders through
templates/forms/govuk_field.html (label, hint, error message, input with GOV.UK classes), and
templates/forms/error_summary.html lists every error at the top of the page, linking to the
element the field's error belongs to (GovukBoundField.govuk_anchor).

Length errors read the GOV.UK way ("Hair must be 200 characters or fewer") unless a form sets
its own `max_length` / `min_length` message.

Also the shared pieces every app's forms use: the GOV.UK date input (`GovukDateField`) and the
date with a time box (`GovukDateTimeField`), radios with a hint under each option (`radios`),
`VersionedFormMixin` (the hidden `version` an edit form of a versioned record carries),
`ShapeOnlyModelForm`, `UserChoiceField` and `textarea`.
"""

import re
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.models import model_to_dict
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name
from django.forms.widgets import ChoiceWidget, Input
from django.utils import timezone

from apps.core.clock import display_date, display_time

# Widget class -> GOV.UK class on the input element. First match wins: CheckboxSelectMultiple
# is a subclass of RadioSelect, so it comes first.
_WIDGET_CLASSES = [
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.ClearableFileInput, "govuk-file-upload"),
    (forms.FileInput, "govuk-file-upload"),
    (Input, "govuk-input"),
]


def govuk_class(widget) -> str | None:
    for widget_class, css in _WIDGET_CLASSES:
        if isinstance(widget, widget_class):
            return css
    return None


class GovukBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            # Hidden inputs are not seen, labelled or described: no GOV.UK classes.
            return attrs
        css = govuk_class(widget)
        if css:
            classes = [css]
            if self.errors and css in {"govuk-input", "govuk-textarea", "govuk-select"}:
                classes.append(f"{css}--error")
            if self.errors and css == "govuk-file-upload":
                classes.append("govuk-file-upload--error")
            # Classes set on the widget (e.g. a width) would be replaced by ours: keep them.
            existing = [attrs.get("class", ""), widget.attrs.get("class", "")]
            attrs["class"] = " ".join(c for c in [*classes, *existing] if c)
        described_by = []
        if self.help_text:
            described_by.append(f"{self.auto_id}-hint")
        if self.errors:
            described_by.append(f"{self.auto_id}-error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs

    @property
    def govuk_anchor(self) -> str:
        """The id of the element the error summary links to for this field.

        GOV.UK: a text input, textarea or select is linked to itself; radios and checkboxes to
        the first option; a date input (a MultiWidget) to its first box, the day.
        """
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        if not id_:
            return ""
        if isinstance(widget, forms.MultiWidget):
            return f"{id_}_0"
        if isinstance(widget, ChoiceWidget) and widget.add_id_index:
            # RadioSelect and CheckboxSelectMultiple: the first option's own id (<id>_0, or
            # <id>_0_0 in a group). A Select does not index its options: it is linked itself.
            options = self.subwidgets
            return (options[0].id_for_label or id_) if options else id_
        return self.id_for_label or id_

    @property
    def govuk_widget_kind(self) -> str:
        css = govuk_class(self.field.widget) or ""
        if "checkboxes" in css:
            return (
                "checkbox" if isinstance(self.field.widget, forms.CheckboxInput) else "checkboxes"
            )
        if "radios" in css:
            return "radios"
        return "input"


class GovukRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"
    bound_field_class = GovukBoundField


_renderer = GovukRenderer()


class GovukFormMixin:
    default_renderer = _renderer
    bound_field_class = GovukBoundField
    # Our templates show errors as GOV.UK messages, not Django's <ul class="errorlist">.
    error_css_class = ""
    required_css_class = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            _govuk_length_messages(field, name)

    def add_application_error(self, error) -> None:
        """Copy an ApplicationError's field messages (or its message) onto this form."""
        if error.fields:
            for name, messages in error.fields.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            self.add_error(None, error.message)


def _govuk_length_messages(field, name: str) -> None:
    """GOV.UK length messages on `field`, keeping any message the form set itself."""
    label = str(field.label or pretty_name(name)).replace("%", "%%")
    limits = (
        ("max_length", "{label} must be {limit} characters or fewer"),
        ("min_length", "{label} must be {limit} characters or more"),
    )
    for code, message in limits:
        limit = getattr(field, code, None)
        if limit is not None and code not in field.error_messages:
            field.error_messages[code] = message.format(label=label, limit=limit)


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


# Shared GOV.UK form pieces -------------------------------------------------------------------

RADIOS_TEMPLATE = "forms/govuk_radios.html"
INLINE_RADIOS_TEMPLATE = "forms/govuk_radios_inline.html"
TIME_HINT = "Use the 24-hour clock, for example 23:05 or 2305"


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class UserChoiceField(forms.ModelChoiceField):
    """A user shown as 'Sam Okafor (Social worker, Northshire County Council)'."""

    def label_from_instance(self, user):
        organisation = f", {user.organisation.name}" if user.organisation_id else ""
        return f"{user.full_name} ({user.get_role_display()}{organisation})"


class ShapeOnlyModelForm(GovukModelForm):
    """A model form that checks shape and never changes the record it was built from.

    Pass the record as `record`: its values become the initial values, but the form validates
    into a throwaway instance, because the services compare the submitted values with the
    stored record to find what changed. Uniqueness and cross-record rules are the service's
    job (it knows which record is being changed).
    """

    def __init__(self, *args, record=None, **kwargs):
        if record is not None:
            initial = model_to_dict(record, fields=list(self._meta.fields))
            if hasattr(record, "version") and "version" in self.base_fields:
                initial["version"] = record.version
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    def validate_unique(self):
        pass


class VersionedFormMixin(forms.Form):
    """The version of the record the user loaded, sent back so a stale edit is refused
    (apps.core.web.versioned_edit shows the latest values when it is)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:
            # A hidden field: say so where the error summary shows it.
            self.add_error(None, "This page is out of date. Reload it and make your changes again.")
        return cleaned

    def latest_values(self, instance) -> list[tuple[str, str]]:
        """The saved value of each visible field of `instance`, for "the latest version".

        Times read to the minute in UK time ('23 Nov 2026, 2:05am'), dates as '23 November 2026'.
        """
        rows = []
        for name, field in self.fields.items():
            if name == "version" or not hasattr(instance, name):
                continue
            display = getattr(instance, f"get_{name}_display", None)
            value = display() if display else getattr(instance, name)
            if isinstance(value, bool):
                value = "Yes" if value else "No"
            elif isinstance(value, datetime):
                value = display_time(value)
            elif isinstance(value, date):
                value = display_date(value)
            rows.append((str(field.label), str(value) if value not in (None, "") else "None"))
        return rows


# Dates and times -----------------------------------------------------------------------------


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes inside a fieldset.

    Renders through templates/forms/govuk_date_input.html; the field's template
    (templates/forms/govuk_date_field.html) supplies the fieldset, legend, hint and error.
    The boxes' ids are <id>_0 (day), <id>_1 (month), <id>_2 (year): the error summary links
    to the day (GovukBoundField.govuk_anchor).
    """

    template_name = "forms/govuk_date_input.html"
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(attrs={"inputmode": "numeric"}) for name, _, _ in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        has_error = context["widget"]["attrs"].get("aria-invalid") == "true"
        for subwidget, (_, label, width) in zip(
            context["widget"]["subwidgets"], self.parts, strict=True
        ):
            subwidget["label"] = label
            subwidget["attrs"].pop("aria-describedby", None)  # the fieldset carries these
            classes = ["govuk-input", "govuk-date-input__input", f"govuk-input--width-{width}"]
            if has_error:
                classes.append("govuk-input--error")
            subwidget["attrs"]["class"] = " ".join(classes)
        return context


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK error messages.

    Messages name the field by its label: "Date of birth must include a month",
    "Date of birth must be a real date". Set error_messages["required"] for the empty case.
    """

    widget = GovukDateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("template_name", "forms/govuk_date_field.html")
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, date) or value is None:
            return value
        if not isinstance(value, (list, tuple)):
            raise ValidationError(f"{self.label} must be a real date", code="invalid")
        parts = [str(part or "").strip() for part in [*value, "", "", ""][:3]]
        if not any(parts):
            return None
        names = [name for name, _, _ in GovukDateInput.parts]
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                f"{self.label} must include a {' and '.join(missing)}", code="incomplete"
            )
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError("a year has four digits")
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{self.label} must be a real date", code="invalid") from None


# A time is entered as the GOV.UK date input with a fourth box for the time (GovukDateTimeField):
# on a phone at 2 a.m. the boxes come filled in with now, so the usual report changes nothing or
# only the time, typed on the number pad ("2305" or "23:05"). A native datetime-local picker was
# not used: GOV.UK advises against native date pickers (they vary by browser and some are hard to
# use with assistive technology), and it cannot show a GOV.UK error on the part that is wrong.


class GovukDateTimeInput(GovukDateInput):
    """The GOV.UK date input with a fourth box for the time (hh:mm), in UK time.

    Boxes: <name>_day, <name>_month, <name>_year, <name>_time.
    """

    parts = (*GovukDateInput.parts, ("time", "Time", 5))

    def decompress(self, value):
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [str(local.day), str(local.month), str(local.year), f"{local:%H:%M}"]
        return [None, None, None, None]


_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:\s*[:.h ]?\s*(?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?$"
)


def parse_clock(text: str) -> time | None:
    """'23:05', '23.05', '2305', '9:05', '11pm', '11:05 p.m.', 'noon', 'midnight'; else None."""
    text = text.strip().lower()
    if text in {"noon", "midday"}:
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _CLOCK.match(text)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class GovukDateTimeField(GovukDateField):
    """A moment typed as day, month, year and time, read as UK time; an aware datetime.

    Messages name the field by its label: "When last seen must include a time", "... must be a
    real time". Whether it may be in the future is the service's rule.
    """

    widget = GovukDateTimeInput

    def to_python(self, value):
        if isinstance(value, datetime) or value is None:
            return value
        if not isinstance(value, (list, tuple)):
            raise ValidationError(f"{self.label} must be a real date", code="invalid")
        parts = [str(part or "").strip() for part in [*value, "", "", "", ""][:4]]
        if not any(parts):
            return None
        if not any(parts[:3]):
            raise ValidationError(f"{self.label} must include a date", code="incomplete")
        day = super().to_python(parts[:3])
        if not parts[3]:
            raise ValidationError(f"{self.label} must include a time", code="incomplete")
        clock = parse_clock(parts[3])
        if clock is None:
            raise ValidationError(
                f"{self.label} must be a real time, like 23:05", code="invalid_time"
            )
        return timezone.make_aware(datetime.combine(day, clock))


def now_to_the_minute() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class KeepStoredTimesMixin:
    """A time shown to the minute and sent back unchanged keeps its stored seconds, so saving
    a form does not count as changing every time on it."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            stored, value = self.initial.get(name), cleaned.get(name)
            if not (isinstance(field, GovukDateTimeField) and stored and value):
                continue
            if value == stored.replace(second=0, microsecond=0):
                cleaned[name] = stored
        return cleaned


# Radios with a hint under each option ---------------------------------------------------------


class GovukRadios(forms.RadioSelect):
    """Radios with an optional hint under each option (GOV.UK "radio items with hints").

    Rendered by templates/forms/govuk_radios.html, which reads option["hint"]. Each input
    is described by its own hint; the fieldset carries the question's hint and error.
    """

    def __init__(self, attrs=None, choices=(), hints=None):
        super().__init__(attrs, choices)
        self.hints = dict(hints or {})

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["hint"] = self.hints.get(str(value), "")
        option["attrs"].pop("aria-describedby", None)
        if option["hint"]:
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}-item-hint"
        return option


def radios(label, choices, *, hints=None, required=True, error=None, **kwargs):
    extra = {"error_messages": {"required": error}} if error else {}
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=GovukRadios(hints=hints),
        template_name=RADIOS_TEMPLATE,
        **extra,
        **kwargs,
    )
