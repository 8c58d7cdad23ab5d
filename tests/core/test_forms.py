"""GOV.UK form rendering (apps.core.forms): length messages, error summary links, widget classes.

No database: the forms here are built in the test, rendered with the project's templates and
read back with the standard library's HTML parser.
"""

from html.parser import HTMLParser

from django import forms
from django.template.loader import render_to_string

from apps.core.forms import GovukDateField, GovukForm


class Page(HTMLParser):
    """Every element id, every error-summary link and every input in some HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.summary_links: list[str] = []
        self.inputs: dict[str, dict] = {}
        self._in_summary = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "govuk-error-summary" in (attrs.get("class") or "").split():
            self._in_summary += 1
        if tag == "a" and self._in_summary:
            self.summary_links.append(attrs["href"])
        if tag == "input" and "name" in attrs:
            self.inputs.setdefault(attrs["name"], attrs)


def rendered(form) -> Page:
    """The form as a page shows it: the error summary, then the fields."""
    return Page(render_to_string("forms/error_summary.html", {"form": form}) + form.render())


# Length messages -----------------------------------------------------------------------------


class LengthForm(GovukForm):
    hair = forms.CharField(label="Hair", max_length=5, required=False)
    code = forms.CharField(label="Code", min_length=3, max_length=4, required=False)
    nickname = forms.CharField(max_length=3, required=False)  # no label: from the name
    own = forms.CharField(
        label="Own",
        max_length=2,
        min_length=2,
        required=False,
        error_messages={"max_length": "Enter 2 letters", "min_length": "Enter 2 letters"},
    )


def test_a_too_long_value_is_named_by_its_label_in_govuk_words():
    form = LengthForm({"hair": "Long brown", "code": "abcdef", "nickname": "Jayjay"})
    assert not form.is_valid()
    assert form.errors["hair"] == ["Hair must be 5 characters or fewer"]
    assert form.errors["code"] == ["Code must be 4 characters or fewer"]
    assert form.errors["nickname"] == ["Nickname must be 3 characters or fewer"]


def test_a_too_short_value_is_named_by_its_label_in_govuk_words():
    form = LengthForm({"code": "ab"})
    assert not form.is_valid()
    assert form.errors["code"] == ["Code must be 3 characters or more"]


def test_a_message_the_form_sets_itself_is_kept():
    assert LengthForm({"own": "abc"}).errors["own"] == ["Enter 2 letters"]
    assert LengthForm({"own": "a"}).errors["own"] == ["Enter 2 letters"]


def test_model_form_fields_get_the_message_too():
    from apps.children.forms import AssociateForm

    field = AssociateForm().fields["name"]
    assert (
        field.error_messages["max_length"] == f"Name must be {field.max_length} characters or fewer"
    )


def test_one_forms_messages_do_not_leak_into_another():
    class Relabelled(LengthForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["hair"].label = "Hair colour"

    Relabelled()
    assert LengthForm({"hair": "Long brown"}).errors["hair"] == [
        "Hair must be 5 characters or fewer"
    ]


# Error summary links -------------------------------------------------------------------------


class EveryKindForm(GovukForm):
    name = forms.CharField(label="Name")
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    colour = forms.ChoiceField(label="Colour", choices=[("r", "Red"), ("b", "Blue")])
    sex = forms.ChoiceField(
        label="Sex", choices=[("1", "Male"), ("2", "Female")], widget=forms.RadioSelect
    )
    needs = forms.MultipleChoiceField(
        label="Needs",
        choices=[("m", "Medical"), ("d", "Diet")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label="I agree")
    born = GovukDateField(label="Date of birth")


def test_every_error_summary_link_lands_on_an_element_of_the_page():
    form = EveryKindForm({"born_day": "1"})
    assert not form.is_valid()
    assert set(form.errors) == {"name", "notes", "colour", "sex", "needs", "agree", "born"}

    page = rendered(form)

    assert len(page.summary_links) == 7
    missing = [href for href in page.summary_links if href.removeprefix("#") not in page.ids]
    assert not missing, f"error summary links to nothing: {missing}"


def test_radios_and_checkboxes_link_to_the_first_option_and_a_date_to_the_day():
    form = EveryKindForm({"born_day": "1"})
    anchors = {name: form[name].govuk_anchor for name in form.fields}
    assert anchors == {
        "name": "id_name",
        "notes": "id_notes",
        "colour": "id_colour",
        "sex": "id_sex_0",
        "needs": "id_needs_0",
        "agree": "id_agree",
        "born": "id_born_0",
    }
    page = rendered(form)
    # The day box is the first of the date input's three boxes.
    assert page.inputs["born_day"]["id"] == "id_born_0"
    assert page.inputs["sex"]["id"] == "id_sex_0"


def test_multiple_choice_checkboxes_render_as_checkboxes_not_radios():
    # Django's CheckboxSelectMultiple is a subclass of RadioSelect.
    form = EveryKindForm()
    assert form["needs"].govuk_widget_kind == "checkboxes"
    assert form["sex"].govuk_widget_kind == "radios"
    html = str(form["needs"].as_field_group())
    assert 'class="govuk-checkboxes govuk-checkboxes--small"' in html
    assert 'class="govuk-checkboxes__input"' in html
    assert "govuk-radios" not in html


def test_grouped_radios_link_to_the_first_option_of_the_first_group():
    class GroupedForm(GovukForm):
        home = forms.ChoiceField(
            label="Home",
            choices=[("North", [("1", "Home 1"), ("2", "Home 2")]), ("South", [("3", "Home 3")])],
            widget=forms.RadioSelect,
        )

    form = GroupedForm({})
    page = rendered(form)
    assert page.summary_links == [f"#{form['home'].govuk_anchor}"]
    assert form["home"].govuk_anchor in page.ids


# Hidden inputs -------------------------------------------------------------------------------


class HiddenForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label="Name")


def test_hidden_inputs_get_no_govuk_classes():
    page = rendered(HiddenForm({"version": "0", "name": "Ann"}))
    hidden = page.inputs["version"]
    assert hidden["type"] == "hidden"
    assert "class" not in hidden
    assert "aria-describedby" not in hidden
    assert page.inputs["name"]["class"] == "govuk-input"


def test_visible_inputs_keep_their_govuk_classes_and_error_state():
    page = rendered(HiddenForm({"version": "1", "name": ""}))
    assert page.inputs["name"]["class"] == "govuk-input govuk-input--error"
    assert page.inputs["name"]["aria-describedby"] == "id_name-error"
