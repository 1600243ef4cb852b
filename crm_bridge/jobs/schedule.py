"""The long-running scheduler behind ``crm-bridge schedule``.

Triggers come from APScheduler (cron expressions and intervals, in a stated timezone); the loop
is ours so that the clock and the sleep can be injected (tests never sleep) and so that the
rules admins rely on are explicit:

- **no overlap**: jobs run one at a time in this process, and each sync also takes the job's
  lock in the state store, so a second scheduler (or a manual run) never overlaps either;
- **coalescing**: however many fire times were missed (machine asleep, a long run), a job runs
  once, and its next fire time is computed from *now*;
- **clean shutdown**: SIGTERM/SIGINT set a :class:`StopToken`; the running sync finishes its
  current batch, stores state and returns; the loop then exits.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crm_bridge.model import utc, utcnow


class StopToken:
    """A flag that long work checks between batches; set by signals or by tests."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def set(self, reason: str = "stop requested") -> None:
        self.reason = reason
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` or until set; True when set."""
        return self._event.wait(max(0.0, seconds))


def install_signal_handlers(stop: StopToken) -> None:
    """Make SIGTERM and SIGINT set ``stop`` instead of killing the process mid-batch."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.set(f"received {signal.Signals(signum).name}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def build_trigger(
    *, cron: str | None, every: timedelta | None, timezone: str, anchor: datetime
) -> BaseTrigger:
    """A trigger from a job's ``schedule`` (cron) or ``every`` (interval), in ``timezone``.

    Raises ``ValueError`` for a bad cron expression or when neither or both are given.
    """
    if (cron is None) == (every is None):
        raise ValueError("a job's schedule needs exactly one of a cron expression or 'every'")
    if cron is not None:
        return CronTrigger.from_crontab(cron, timezone=timezone)
    assert every is not None
    return IntervalTrigger(seconds=int(every.total_seconds()), start_date=anchor, timezone=timezone)


@dataclass(slots=True)
class JobRun:
    """One run the scheduler started: job name, when, and what the job returned or raised."""

    job: str
    started_at: datetime
    ok: bool
    detail: str = ""


class Scheduler:
    """Runs jobs when their triggers fire.

    ``run_job(name, stop)`` runs one job to completion (it must honour ``stop`` between
    batches); ``last_run(name)`` tells when the job last started (from the state store), so a
    restarted scheduler neither repeats nor skips a due run.
    """

    def __init__(
        self,
        triggers: Mapping[str, BaseTrigger],
        run_job: Callable[[str, StopToken], object],
        *,
        last_run: Callable[[str], datetime | None],
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] | None = None,
        stop: StopToken | None = None,
        max_idle: float = 60.0,
    ) -> None:
        self.triggers = dict(triggers)
        self.run_job = run_job
        self.last_run = last_run
        self.clock = clock
        self.stop = stop or StopToken()
        self._sleep = sleep
        self.max_idle = max_idle
        self.history: list[JobRun] = []
        self._started: dict[str, datetime] = {}

    def next_fire(self, name: str, now: datetime) -> datetime | None:
        """When ``name`` should next run, given its last run (None: never again)."""
        trigger = self.triggers[name]
        known = [t for t in (self.last_run(name), self._started.get(name)) if t is not None]
        last = max(known) if known else None
        if last is None:
            return utc(now)
        fire = trigger.get_next_fire_time(last, last + timedelta(microseconds=1))
        return utc(fire) if fire is not None else None

    def due(self, now: datetime) -> list[str]:
        """Jobs due at ``now`` (never-run jobs are due), in name order."""
        out = []
        for name in sorted(self.triggers):
            fire = self.next_fire(name, now)
            if fire is not None and fire <= now:
                out.append(name)
        return out

    def run_once(self) -> list[JobRun]:
        """Run every due job once (``crm-bridge schedule --once``) and return what ran."""
        ran: list[JobRun] = []
        for name in self.due(self.clock()):
            if self.stop.is_set():
                break
            ran.append(self._run(name))
        return ran

    def run_forever(self) -> None:
        """Loop until stopped: run due jobs, then sleep until the next fire time."""
        while not self.stop.is_set():
            self.run_once()
            if self.stop.is_set():
                break
            now = self.clock()
            fires = [f for n in self.triggers if (f := self.next_fire(n, now)) is not None]
            if not fires:
                break
            wait = (min(fires) - now).total_seconds()
            self._wait(min(max(wait, 0.0), self.max_idle))

    def _wait(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self.stop.wait(seconds)

    def _run(self, name: str) -> JobRun:
        started = self.clock()
        self._started[name] = started
        try:
            detail = self.run_job(name, self.stop)
            run = JobRun(name, started, True, "" if detail is None else str(detail))
        except Exception as exc:  # one failing job never stops the scheduler
            run = JobRun(name, started, False, f"{type(exc).__name__}: {exc}")
        self.history.append(run)
        return run
