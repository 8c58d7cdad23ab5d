"""Base model mixins shared by every app, and the core app's own small tables."""

from django.db import models


class TimeStampedModel(models.Model):
    """Adds created/updated times (UTC) to a model."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Optimistic locking: every editable record carries a version that services bump.

    A service compares the version the user loaded with the stored one and refuses a stale
    edit (see apps.core.services.save_versioned); nothing is overwritten silently.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """When a periodic process last proved it was alive (beat writes one a minute)."""

    name = models.CharField(max_length=50, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
