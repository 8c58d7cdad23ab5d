"""Import an authority's extract of homes, children and placements from one CSV file.

The file has a header row and a `record_type` column saying what each row is: ``home``,
``child`` or ``placement``. Each kind reads its own columns and ignores the others:

home
    ofsted_urn*, name*, operator_code*, host_authority_code*, police_force_code*,
    address_line_1*, address_line_2, town*, postcode*, capacity*, phone, ofsted_rating
    (outstanding | good | requires_improvement | inadequate | not_yet_inspected, or the
    words Ofsted uses, e.g. "Requires improvement to be good")
child
    child_id*, first_name*, last_name*, preferred_name, date_of_birth*, sex* (1/2 or M/F),
    ethnicity (DfE code, e.g. WBRI), placing_authority_code, social_worker_email
placement
    child_id*, placing_authority_code, ofsted_urn*, start_date*, end_date

(* must have a value.) Dates are dd/mm/yyyy or yyyy-mm-dd. Organisations are named by
their code (N901, NSP...). placing_authority_code may be left out when the import is run
for one authority (`--authority`). A blank optional cell leaves what is stored as it is
(a new record gets the default).

Matching, so re-running the same file changes nothing: homes by Ofsted URN; children by
(placing authority, child_id); placements by (child, home, start_date). A matched record is
updated only when a value differs, through the same services the web uses, so history names
the importing user.

All or nothing: every row is checked and saved inside one transaction; if any row fails,
everything is rolled back and every error is reported (row number, column, message). Row
numbers count the header as row 1, as a spreadsheet shows them. Homes are imported first,
then children, then placements, so a placement may name a home or child from the same file.

The importing user must be allowed each change by apps.*.access, as on the web: e.g. a
service manager of the placing authority (homes, children, placements of that authority).
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import DatabaseError, transaction
from django.db.models import Model

from apps.accounts.models import Organisation, OrganisationKind, User
from apps.children import access as child_access
from apps.children import services as child_services
from apps.children.models import Child, Ethnicity, Placement, Sex
from apps.core.errors import ApplicationError
from apps.core.validators import normalise_postcode
from apps.homes import access as home_access
from apps.homes import services as home_services
from apps.homes.models import Home, OfstedRating

RECORD_TYPES = ("home", "child", "placement")

REQUIRED = {
    "home": [
        "ofsted_urn",
        "name",
        "operator_code",
        "host_authority_code",
        "police_force_code",
        "address_line_1",
        "town",
        "postcode",
        "capacity",
    ],
    "child": ["child_id", "first_name", "last_name", "date_of_birth", "sex"],
    "placement": ["child_id", "ofsted_urn", "start_date"],
}
OPTIONAL = {
    "home": ["address_line_2", "phone", "ofsted_rating"],
    "child": ["preferred_name", "ethnicity", "placing_authority_code", "social_worker_email"],
    "placement": ["placing_authority_code", "end_date"],
}

# A service's field name -> the column it came from, per record type.
_COLUMN_OF = {
    "home": {
        "operator": "operator_code",
        "host_authority": "host_authority_code",
        "police_force": "police_force_code",
    },
    "child": {
        "placing_authority": "placing_authority_code",
        "social_worker": "social_worker_email",
    },
    "placement": {"home": "ofsted_urn", "child": "child_id"},
}

_SEX = {"1": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE}
_SEX |= {"2": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE}
_RATINGS = {value: value for value in OfstedRating.values}
_RATINGS |= {str(label).lower(): value for value, label in OfstedRating.choices}
_RATINGS |= {
    "requires improvement": OfstedRating.REQUIRES_IMPROVEMENT,
    "not yet inspected": OfstedRating.NOT_YET_INSPECTED,
}


@dataclass(frozen=True)
class RowError:
    row: int
    record_type: str
    column: str
    message: str

    def __str__(self):
        where = f"Row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    # {"home": Counter(created=.., updated=.., unchanged=..), ...}
    counts: dict[str, Counter] = field(
        default_factory=lambda: {kind: Counter() for kind in RECORD_TYPES}
    )
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run


class _RowFailed(Exception):
    """One row broke a rule; carries its (column, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


def _fail(column: str, message: str):
    raise _RowFailed([(column, message)])


def _parse_date(value: str, column: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    _fail(column, f"Enter a real date as dd/mm/yyyy or yyyy-mm-dd, not {value!r}")


def _changed(instance, fields: dict) -> dict:
    """The fields whose value differs from `instance`'s (foreign keys compared by id)."""
    changed = {}
    for name, value in fields.items():
        if isinstance(value, Model):
            differs = getattr(instance, f"{name}_id") != value.pk
        else:
            differs = getattr(instance, name) != value
        if differs:
            changed[name] = value
    return changed


@dataclass
class _Row:
    number: int
    record_type: str
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


class _Importer:
    def __init__(self, *, actor: User, authority: Organisation | None, dry_run: bool):
        self.actor = actor
        self.authority = authority
        self.result = ImportResult(dry_run=dry_run)
        self._organisations = {org.code.upper(): org for org in Organisation.objects.all()}

    # Shared lookups ------------------------------------------------------------------------

    def organisation(self, row: _Row, column: str) -> Organisation:
        code = row.get(column)
        organisation = self._organisations.get(code.upper())
        if organisation is None:
            _fail(column, f"No organisation has the code {code!r}")
        return organisation

    def placing_authority(self, row: _Row) -> Organisation:
        code = row.get("placing_authority_code")
        if not code:
            if self.authority is None:
                _fail(
                    "placing_authority_code",
                    "Enter the placing authority's code, or run the import with --authority",
                )
            return self.authority
        authority = self.organisation(row, "placing_authority_code")
        if self.authority is not None and authority != self.authority:
            _fail(
                "placing_authority_code",
                f"This import is for {self.authority.code}, not {authority.code}",
            )
        if authority.kind != OrganisationKind.LOCAL_AUTHORITY:
            _fail("placing_authority_code", f"{authority.code} is not a local authority")
        return authority

    def find_child(self, row: _Row, authority: Organisation) -> Child | None:
        return (
            Child.objects.select_related("placing_authority", "allocated_social_worker")
            .filter(placing_authority=authority, child_id__iexact=row.get("child_id"))
            .first()
        )

    def refuse(self, what: str):
        _fail("", f"{self.actor.email} may not {what}")

    # Homes --------------------------------------------------------------------------------

    def home_fields(self, row: _Row) -> dict:
        fields = {
            "name": row.get("name"),
            "ofsted_urn": row.get("ofsted_urn").upper(),
            "operator": self.organisation(row, "operator_code"),
            "host_authority": self.organisation(row, "host_authority_code"),
            "police_force": self.organisation(row, "police_force_code"),
            "address_line_1": row.get("address_line_1"),
            "town": row.get("town"),
            "postcode": normalise_postcode(row.get("postcode")),
        }
        try:
            fields["capacity"] = int(row.get("capacity"))
        except ValueError:
            _fail("capacity", "Enter the number of registered beds as a whole number")
        for column in ("address_line_2", "phone"):
            if row.get(column):
                fields[column] = row.get(column)
        if row.get("ofsted_rating"):
            rating = _RATINGS.get(row.get("ofsted_rating").lower())
            if rating is None:
                _fail("ofsted_rating", "Enter one of: " + ", ".join(OfstedRating.values))
            fields["ofsted_rating"] = rating
        return fields

    def import_home(self, row: _Row) -> str:
        fields = self.home_fields(row)
        home = Home.objects.filter(ofsted_urn=fields["ofsted_urn"]).first()
        if home is None:
            if not home_access.can_create_homes(self.actor):
                self.refuse("add homes")
            home_services.home_create(actor=self.actor, **fields)
            return "created"
        changed = _changed(home, fields)
        if not changed:
            return "unchanged"
        if not home_access.can_edit_home(self.actor, home):
            self.refuse(f"change the home {home.ofsted_urn}")
        home_services.home_update(
            actor=self.actor, home=home, expected_version=home.version, **changed
        )
        return "updated"

    # Children -----------------------------------------------------------------------------

    def child_fields(self, row: _Row) -> dict:
        sex = _SEX.get(row.get("sex").lower())
        if sex is None:
            _fail("sex", "Enter 1 or M for male, 2 or F for female")
        fields = {
            "child_id": row.get("child_id"),
            "first_name": row.get("first_name"),
            "last_name": row.get("last_name"),
            "date_of_birth": _parse_date(row.get("date_of_birth"), "date_of_birth"),
            "sex": sex,
        }
        if row.get("preferred_name"):
            fields["preferred_name"] = row.get("preferred_name")
        if row.get("ethnicity"):
            ethnicity = row.get("ethnicity").upper()
            if ethnicity not in Ethnicity.values:
                _fail("ethnicity", "Enter a DfE ethnicity code, like WBRI")
            fields["ethnicity"] = ethnicity
        return fields

    def social_worker(self, row: _Row) -> User | None:
        email = row.get("social_worker_email")
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            _fail("social_worker_email", f"No user has the email address {email}")
        return user

    def import_child(self, row: _Row) -> str:
        authority = self.placing_authority(row)
        fields = self.child_fields(row)
        social_worker = self.social_worker(row)
        child = self.find_child(row, authority)
        if child is None:
            if not (
                child_access.can_create_children(self.actor)
                and self.actor.organisation_id == authority.pk
            ):
                self.refuse(f"add children placed by {authority.code}")
            child_services.child_create(
                actor=self.actor,
                placing_authority=authority,
                allocated_social_worker=social_worker,
                **fields,
            )
            return "created"
        fields["child_id"] = child.child_id  # matched case-insensitively; keep how it is stored
        changed = _changed(child, fields)
        reallocate = social_worker is not None and social_worker != child.allocated_social_worker
        if not (changed or reallocate):
            return "unchanged"
        if changed:
            if not child_access.can_edit_child(self.actor, child):
                self.refuse(f"change the record of child {child.child_id}")
            child = child_services.child_update(
                actor=self.actor, child=child, expected_version=child.version, **changed
            )
        if reallocate:
            if not child_access.can_allocate(self.actor, child):
                self.refuse(f"allocate child {child.child_id}")
            child_services.child_allocate(
                actor=self.actor, child=child, social_worker=social_worker
            )
        return "updated"

    # Placements ---------------------------------------------------------------------------

    def import_placement(self, row: _Row) -> str:
        authority = self.placing_authority(row)
        child = self.find_child(row, authority)
        if child is None:
            _fail("child_id", f"No child of {authority.code} has the ID {row.get('child_id')!r}")
        urn = row.get("ofsted_urn").upper()
        home = Home.objects.filter(ofsted_urn=urn).first()
        if home is None:
            _fail("ofsted_urn", f"No home has the Ofsted URN {urn!r}")
        start_date = _parse_date(row.get("start_date"), "start_date")
        end_date = _parse_date(row.get("end_date"), "end_date") if row.get("end_date") else None
        if not child_access.can_manage_placements(self.actor, child):
            self.refuse(f"manage the placements of child {child.child_id}")
        placement = Placement.objects.filter(child=child, home=home, start_date=start_date).first()
        if placement is None:
            child_services.placement_record(
                actor=self.actor, child=child, home=home, start_date=start_date, end_date=end_date
            )
            return "created"
        if end_date is None or placement.end_date == end_date:
            return "unchanged"
        child_services.placement_end(
            actor=self.actor,
            placement=placement,
            end_date=end_date,
            expected_version=placement.version,
        )
        return "updated"

    # Driving ------------------------------------------------------------------------------

    def run_row(self, row: _Row) -> None:
        handler = getattr(self, f"import_{row.record_type}")
        try:
            with transaction.atomic():  # a savepoint: a failed row leaves the others usable
                outcome = handler(row)
        except _RowFailed as failure:
            problems = failure.problems
        except ApplicationError as error:
            columns = _COLUMN_OF[row.record_type]
            problems = [
                ("" if name == "__all__" else columns.get(name, name), message)
                for name, messages in (error.fields or {"__all__": [error.message]}).items()
                for message in messages
            ]
        except DatabaseError as error:
            problems = [("", f"Could not be saved: {error}")]
        else:
            self.result.counts[row.record_type][outcome] += 1
            return
        for column, message in problems:
            self.add_error(row.number, row.record_type, column, message)

    def add_error(self, number: int, record_type: str, column: str, message: str) -> None:
        self.result.errors.append(RowError(number, record_type, column, message))


def _read(importer: _Importer, lines) -> list[_Row]:
    """Parse the CSV into rows, reporting file-level and per-row shape problems."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        importer.add_error(1, "", "", "The file is empty")
        return []
    header = [name.strip().lower() for name in header]
    if "record_type" not in header:
        importer.add_error(1, "", "record_type", "The header row has no record_type column")
        return []
    rows = []
    for index, values in enumerate(reader):
        number = index + 2
        if not any(value.strip() for value in values):
            continue
        cells = {name: value.strip() for name, value in zip(header, values, strict=False)}
        record_type = cells.get("record_type", "").lower()
        if record_type not in RECORD_TYPES:
            importer.add_error(number, "", "record_type", "Enter home, child or placement")
            continue
        missing = [column for column in REQUIRED[record_type] if not cells.get(column)]
        for column in missing:
            message = (
                f"Enter the {column.replace('_', ' ')}"
                if column in header
                else f"The file has no {column} column, which {record_type} rows need"
            )
            importer.add_error(number, record_type, column, message)
        if not missing:
            rows.append(_Row(number, record_type, cells))
    return rows


def import_records(
    *, actor: User, lines, authority: Organisation | None = None, dry_run: bool = False
) -> ImportResult:
    """Import the CSV in `lines` (an iterable of text lines) as `actor`. All or nothing.

    Returns the result; nothing is saved if it has errors or `dry_run` is set.
    """
    importer = _Importer(actor=actor, authority=authority, dry_run=dry_run)
    with transaction.atomic():
        rows = _read(importer, lines)
        for record_type in RECORD_TYPES:  # homes, then the children, then their placements
            for row in rows:
                if row.record_type == record_type:
                    importer.run_row(row)
        importer.result.errors.sort(key=lambda error: error.row)
        if not importer.result.saved:
            transaction.set_rollback(True)
    return importer.result
