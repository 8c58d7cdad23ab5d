"""manage.py import_records: one CSV of homes, children and placements, all or nothing."""

import csv
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.accounts.models import OrganisationKind, Role
from apps.children.models import Child, ChildUserObjectPermission, PhilomenaProfile, Placement
from apps.homes.models import Home
from tests.factories import OrganisationFactory, make_user

pytestmark = pytest.mark.django_db

HEADER = (
    "record_type,ofsted_urn,name,operator_code,host_authority_code,police_force_code,"
    "address_line_1,address_line_2,town,postcode,capacity,ofsted_rating,"
    "child_id,first_name,last_name,preferred_name,date_of_birth,sex,ethnicity,"
    "placing_authority_code,social_worker_email,start_date,end_date"
)


def home_row(urn, name, host="IMA", postcode="NX1 4EG", capacity="4", rating="Good"):
    return (
        f"home,{urn},{name},IMA,{host},IMF,1 High Street,,Northby,{postcode},{capacity},{rating}"
        + "," * 11
    )


def child_row(child_id, first, last, dob="17/05/2011", sex="F", worker="sw@import.example"):
    return "child" + "," * 12 + f"{child_id},{first},{last},,{dob},{sex},WBRI,IMA,{worker},,"


def placement_row(child_id, urn, start, end=""):
    return f"placement,{urn}" + "," * 11 + f"{child_id},,,,,,,IMA,,{start},{end}"


GOOD_ROWS = [
    home_row("SC900001", "Elm House"),
    home_row(
        "sc900002", "Harbour View", host="IMB", postcode="ex12ab", rating="requires_improvement"
    ),
    child_row("A1", "Robin", "Hart"),
    child_row("A2", "Alex", "Stone", dob="2010-02-03", sex="1"),
    child_row("A3", "Sam", "Reed", sex="M", worker=""),
    placement_row("A1", "SC900001", "01/01/2023", "01/06/2024"),
    placement_row("A1", "SC900002", "01/06/2024"),
    placement_row("A2", "SC900001", "2024-03-01"),
    placement_row("A3", "SC900001", "01/02/2022", "01/03/2022"),
]


@pytest.fixture
def setup():
    authority = OrganisationFactory(code="IMA", name="Importshire")
    OrganisationFactory(code="IMB", name="Otherborough")
    OrganisationFactory(code="IMF", kind=OrganisationKind.POLICE_FORCE, name="Import Police")
    manager = make_user(Role.SERVICE_MANAGER, organisation=authority, email="sm@import.example")
    social_worker = make_user(Role.SOCIAL_WORKER, organisation=authority, email="sw@import.example")
    return {"authority": authority, "manager": manager, "social_worker": social_worker}


def write(tmp_path, rows, name="extract.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def run(path, *args, actor="sm@import.example"):
    """Run the command; return (stdout, stderr) or raise CommandError."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_records", path, "--as", actor, *args, stdout=out, stderr=err)
    except CommandError as error:
        error.stderr = err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


def counts() -> dict[str, int]:
    return {
        "homes": Home.objects.count(),
        "children": Child.objects.count(),
        "placements": Placement.objects.count(),
        "home history": Home.history.count(),
        "child history": Child.history.count(),
        "placement history": Placement.history.count(),
        "profile history": PhilomenaProfile.history.count(),
        "grant history": ChildUserObjectPermission.history.count(),
    }


def test_a_good_file_imports_every_record_through_the_services(tmp_path, setup):
    out, _ = run(write(tmp_path, GOOD_ROWS))
    assert "Homes:       2 new, 0 changed, 0 unchanged" in out
    assert "Children:    3 new, 0 changed, 0 unchanged" in out
    assert "Imported." in out

    harbour = Home.objects.get(ofsted_urn="SC900002")
    assert harbour.postcode == "EX1 2AB"
    assert harbour.ofsted_rating == "requires_improvement"
    assert harbour.history.get().history_user == setup["manager"]

    robin = Child.objects.get(child_id="A1")
    assert robin.date_of_birth == date(2011, 5, 17)
    assert robin.sex == "2"
    assert robin.placing_authority == setup["authority"]
    assert robin.allocated_social_worker == setup["social_worker"]
    assert Child.objects.get(child_id="A3").allocated_social_worker is None

    placements = list(Placement.objects.filter(child=robin).order_by("start_date"))
    assert [(p.home.ofsted_urn, p.start_date, p.end_date) for p in placements] == [
        ("SC900001", date(2023, 1, 1), date(2024, 6, 1)),
        ("SC900002", date(2024, 6, 1), None),
    ]
    assert placements[1].out_of_area  # placed by IMA in a home hosted by IMB
    assert {p.history.first().history_user for p in placements} == {setup["manager"]}
    assert Placement.objects.count() == 4


def test_re_running_the_same_file_changes_nothing(tmp_path, setup):
    path = write(tmp_path, GOOD_ROWS)
    run(path)
    before = counts()
    out, _ = run(path)
    assert counts() == before
    assert "Homes:       0 new, 0 changed, 2 unchanged" in out
    assert "Placements:  0 new, 0 changed, 4 unchanged" in out


def test_a_changed_value_is_updated_by_the_importing_user(tmp_path, setup):
    run(write(tmp_path, GOOD_ROWS))
    changed = [home_row("SC900001", "Elm House", capacity="6"), *GOOD_ROWS[1:]]
    changed[-1] = placement_row("A3", "SC900001", "01/02/2022", "15/03/2022")
    out, _ = run(write(tmp_path, changed, "second.csv"))
    assert "Homes:       0 new, 1 changed, 1 unchanged" in out
    elm = Home.objects.get(ofsted_urn="SC900001")
    assert elm.capacity == 6
    assert elm.version == 2
    assert elm.history.first().history_user == setup["manager"]
    assert Placement.objects.get(child__child_id="A3").end_date == date(2022, 3, 15)


def test_a_file_with_bad_rows_imports_nothing_and_reports_each_row(tmp_path, setup):
    rows = [
        *GOOD_ROWS,
        home_row("SC900003", "Bad Postcode House", postcode="ZZ9 99Z"),  # row 11
        placement_row("A2", "SC999999", "2024-05-01"),  # row 12: unknown home
        placement_row("A2", "SC900002", "2024-05-01"),  # row 13: overlaps A2's placement
    ]
    path = write(tmp_path, rows)
    report = tmp_path / "report.csv"
    with pytest.raises(CommandError) as error:
        run(path, "--report", str(report))

    assert "3 error(s) in 3 row(s): nothing was imported." in str(error.value)
    assert error.value.stderr.splitlines() == [
        "Row 11, postcode: Enter a real UK postcode, like NE1 8AA",
        "Row 12, ofsted_urn: No home has the Ofsted URN 'SC999999'",
        "Row 13, start_date: This placement would overlap another placement of the child",
    ]
    with open(report, newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["row", "record_type", "column", "message"],
            ["11", "home", "postcode", "Enter a real UK postcode, like NE1 8AA"],
            ["12", "placement", "ofsted_urn", "No home has the Ofsted URN 'SC999999'"],
            [
                "13",
                "placement",
                "start_date",
                "This placement would overlap another placement of the child",
            ],
        ]
    assert counts() == dict.fromkeys(counts(), 0)


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (home_row("SC900003", "X", postcode="ZZ9 99Z"), "postcode", "Enter a real UK postcode"),
        (placement_row("A1", "SC123456", "2024-01-01"), "ofsted_urn", "No home has"),
        (placement_row("A2", "SC900002", "2024-05-01"), "start_date", "would overlap"),
        (child_row("A9", "Kim", "Ray", dob="31/02/2012"), "date_of_birth", "Enter a real date"),
        (child_row("A9", "Kim", "Ray", sex="X"), "sex", "Enter 1 or M"),
        (
            child_row("A9", "Kim", "Ray", worker="nobody@x.example"),
            "social_worker_email",
            "No user",
        ),
        (home_row("SC900003", "X", capacity="four"), "capacity", "whole number"),
        ("ghost" + "," * 22, "record_type", "Enter home, child or placement"),
    ],
)
def test_one_bad_row_is_reported_with_its_row_number_and_column(
    tmp_path, setup, row, column, message
):
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, [*GOOD_ROWS, row]))
    [line] = error.value.stderr.splitlines()
    assert line.startswith(f"Row 11, {column}: ")
    assert message in line
    assert Home.objects.count() == 0
    assert Child.objects.count() == 0


def test_the_row_number_and_column_are_those_a_spreadsheet_shows(tmp_path, setup):
    bad = child_row("A9", "Kim", "Ray", sex="X")
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, [GOOD_ROWS[0], bad]))
    assert error.value.stderr.strip() == "Row 3, sex: Enter 1 or M for male, 2 or F for female"


def test_a_dry_run_checks_everything_and_saves_nothing(tmp_path, setup):
    out, _ = run(write(tmp_path, GOOD_ROWS), "--dry-run")
    assert "Homes:       2 new, 0 changed, 0 unchanged" in out
    assert "nothing saved" in out
    assert Home.objects.count() == 0
    assert Child.objects.count() == 0


def test_an_import_for_one_authority_refuses_another_authoritys_rows(tmp_path, setup):
    with pytest.raises(CommandError):
        run(write(tmp_path, GOOD_ROWS), "--authority", "IMB")
    assert Child.objects.count() == 0


def test_the_importing_user_needs_the_same_rights_as_on_the_web(tmp_path, setup):
    make_user(Role.CARE_WORKER, organisation=setup["authority"], email="cw@import.example")
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, GOOD_ROWS), actor="cw@import.example")
    assert "Row 2: cw@import.example may not add homes" in error.value.stderr
    assert Home.objects.count() == 0


def test_an_unknown_importing_user_is_refused(tmp_path, setup):
    with pytest.raises(CommandError, match="No active user"):
        run(write(tmp_path, GOOD_ROWS), actor="nobody@import.example")


def test_a_missing_column_is_reported_once_per_row(tmp_path, setup):
    path = tmp_path / "short.csv"
    path.write_text("record_type,ofsted_urn,name\nhome,SC900001,Elm House\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run(str(path))
    assert "Row 2, operator_code: The file has no operator_code column" in error.value.stderr
