"""Writes of the reports app: export jobs (asked for, then written by a worker) and the access
log entry every export leaves."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.children.models import AccessLogKind
from apps.children.services import access_log_record_many
from apps.core.errors import ApplicationError
from apps.core.services import enqueue_on_commit
from apps.reports import exports
from apps.reports.models import ExportFormat, ExportJob, ExportStatus
from apps.reports.tables import Table

logger = logging.getLogger(__name__)


def export_record(*, user, table: Table, path: str) -> int:
    """Write the export of `table` to the access log: one row per child it names, or one
    naming no child for a table of figures. Caller has checked access."""
    return access_log_record_many(
        user=user, child_ids=table.child_pks, kind=AccessLogKind.EXPORT, path=path
    )


def export_download_record(*, user, job: ExportJob, path: str) -> None:
    """Write a download of a finished export job to the access log (one row naming no child:
    the worker logged each child in it when it wrote the file)."""
    access_log_record_many(user=user, child_ids=[], kind=AccessLogKind.EXPORT, path=path)


def export_job_create(*, actor, kind: str, file_format: str, params: dict) -> ExportJob:
    """Ask a worker to write a large export; the worker is enqueued once the job is saved.
    Caller has checked that `actor` may export `kind`."""
    if file_format not in ExportFormat.values:
        raise ApplicationError("Choose CSV or XLSX", fields={"filetype": ["Choose CSV or XLSX"]})
    job = ExportJob.objects.create(user=actor, kind=kind, file_format=file_format, params=params)
    enqueue_on_commit("apps.reports.tasks.export_job_run_task", job.pk)
    return job


def _progress(job_pk: int, total: int):
    def report(written: int) -> None:
        percent = min(95, 10 + int(85 * written / max(total, 1)))
        ExportJob.objects.filter(pk=job_pk, status=ExportStatus.RUNNING).update(progress=percent)

    return report


def export_job_run(*, job_pk: int, table_for) -> ExportJob | None:
    """Write the export file of a job, once. Safe to run twice: a job another worker has
    claimed, or that has finished, is left alone; a missing job is ignored.

    Reads through the same selectors and scope as the page, as the job's user, so the file
    holds what they may see now. Sets progress as it goes; failure is recorded on the job.
    `table_for(user, kind, params)` reads the job's filters and builds its table
    (apps.reports.forms.table_for: forms stand above services, so the task passes it in).
    """

    claimed = ExportJob.objects.filter(pk=job_pk, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), progress=5
    )
    if not claimed:
        return ExportJob.objects.filter(pk=job_pk).first()
    job = ExportJob.objects.select_related("user").get(pk=job_pk)
    try:
        table = table_for(job.user, job.kind, job.params)
        ExportJob.objects.filter(pk=job.pk).update(progress=10, rows=len(table.rows))
        content = exports.render(table, job.file_format, on_row=_progress(job.pk, len(table.rows)))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        job.file.save(
            exports.filename(table, job.file_format, stamp), ContentFile(content), save=False
        )
    except Exception as error:  # recorded on the job, so the page can say it failed
        logger.exception("Export job %s failed", job.pk)
        message = error.message if isinstance(error, ApplicationError) else "The export failed."
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=message[:500], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    export_record(user=job.user, table=table, path=f"export job {job.pk}: {job.kind}")
    job.rows = len(table.rows)
    job.status = ExportStatus.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "rows", "status", "progress", "finished_at"])
    return job


def is_large(rows: int) -> bool:
    return rows > settings.EXPORT_BACKGROUND_ROWS


class NotReady(ApplicationError):
    """A return with validation errors: the file is not handed out until they are fixed."""

    status_code = 409


def ssda903_ready_check(*, user, slug: str, year) -> None:
    """The SSDA903 Missing table is only downloaded when it passes every validation rule
    (the DfE's validator would refuse it); its validation report can always be downloaded.
    Raises NotReady naming how many errors stand."""
    from apps.reports.ssda903 import ssda903_missing

    if slug != "ssda903":
        return
    report = ssda903_missing(user, year)
    if report.ready:
        return
    errors = len(report.failures)
    rows = len({f.row for f in report.failures})
    message = (
        f"The SSDA903 Missing table is not ready: {errors} error{'s' if errors != 1 else ''} "
        f"in {rows} row{'s' if rows != 1 else ''}. Correct the records listed in the "
        "validation report, then download it."
    )
    raise NotReady(message, fields={"table": [message]})
