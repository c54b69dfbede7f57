"""Forked helpers: a background child hands back what it returned, or says it failed; never hangs."""

import os
import time

import pytest

from refnotes.store import workers

pytestmark = pytest.mark.skipif(not workers.can_fork(), reason="needs fork")

_BUILT_BEFORE_FORK = []


def _pid_and_sum(numbers):
    return os.getpid(), sum(numbers) + sum(_BUILT_BEFORE_FORK)


def _fails():
    raise ValueError("no such page")


def _dies():
    os._exit(3)


def _unpicklable():
    return lambda: None


def _sleeps():
    time.sleep(60)


def test_background_returns_what_the_child_returned_and_inherits_what_was_built_before():
    _BUILT_BEFORE_FORK[:] = [100]
    try:
        with workers.background(_pid_and_sum, [1, 2, 3]) as child:
            _BUILT_BEFORE_FORK[:] = [10**6]  # after the fork: the child does not see it
            pid, total = child.result()
    finally:
        _BUILT_BEFORE_FORK.clear()
    assert pid != os.getpid() and total == 106


@pytest.mark.parametrize(("fn", "said"), [(_fails, "ValueError: no such page"), (_dies, "exit status 3"),
                                          (_unpicklable, "pickle")])
def test_a_child_that_raises_dies_or_answers_nonsense_is_a_failure(fn, said):
    with workers.background(fn) as child, pytest.raises(workers.BackgroundFailed, match=said):
        child.result()


def test_a_child_that_died_is_reaped_before_its_status_is_told():
    """Its end of the pipe closes a moment before it can be reaped: read then, its exit status was None
    about one run in four. Twenty children, so that the race shows if it comes back."""
    for _ in range(20):
        with workers.background(_dies) as child, pytest.raises(workers.BackgroundFailed) as failed:
            child.result()
        assert "exit status 3" in str(failed.value)
        assert child._child.exitcode == 3  # and reaped by then, not merely gone


def test_a_child_nobody_waits_for_is_stopped_on_the_way_out():
    started = time.monotonic()
    with workers.background(_sleeps) as child:
        pid = child._child.pid
    assert time.monotonic() - started < 10
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped
