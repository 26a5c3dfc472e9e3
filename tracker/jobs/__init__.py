"""Scheduled jobs: one runner (lock, run record, dead-holder takeover), the scheduler process and its CLI.

Each domain that has a job defines it in its own module (listed in `registry.JOB_MODULES`) with
`register(JobSpec(...))`; the runner, the scheduler, `flask scheduler run-job` and the 定时任务 page
all go through the same registry.
"""
