"""The worker's schedule: the recognition jobs, the session reminders and the retention run each have their
minute (and hour where daily), with a bounded timeout."""

from erkenning.training.tasks import CRON_JOBS, send_session_reminders
from erkenning.worker import wiring, worker_options
from tests.helpers import offline_settings

SETTINGS = offline_settings()  # building the worker's options reads the addresses, never connects


def test_the_worker_schedules_every_recognition_job_with_a_minute() -> None:
    jobs = {job.name: job for job in wiring().cron_jobs}
    for name in (
        "apply_due_effects",
        "finalise_decisions",
        "record_response_terms",
        "notice_reassessments_due",
        "purge_staged_attachments",
    ):
        assert jobs[f"cron:{name}"].minute is not None


def test_the_reminder_sweep_runs_every_hour() -> None:
    [job] = CRON_JOBS
    assert job.coroutine is send_session_reminders
    assert job.minute == {7} and job.hour is None


def test_the_run_is_a_daily_cron_of_the_worker_with_a_capped_timeout() -> None:
    [job] = [j for j in worker_options(SETTINGS)["cron_jobs"] if j.name.endswith("erase_due")]
    assert job.hour == {2} and job.minute == {41}
    assert job.timeout_s is not None and job.timeout_s <= SETTINGS.cron_timeout_s
