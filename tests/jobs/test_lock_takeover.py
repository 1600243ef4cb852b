"""A run killed with -9 leaves its lock behind: the next run on the same host takes it over at
once (the holder's process is gone); a live holder or one on another host keeps it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest

from crm_bridge.errors import LockHeld
from crm_bridge.jobs.sync import holder_is_dead

from .test_pipeline import rules, sync, world  # noqa: F401  (fixtures)

TTL = timedelta(minutes=30)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_holder_is_dead_only_for_a_gone_process_of_this_host() -> None:
    host = socket.gethostname()
    assert holder_is_dead(f"{host}:{_dead_pid()}:abcd") is True
    assert holder_is_dead(f"{host}:{os.getppid()}:abcd") is False  # alive
    assert holder_is_dead(f"{host}:{os.getpid()}:abcd") is False  # ourselves
    assert holder_is_dead(f"other-{host}:{_dead_pid()}:abcd") is False  # another host
    assert holder_is_dead("A") is False  # not our format


def test_lock_of_a_killed_run_is_taken_over_and_its_run_marked_interrupted(rules, world):  # noqa: F811
    _, _, _, store = world
    dead = f"{socket.gethostname()}:{_dead_pid()}:dead"
    assert store.acquire_lock("test", dead, TTL)
    killed = store.start_run("test", "sync", world[0](), owner=dead)
    summary = sync(rules, world)
    assert summary.status == "succeeded"
    info = store.get_run(killed)
    assert info is not None and info.status == "interrupted"
    assert store.lock_info("test") is None  # released by the finished run


def test_lock_of_a_live_holder_is_respected(rules, world):  # noqa: F811
    _, _, _, store = world
    alive = f"{socket.gethostname()}:{os.getppid()}:live"
    assert store.acquire_lock("test", alive, TTL)
    with pytest.raises(LockHeld, match="already running"):
        sync(rules, world)
    info = store.lock_info("test")
    assert info is not None and info.owner == alive


def test_take_over_is_compare_and_swap(world):  # noqa: F811
    _, _, _, store = world
    assert store.acquire_lock("job", "host:1:a", TTL)
    assert store.take_over_lock("job", "host:1:a", "B", TTL) is True
    assert store.take_over_lock("job", "host:1:a", "C", TTL) is False  # B got it first
    info = store.lock_info("job")
    assert info is not None and info.owner == "B"
