"""GOV.UK Design System rendering for Django forms, with Django's own form renderer API.

Forms inherit GovukForm / GovukModelForm. Each field renders through
templates/forms/govuk_field.html (label, hint, error message, input with GOV.UK classes), and
templates/forms/error_summary.html lists every error at the top of the page, linking to the
element the field's error belongs to (GovukBoundField.govuk_anchor).

Length errors read the GOV.UK way ("Hair must be 200 characters or fewer") unless a form sets
its own `max_length` / `min_length` message.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name
from django.forms.widgets import ChoiceWidget, Input

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
