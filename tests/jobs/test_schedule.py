from datetime import UTC, datetime, timedelta

import pytest

from crm_bridge.jobs.schedule import Scheduler, StopToken, build_trigger

T0 = datetime(2026, 3, 28, 22, 10, tzinfo=UTC)


class FakeTime:
    def __init__(self, start):
        self.now = start
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def make(triggers, ft, stop_after=None, fail=()):
    runs = []
    stop = StopToken()

    def run_job(name, token):
        assert token is stop
        runs.append((name, ft.now))
        if name in fail:
            raise RuntimeError("boom")
        if stop_after is not None and len(runs) >= stop_after:
            stop.set("test")

    sched = Scheduler(
        triggers,
        run_job,
        last_run=lambda name: max((t for n, t in runs if n == name), default=None),
        clock=ft.clock,
        sleep=ft.sleep,
        stop=stop,
        max_idle=3600,
    )
    return sched, runs


def cron(expr, tz="UTC"):
    return build_trigger(cron=expr, every=None, timezone=tz, anchor=T0)


def test_cron_runs_at_each_fire_time():
    ft = FakeTime(T0)
    sched, runs = make({"hourly": cron("0 * * * *")}, ft, stop_after=4)
    sched.run_forever()
    times = [t for _, t in runs]
    assert times[0] == T0  # never run before: due at once
    assert times[1:] == [
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    ]


def test_interval_trigger():
    ft = FakeTime(T0)
    trig = build_trigger(cron=None, every=timedelta(minutes=15), timezone="UTC", anchor=T0)
    sched, runs = make({"q": trig}, ft, stop_after=3)
    sched.run_forever()
    assert [t for _, t in runs] == [T0, T0 + timedelta(minutes=15), T0 + timedelta(minutes=30)]


def test_cron_in_a_timezone_across_dst():
    # 08:00 Europe/London: 08:00 UTC before the March change, 07:00 UTC after it
    ft = FakeTime(datetime(2026, 3, 28, 8, 30, tzinfo=UTC))
    sched, runs = make({"daily": cron("0 8 * * *", "Europe/London")}, ft, stop_after=3)
    sched.run_forever()
    assert [t for _, t in runs][1:] == [
        datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
    ]


def test_missed_runs_are_coalesced_into_one():
    ft = FakeTime(T0)
    sched, runs = make({"hourly": cron("0 * * * *")}, ft)
    sched.run_once()
    ft.now += timedelta(hours=5, minutes=3)  # five fire times missed
    ran = sched.run_once()
    assert [r.job for r in ran] == ["hourly"]
    assert sched.run_once() == []  # nothing left to catch up
    assert len(runs) == 2


def test_jobs_never_overlap_and_run_in_turn():
    ft = FakeTime(T0)
    active = []
    overlaps = []

    def run_job(name, token):
        if active:
            overlaps.append(name)
        active.append(name)
        ft.now += timedelta(minutes=20)  # a long run
        active.pop()

    last: dict[str, datetime] = {}
    sched = Scheduler(
        {"a": cron("*/10 * * * *"), "b": cron("*/10 * * * *")},
        run_job,
        last_run=last.get,
        clock=ft.clock,
        sleep=ft.sleep,
    )
    for _ in range(3):
        sched.run_once()
    assert overlaps == []
    assert [r.job for r in sched.history] == ["a", "b", "a", "b", "a", "b"]


def test_a_failing_job_does_not_stop_the_scheduler():
    ft = FakeTime(T0)
    sched, _runs = make({"bad": cron("0 * * * *"), "good": cron("30 * * * *")}, ft, fail={"bad"})
    sched.run_once()
    assert [(r.job, r.ok) for r in sched.history] == [("bad", False), ("good", True)]
    assert "boom" in sched.history[0].detail


def test_stop_token_ends_the_loop_before_the_next_job():
    ft = FakeTime(T0)
    sched, runs = make({"a": cron("0 * * * *"), "b": cron("0 * * * *")}, ft, stop_after=1)
    sched.run_forever()
    assert [n for n, _ in runs] == ["a"]
    assert sched.stop.reason == "test"


def test_build_trigger_rejects_bad_input():
    with pytest.raises(ValueError):
        build_trigger(cron="61 * * * *", every=None, timezone="UTC", anchor=T0)
    with pytest.raises(ValueError):
        build_trigger(cron=None, every=None, timezone="UTC", anchor=T0)
