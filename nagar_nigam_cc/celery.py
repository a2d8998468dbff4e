"""The Celery application (production: `worker` and `beat` in the Procfile).

The periodic jobs come from `nagar_nigam_cc.scheduling.PERIODIC_JOBS`, the same list the embedded
scheduler runs, so the two ways of running the product never drift apart.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nagar_nigam_cc.settings")

app = Celery("nagar_nigam_cc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_periodic_jobs(sender, **kwargs):
    from nagar_nigam_cc.scheduling import PERIODIC_JOBS

    for job in PERIODIC_JOBS:
        sender.add_periodic_task(job.every_seconds, run_job.s(job.name), name=job.name)


@app.task(name="nagar_nigam_cc.run_job", ignore_result=True)
def run_job(name: str) -> None:
    from nagar_nigam_cc.scheduling import run_job_by_name

    run_job_by_name(name)
