from celery import shared_task

from apps.reports import forms, services


@shared_task(acks_late=True)
def export_job_run_task(job_pk: int) -> str:
    """Write one large export (idempotent: the service claims the job with a conditional
    update, so a redelivered task does nothing)."""
    job = services.export_job_run(job_pk=job_pk, table_for=forms.table_for)
    return job.status if job else "gone"
