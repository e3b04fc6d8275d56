"""Scheduling settings of local runs (scripts/rule_support.tune_local_scheduling),
on Snakemake's own settings objects."""

from __future__ import annotations

import pytest
from snakemake.settings.types import MaxJobsPerTimespan, SchedulingSettings

from scripts.rule_support import tune_local_scheduling


def _settings(**kwargs) -> SchedulingSettings:
    return SchedulingSettings(**kwargs)


@pytest.mark.parametrize(("cores", "expected"), [(1, 8), (2, 8), (4, 16), (16, 64), (32, 128)])
def test_ready_jobs_per_pass_grow_with_the_cores(cores, expected):
    settings = _settings(max_jobs_per_timespan=MaxJobsPerTimespan.parse_choice("100/1s"))
    tune_local_scheduling(settings, cores)
    assert settings.subsample == expected
    # at 32 cores a pass may start every core's job: the bound never throttles
    assert settings.subsample >= 2 * cores


def test_snakemakes_default_rate_limiter_is_switched_off_locally():
    settings = _settings(max_jobs_per_timespan=MaxJobsPerTimespan.parse_choice("100/1s"))
    tune_local_scheduling(settings, 2)
    assert settings.max_jobs_per_timespan is None


def test_values_the_user_gave_are_kept():
    limiter = MaxJobsPerTimespan.parse_choice("10/1m")
    settings = _settings(max_jobs_per_timespan=limiter, subsample=5)
    tune_local_scheduling(settings, 16)
    assert settings.max_jobs_per_timespan is limiter
    assert settings.subsample == 5


def test_unknown_core_count_leaves_the_subsample_alone():
    settings = _settings(max_jobs_per_timespan=None)
    tune_local_scheduling(settings, None)
    assert settings.subsample is None and settings.max_jobs_per_timespan is None
