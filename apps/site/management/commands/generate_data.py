"""`manage.py generate_data --scale county|region|national`: invented data at scale, for the
benchmarks (benchmarks/generate.py does the work; docs/performance.md says how it is used)."""

import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks import generate
from benchmarks.loader import Loader


def _until(value: str | None) -> datetime:
    """The end of the generated history as naive UTC: the given time, or now, to the hour."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if value is None:
        return now.replace(minute=0, second=0, microsecond=0)
    try:
        until = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--until must be an ISO date and time, not {value!r}") from None
    if until.tzinfo is not None:
        until = until.astimezone(UTC).replace(tzinfo=None)
    if until > now:
        raise CommandError("--until cannot be in the future: nothing in Homeward is.")
    return until


class Command(BaseCommand):
    help = (
        "Generate invented data at scale with PostgreSQL COPY (county, region or national). "
        "Refuses a database holding data it did not make, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", required=True, choices=sorted(generate.SCALES))
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument("--children", type=int, help="Override the scale's children.")
        parser.add_argument("--until", help="End of the history (ISO time; default: this hour).")
        parser.add_argument(
            "--reset", action="store_true", help="Empty the generated data first (truncate)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds other data (or in production).",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_data loads with PostgreSQL COPY: set DATABASE_URL.")
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("Refusing to generate data with HOMEWARD_ENV=production.")
        scale = generate.SCALES[options["scale"]]
        if options["children"]:
            scale = generate.Scale(
                name=scale.name,
                authorities=scale.authorities,
                forces=scale.forces,
                homes=scale.homes,
                children=options["children"],
                years=scale.years,
            )
        until = _until(options["until"])
        with connection.cursor() as cursor:
            foreign = generate.foreign_data(cursor)
            if foreign and not options["force"]:
                raise CommandError(
                    "This database holds data the generator did not make ("
                    + ", ".join(foreign)
                    + "). Use a database of its own, or --force to add to it."
                )
            if options["reset"]:
                if foreign:
                    raise CommandError(
                        "--reset empties whole tables, and this database holds other data: "
                        "drop and recreate it instead."
                    )
                generate.reset(cursor)
                self.stdout.write("Emptied the generated data.")
            elif generate.generated_data(cursor):
                raise CommandError("This database already holds generated data: use --reset.")

        started = time.monotonic()
        self.stdout.write(
            f"Generating {scale.name}: {scale.authorities} authorities, {scale.homes} homes, "
            f"{scale.children} children, {scale.years} years to {until:%Y-%m-%d %H:%M} UTC, "
            f"seed {options['seed']}"
        )
        with connection.cursor() as cursor:
            indexes = generate.drop_indexes(cursor)
        try:
            loader = Loader.threaded(connection.settings_dict)
            counts, tables = generate.generate(
                scale, seed=options["seed"], until=until, loader=loader, log=self.stdout.write
            )
            loaded = time.monotonic() - started
        finally:
            with connection.cursor() as cursor:
                generate.create_indexes(cursor, indexes)
        indexed = time.monotonic() - started
        with connection.cursor() as cursor:
            generate.finish(cursor, tables)
            figures = generate.shape(cursor, until)
        total = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated in {total:.0f}s: rows {loaded:.0f}s, indexes "
                f"{indexed - loaded:.0f}s, VACUUM ANALYZE {total - indexed:.0f}s."
            )
        )
        for table, count in sorted(counts.items(), key=lambda item: -item[1]):
            seconds = loader.seconds.get(table, 0.0)
            self.stdout.write(f"  {table:<45} {count:>10,} rows {seconds:6.1f}s")
        for name, value in figures.items():
            self.stdout.write(f"  {name:<45} {value}")
