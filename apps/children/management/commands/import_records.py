"""manage.py import_records FILE.csv --as EMAIL [--authority CODE] [--dry-run] [--report FILE]

The format and the rules are in apps/children/importer.py (printed by --help).
"""

import csv
from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organisation, OrganisationKind, User
from apps.children import importer

HELP = f"""{importer.__doc__}
Examples:
  manage.py import_records extract.csv --as service.manager@northshire.example --dry-run
  manage.py import_records extract.csv --as service.manager@northshire.example \\
      --authority N901 --report errors.csv

Exit status: 0 when every row is good (and, without --dry-run, saved); 1 when any row has an
error, in which case nothing is saved.
"""


PLURALS = {"home": "Homes", "child": "Children", "placement": "Placements"}


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter  # keep the column layout
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8, header row first).")
        parser.add_argument(
            "--as",
            dest="actor_email",
            required=True,
            metavar="EMAIL",
            help="The user the import runs as; history names them as the author.",
        )
        parser.add_argument(
            "--authority",
            metavar="CODE",
            help="The placing authority whose extract this is: the default for a blank "
            "placing_authority_code, and no other authority's rows are accepted.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, then save nothing."
        )
        parser.add_argument(
            "--report", metavar="FILE", help="Also write the errors to FILE as CSV."
        )

    def handle(self, *args, **options):
        actor = User.objects.filter(email__iexact=options["actor_email"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user has the email {options['actor_email']}.")
        authority = None
        if options["authority"]:
            authority = Organisation.objects.filter(
                code__iexact=options["authority"], kind=OrganisationKind.LOCAL_AUTHORITY
            ).first()
            if authority is None:
                raise CommandError(f"No local authority has the code {options['authority']}.")
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as lines:
                result = importer.import_records(
                    actor=actor, lines=lines, authority=authority, dry_run=options["dry_run"]
                )
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        except (UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"{options['file']} is not a readable UTF-8 CSV: {error}") from None

        if options["report"]:
            self._write_report(options["report"], result)
        for error in result.errors:
            self.stderr.write(str(error))
        if not result.ok:
            rows = len({error.row for error in result.errors})
            raise CommandError(
                f"{len(result.errors)} error(s) in {rows} row(s): nothing was imported."
            )
        for record_type, counts in result.counts.items():
            label = f"{PLURALS[record_type]}:"
            self.stdout.write(
                f"{label:<12} {counts['created']} new, {counts['updated']} changed, "
                f"{counts['unchanged']} unchanged"
            )
        if result.dry_run:
            self.stdout.write(self.style.SUCCESS("Dry run: every row is good; nothing saved."))
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))

    @staticmethod
    def _write_report(path: str, result) -> None:
        with open(path, "w", encoding="utf-8", newline="") as report:
            writer = csv.writer(report)
            writer.writerow(["row", "record_type", "column", "message"])
            for error in result.errors:
                writer.writerow([error.row, error.record_type, error.column, error.message])
