"""Measure a maintained GOV.UK component package against Homeward's hand-written form templates.

Renders the episode report form (EpisodeReportForm: radios with hints, two date-time inputs,
text inputs, textareas, risk radios), bound with errors, N times three ways:

1. ours: each field through the Django form renderer (templates/forms/govuk_field.html etc.),
   as templates/episodes/report.html does (`field.as_field_group`);
2. govuk-frontend-django 0.22.0: each field mapped to its component (GovUKInput, GovUKRadios,
   GovUKDateInput, GovUKTextarea) and rendered (the package builds a Jinja2 environment and
   compiles the macro on every render);
3. govuk-frontend-jinja 4.0.0 alone: the same macros from one Jinja2 environment built once.

Neither package is a dependency: unpack the wheels and point KIT_PATH at them, e.g.
  pip download govuk-frontend-django==0.22.0 govuk-frontend-jinja==4.0.0 jinja2 --no-deps -d w
  then unzip each into one folder, and:
  KIT_PATH=folder HOMEWARD_ENV=test python benchmarks/govuk_components.py
Prints the milliseconds per form for each way and a sample of each markup (docs/layout.md,
"The web kit").
"""

import os
import sys
import timeit

sys.path[:0] = [p for p in os.environ.get("KIT_PATH", "").split(os.pathsep) if p]
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django import forms  # noqa: E402

from apps.episodes.forms import EpisodeReportForm  # noqa: E402

N = int(os.environ.get("N", "200"))
DATA = {
    "kind": "",
    "last_seen_at_0": "23",
    "last_seen_at_1": "11",
    "last_seen_at_2": "2026",
    "last_seen_at_3": "25:99",
    "last_seen_where": "",
    "clothing": "Grey hoodie",
    "police_reference": "NP-2026-1234",
}


def bound_form():
    form = EpisodeReportForm(DATA)
    form.is_valid()
    return form


def ours(form) -> str:
    return "".join(str(field.as_field_group()) for field in form.visible_fields())


def _common(field):
    hint = {"text": str(field.help_text)} if field.help_text else None
    error = {"text": " ".join(field.errors)} if field.errors else None
    label = str(field.label) + ("" if field.field.required else " (optional)")
    return hint, error, label


def component_data(field) -> tuple[str, dict]:
    """(macro, params) for one bound field: the mapping a project writes per widget kind."""
    hint, error, label = _common(field)
    widget = field.field.widget
    if isinstance(widget, forms.MultiWidget):
        values = field.value() if isinstance(field.value(), list) else widget.decompress(None)
        items = [
            {
                "name": part,
                "label": label_text,
                "value": value or "",
                "classes": f"govuk-input--width-{width}",
                "inputmode": "numeric",
            }
            for (part, label_text, width), value in zip(widget.parts, values, strict=False)
        ]
        fieldset = {"legend": {"text": label, "classes": "govuk-fieldset__legend--s"}}
        return "govukDateInput", {
            "id": field.auto_id,
            "namePrefix": field.html_name,
            "items": items,
            "hint": hint,
            "errorMessage": error,
            "fieldset": fieldset,
        }
    if isinstance(widget, forms.RadioSelect):
        hints = getattr(widget, "hints", {})
        items = [
            {
                "value": str(value),
                "text": str(text),
                "hint": {"text": hints[str(value)]} if hints.get(str(value)) else None,
                "checked": str(field.value()) == str(value),
            }
            for value, text in field.field.choices
        ]
        fieldset = {"legend": {"text": label, "classes": "govuk-fieldset__legend--s"}}
        return "govukRadios", {
            "idPrefix": field.auto_id,
            "name": field.html_name,
            "items": items,
            "hint": hint,
            "errorMessage": error,
            "fieldset": fieldset,
        }
    params = {
        "id": field.auto_id,
        "name": field.html_name,
        "value": field.value() or "",
        "label": {"text": label, "classes": "govuk-label--s"},
        "hint": hint,
        "errorMessage": error,
    }
    if isinstance(widget, forms.Textarea):
        return "govukTextarea", {**params, "rows": widget.attrs.get("rows", 5)}
    return "govukInput", {**params, "classes": widget.attrs.get("class")}


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def with_govuk_frontend_django(form) -> str:
    from govuk_frontend_django.components.date_input import GovUKDateInput
    from govuk_frontend_django.components.input import GovUKInput
    from govuk_frontend_django.components.radios import GovUKRadios
    from govuk_frontend_django.components.textarea import GovUKTextarea

    classes = {
        "govukDateInput": GovUKDateInput,
        "govukRadios": GovUKRadios,
        "govukTextarea": GovUKTextarea,
        "govukInput": GovUKInput,
    }
    out = []
    for field in form.visible_fields():
        macro, params = component_data(field)
        out.append(classes[macro](**_clean(params)).render())
    return "".join(out)


_ENV = None
_MACROS = {}


def with_govuk_frontend_jinja(form) -> str:
    global _ENV
    if _ENV is None:
        from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

        loader = ChoiceLoader(
            [PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
        )
        _ENV = Environment(loader=loader, autoescape=True)
        paths = {
            "govukDateInput": "date-input",
            "govukRadios": "radios",
            "govukTextarea": "textarea",
            "govukInput": "input",
        }
        for macro, path in paths.items():
            module = _ENV.get_template(f"govuk_frontend_jinja/components/{path}/macro.html").module
            _MACROS[macro] = getattr(module, macro)
    out = []
    for field in form.visible_fields():
        macro, params = component_data(field)
        out.append(str(_MACROS[macro](_clean(params))))
    return "".join(out)


def main() -> None:
    form = bound_form()
    ways = [("ours (Django templates)", ours)]
    try:
        import govuk_frontend_django  # noqa: F401

        ways += [
            ("govuk-frontend-django 0.22.0", with_govuk_frontend_django),
            ("govuk-frontend-jinja 4.0.0, one environment", with_govuk_frontend_jinja),
            (
                "  of which mapping fields to component data",
                lambda form: [component_data(field) for field in form.visible_fields()],
            ),
        ]
    except ImportError:
        print("govuk-frontend-django not on the path (KIT_PATH): measuring ours only")
    for name, render in ways:
        render(form)  # warm caches (template loading, Jinja compilation)
        # The package's own path is ~100x slower: fewer renders keep the run short.
        number = max(N // 40, 1) if render is with_govuk_frontend_django else N
        seconds = min(timeit.repeat(lambda r=render: r(form), number=number, repeat=3))
        print(f"{name:48} {seconds / number * 1000:7.2f} ms per form ({number} renders, best of 3)")
    if os.environ.get("SHOW"):
        field = form["last_seen_where"]
        single = type("One", (), {"visible_fields": lambda self: [field]})()
        for name, render in ways[:3]:
            print(f"\n--- {name}: last_seen_where with an error")
            print(render(single))


if __name__ == "__main__":
    main()
