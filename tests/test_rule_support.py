"""Scheduling settings of local runs (scripts/rule_support.tune_local_scheduling),
on Snakemake's own settings objects."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from snakemake.scheduling.job_scheduler import JobRateLimiter
from snakemake.settings.types import MaxJobsPerTimespan, SchedulingSettings

from scripts.rule_support import tune_local_scheduling


def _settings(**kwargs) -> SchedulingSettings:
    return SchedulingSettings(**kwargs)


def _scheduler(settings) -> SimpleNamespace:
    """The two attributes of Snakemake's JobScheduler that the tuning sets,
    as JobScheduler.__init__ sets them from *settings*."""
    limiter = settings.max_jobs_per_timespan
    return SimpleNamespace(
        job_rate_limiter=JobRateLimiter(limiter) if limiter else None, subsample=settings.subsample
    )


@pytest.mark.parametrize(("cores", "expected"), [(1, 8), (2, 8), (4, 16), (16, 64), (32, 128)])
def test_ready_jobs_per_pass_grow_with_the_cores(cores, expected):
    settings = _settings(max_jobs_per_timespan=MaxJobsPerTimespan.parse_choice("100/1s"))
    scheduler = _scheduler(settings)
    tune_local_scheduling(scheduler, settings, cores)
    assert scheduler.subsample == expected
    # at 32 cores a pass may start every core's job: the bound never throttles
    assert scheduler.subsample >= 2 * cores


def test_snakemakes_default_rate_limiter_is_switched_off_locally():
    settings = _settings(max_jobs_per_timespan=MaxJobsPerTimespan.parse_choice("100/1s"))
    scheduler = _scheduler(settings)
    assert scheduler.job_rate_limiter is not None
    tune_local_scheduling(scheduler, settings, 2)
    assert scheduler.job_rate_limiter is None


def test_values_the_user_gave_are_kept():
    limiter = MaxJobsPerTimespan.parse_choice("10/1m")
    settings = _settings(max_jobs_per_timespan=limiter, subsample=5)
    scheduler = _scheduler(settings)
    kept = scheduler.job_rate_limiter
    tune_local_scheduling(scheduler, settings, 16)
    assert scheduler.job_rate_limiter is kept and kept is not None
    assert scheduler.subsample == 5


def test_unknown_core_count_leaves_the_subsample_alone():
    settings = _settings(max_jobs_per_timespan=None)
    scheduler = _scheduler(settings)
    tune_local_scheduling(scheduler, settings, None)
    assert scheduler.subsample is None and scheduler.job_rate_limiter is None
