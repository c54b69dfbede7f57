"""Process pools, for work worth spreading over every core (parsing a cold vault, rendering a big site).

Workers are forked where the platform can: they start with everything the
parent has imported and built, so a worker can render pages from the very
renderer its parent set up.
"""

from __future__ import annotations

import os


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def pool(workers: int):
    """A process pool of `workers`: forked where possible, else the platform's default kind."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork" if can_fork() else None)
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)
