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


class AccessLogKind(models.TextChoices):
    RECORD = "record", "Child record"
    PROFILE = "profile", "Philomena profile"
    PHOTO = "photo", "Photo"
    HISTORY = "history", "History"
    EXPORT = "export", "Export"
    API = "api", "API"


class AccessLog(models.Model):
    """One row each time someone views a child's record, profile, photo or an export of it.

    Written by apps.core.services.access_log_record (views and API views call it). Kept apart
    from change history: this answers "who looked", history answers "who changed what".
    """

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="access_logs")
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="access_logs", null=True
    )
    kind = models.CharField(max_length=20, choices=AccessLogKind.choices)
    path = models.CharField(max_length=500, blank=True)
    viewed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [
            # "Who viewed this record" page: one child's views, newest first.
            models.Index(fields=["child", "-viewed_at"], name="accesslog_child_recent"),
        ]

    def __str__(self):
        return f"{self.user_id} viewed {self.kind} of child {self.child_id} at {self.viewed_at}"
