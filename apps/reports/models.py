"""Export jobs: a large export (more rows than settings.EXPORT_BACKGROUND_ROWS) is written by a
worker into private storage, and its page shows the progress until the file can be downloaded.
Small exports stream straight back and leave no row here."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.children.models import PrivateStorage


class ExportKind(models.TextChoices):
    EPISODES = "episodes", "Episodes"
    SSDA903 = "ssda903", "SSDA903 Missing table"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Being written"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


def export_path(job, filename: str) -> str:
    return f"exports/{job.user_id}/{filename}"


class ExportJob(models.Model):
    """One large export asked for by one user; only that user may see or download it.

    `params` are the filters as the user gave them (the query string), read again by the worker
    through the same selectors and the same scope as the page, so the file holds what the
    user could see when the worker ran.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    file_format = models.CharField(max_length=4, choices=ExportFormat.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent written")
    rows = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=export_path, storage=PrivateStorage, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="exportjob_progress_percent",
                violation_error_message="Progress is a percentage.",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(finished_at__isnull=False),
                name="exportjob_done_has_time",
                violation_error_message="A finished export says when it finished.",
            ),
        ]
        indexes = [
            # A user's own exports, newest first (the job page fetches one of them).
            models.Index(fields=["user", "-created_at"], name="exportjob_user_recent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.file_format}) for user {self.user_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
