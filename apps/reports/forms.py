"""The dashboard's filters, read from the query string (a GET form), so a view can be shared by
its URL. The web page and the API read them with the same form."""

from datetime import date, timedelta

from django import forms

from apps.core.forms import GovukForm
from apps.reports.selectors import (
    AGE_BANDS,
    CATEGORIES,
    Filters,
    collection_year_of,
    filter_choices,
    shift_years,
)
from apps.reports.tables import DASHBOARD_TABLES, SSDA903_TABLES, Table, build

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# Longest period a dashboard covers: its comparison reads a year more, the chart a bar a month.
MAX_DAYS = 3 * 366

PERIODS = [
    ("12m", "Last 12 months"),
    ("24m", "Last 24 months"),
    ("quarter", "Last quarter"),
    ("year", "This collection year (from 1 April)"),
    ("custom", "Dates I choose"),
]


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def period_dates(period: str, today: date) -> tuple[date, date]:
    """The first and last day (UK dates) of a named period that ends today or before."""
    if period == "24m":
        return _month_start(today, 23), today
    if period == "quarter":
        # The last whole calendar quarter: on 23 Nov 2026, 1 Jul to 30 Sep 2026.
        this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        start = _month_start(this_quarter, 3)
        return start, this_quarter - timedelta(days=1)
    if period == "year":
        return collection_year_of(today)[0], today
    return _month_start(today, 11), today


class DashboardFilterForm(GovukForm):
    period = forms.ChoiceField(label="Period", choices=PERIODS, required=False)
    date_from = forms.DateField(
        label="From",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="Only when the period is dates you choose",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    home = forms.TypedChoiceField(label="Home", coerce=int, required=False, empty_value=None)
    authority = forms.TypedChoiceField(
        label="Placing authority", coerce=int, required=False, empty_value=None
    )
    category = forms.ChoiceField(
        label="Category", choices=[("", "All episodes"), *CATEGORIES], required=False
    )
    age_band = forms.ChoiceField(
        label="Age at the start of the episode",
        choices=[("", "All ages"), *AGE_BANDS],
        required=False,
    )

    def __init__(self, data, *, user, today: date, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        homes, authorities = filter_choices(user)
        self.fields["home"].choices = [("", "All homes"), *homes]
        self.fields["authority"].choices = [("", "All placing authorities"), *authorities]
        self.fields["period"].error_messages["invalid_choice"] = "Choose a period from the list"
        self.fields["home"].error_messages["invalid_choice"] = "Choose a home from the list"
        self.fields["authority"].error_messages["invalid_choice"] = (
            "Choose a placing authority from the list"
        )
        self.fields["category"].error_messages["invalid_choice"] = "Choose a category from the list"
        self.fields["age_band"].error_messages["invalid_choice"] = (
            "Choose an age band from the list"
        )
        self.fields["date_from"].error_messages["invalid"] = "Enter a real date in From"
        self.fields["date_to"].error_messages["invalid"] = "Enter a real date in To"

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period") or ""
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if self.errors:
            return cleaned
        if period == "custom" or (not period and (start or end)):
            if start is None:
                self.add_error("date_from", "Enter the first day of the period")
            if end is None:
                self.add_error("date_to", "Enter the last day of the period")
            if start is None or end is None:
                return cleaned
            if end < start:
                self.add_error("date_to", "The last day must be the same as or after the first")
            elif end > self.today:
                self.add_error("date_to", "The last day must be today or in the past")
            elif (end - start).days > MAX_DAYS:
                self.add_error("date_to", "Choose a period of 3 years or less")
            cleaned["period"] = "custom"
        else:
            cleaned["period"] = period or "12m"
            cleaned["date_from"], cleaned["date_to"] = period_dates(cleaned["period"], self.today)
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            start=data["date_from"],
            end=data["date_to"],
            home_id=data.get("home"),
            authority_id=data.get("authority"),
            category=data.get("category") or "",
            age_band=data.get("age_band") or "",
        )

    def query_string(self) -> str:
        """The filters as the URL holds them, for export links and the shared view."""
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        data = self.cleaned_data
        query["period"] = data["period"]
        if data["period"] == "custom":
            query["date_from"] = data["date_from"].isoformat()
            query["date_to"] = data["date_to"].isoformat()
        for name in ("home", "authority", "category", "age_band"):
            if data.get(name):
                query[name] = str(data[name])
        return query.urlencode()


class Ssda903Form(GovukForm):
    """The collection year of the SSDA903 Missing table: "2025" is 1 April 2025 to 31 March
    2026. Years from 2000 up to the current one."""

    year = forms.TypedChoiceField(label="Collection year", coerce=int, required=False)

    def __init__(self, data, *, today: date, **kwargs):
        super().__init__(data, **kwargs)
        current = collection_year_of(today)[0].year
        self.current = current
        self.fields["year"].choices = [
            (year, f"1 April {year} to 31 March {year + 1}")
            for year in range(current, max(current - 5, 1999), -1)
        ]
        self.fields["year"].error_messages["invalid_choice"] = (
            "Choose a collection year from the list"
        )

    def clean_year(self):
        return self.cleaned_data.get("year") or self.current


__all__ = ["DashboardFilterForm", "Ssda903Form", "period_dates", "shift_years"]


# Reading a table's filters from a query string (the export API, pages and the worker) --------


def _form_error(form):
    from apps.core.errors import ApplicationError

    fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    first = next(iter(fields.values()))[0]
    return ApplicationError(first, fields=fields)


def dashboard_form(user, params, today):
    return DashboardFilterForm(params, user=user, today=today)


def parse_dashboard(user, params, *, today):
    """The dashboard filters from `params` (a query string's dict), or ApplicationError."""
    form = dashboard_form(user, params, today)
    if not form.is_valid():
        raise _form_error(form)
    return form.filters()


def parse_year(params, *, today) -> int:
    form = Ssda903Form(params, today=today)
    if not form.is_valid():
        raise _form_error(form)
    return form.cleaned_data["year"]


def parse(user, slug: str, params: dict, *, today):
    """Check the user may export `slug` and read its filters: the dashboard's Filters, or the
    SSDA903 collection year. Http404 when not allowed or no such table, ApplicationError for
    bad filters."""
    from django.http import Http404

    from apps.reports import access

    if slug in DASHBOARD_TABLES:
        if not access.can_see_dashboard(user):
            raise Http404("Not found")
        return parse_dashboard(user, params, today=today)
    if slug in SSDA903_TABLES:
        if not access.can_export_ssda903(user):
            raise Http404("Not found")
        return parse_year(params, today=today)
    raise Http404("No such table")


def table_for(user, slug: str, params: dict, *, now=None) -> Table:
    """The table named `slug` for `user` with the filters in `params` (the export worker)."""
    from django.utils import timezone

    now = now or timezone.now()
    return build(user, slug, parse(user, slug, params, today=timezone.localdate(now)), now=now)
