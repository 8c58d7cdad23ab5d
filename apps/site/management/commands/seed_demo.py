from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts import demo as accounts_demo
from apps.alerts import demo as alerts_demo
from apps.alerts.models import Alert
from apps.children import demo as children_demo
from apps.children.models import Child, Placement
from apps.episodes import demo as episodes_demo
from apps.episodes.models import Episode
from apps.homes import demo as homes_demo
from apps.strategy_meetings import demo as meetings_demo


class Command(BaseCommand):
    help = "Load the invented demo data (idempotent). Refuses to run in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded when HOMEWARD_ENV=production.")
        with transaction.atomic():
            logins = accounts_demo.seed()
            homes = homes_demo.seed()
            logins += children_demo.seed()
            episodes_demo.seed()
            alerts_demo.seed()
            children_demo.seed_assessments()
            meetings_demo.seed()
            alerts_demo.seed_notices_dated()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"  {len(homes)} homes, {Child.objects.count()} children, "
            f"{Placement.objects.current().count()} placed now, "
            f"{Episode.objects.count()} episodes ({Episode.objects.open().count()} open now), "
            f"{Alert.objects.count()} alerts ({Alert.objects.open().count()} not acknowledged)."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {accounts_demo.DEMO_PASSWORD}):")
        for role, email in logins:
            self.stdout.write(f"  {role:<32} {email}")
