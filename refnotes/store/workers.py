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


def unavailable() -> tuple[type[BaseException], ...]:
    """What a pool raises when no process is to be had here (no fork, no semaphores, no memory) or one
    of its workers died: the caller then does the work itself, in this process."""
    from concurrent.futures.process import BrokenProcessPool

    return (OSError, ImportError, BrokenProcessPool)


def pool(workers: int):
    """A process pool of `workers`: forked where possible, else the platform's default kind."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork" if can_fork() else None)
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)


class BackgroundFailed(Exception):
    """The forked child of `background` raised, or ended without an answer."""


class background:
    """`fn(*args)` run in a forked child while this process goes on; `result()` waits for what it returned.

    The child starts with everything this process has built so far (and nothing it builds later), and
    hands its return value back pickled, through a pipe. Use it as a context manager: a child whose
    result was never asked for is stopped on the way out. No thread is started, so the process may
    fork again (a pool) while the child runs.
    """

    def __init__(self, fn, *args):
        import multiprocessing
        import sys

        for stream in (sys.stdout, sys.stderr):  # else the child would print what waits in them again
            stream.flush()
        context = multiprocessing.get_context("fork")
        self._answers, send = context.Pipe(duplex=False)
        self._child = context.Process(target=_answer, args=(send, fn, args), daemon=True)
        self._child.start()
        send.close()  # the child's end: once it exits, reading here sees the end of the pipe

    def result(self):
        """What `fn` returned; BackgroundFailed if it raised or died."""
        try:
            done, value = self._answers.recv()
        except (EOFError, OSError):
            self._child.join()  # its end of the pipe closes a moment before it is reaped: its status, then
            done, value = False, f"the worker ended without an answer (exit status {self._child.exitcode})"
        finally:
            self._answers.close()
            self._child.join()
        if not done:
            raise BackgroundFailed(value)
        return value

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        if not self._answers.closed:
            self._answers.close()


def _answer(send, fn, args) -> None:
    try:
        answer = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - told to the parent, which does the work itself
        answer = (False, f"{type(exc).__name__}: {exc}")
    try:
        send.send(answer)
    except Exception as exc:  # noqa: BLE001 - an answer that cannot be pickled is a failure too
        send.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()
