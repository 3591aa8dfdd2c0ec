"""Downloads give way to residents.

A streamed export is one request that can run for minutes and keep a core
busy; on a small server that core is taken from the residents submitting
answers (docs/benchmarks.md, the soak). So while the machine has no idle
CPU, an export pauses after each stretch of work for ``1/share - 1`` times
as long as the work took: it then uses at most ``share`` of a core
(``EXPORT_BUSY_SHARE``, 0.1). On a machine with a core to spare it runs at
full speed. The time counted is the wall time spent producing chunks, so
the database's part of the work (a PostgreSQL backend) counts too, and the
time spent sending to a slow client does not.

Why not a lower OS priority for the export: nice applies per thread, and a
niced thread that holds the GIL stalls every other thread of its worker
(priority inversion). Sleeping gives up the GIL and the CPU alike.

"Busy" is measured, not guessed: the kernel's count of runnable threads
(``procs_running`` in /proc/stat, the export's own thread among them). More
of them than CPUs means someone is waiting for a CPU the export holds. The
idle time of the machine would not do: on a one-core server an export
alone leaves no idle time, and should still run at full speed. Where
/proc/stat cannot be read, the one-minute load average against the CPU
count stands in. In a container /proc/stat is the host's: a busy host
paces the export, a quiet host under a CPU quota does not.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from flask import current_app

T = TypeVar("T")

# Work counted before the machine is looked at: /proc/stat moves in 10 ms
# ticks, and reading it per NDJSON line would cost more than the line.
STRETCH_SECONDS = 0.05
# Longest single pause: proxies cut a response that sends nothing for a
# minute or so (nginx's proxy_read_timeout is 60 s).
MAX_PAUSE_SECONDS = 10.0
STAT = "/proc/stat"
_pause = time.sleep  # looked up per download, so a test can watch the pauses


def _runnable() -> int | None:
    """Threads running or waiting for a CPU right now, machine-wide, or None."""
    try:
        with open(STAT, encoding="ascii") as stat:
            for line in stat:
                if line.startswith("procs_running "):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class Machine:
    """Says whether other threads are waiting for a CPU."""

    def __init__(self, runnable: Callable[[], int | None] = _runnable, cpus: int | None = None):
        self.runnable = runnable
        self.cpus = cpus or os.cpu_count() or 1

    def busy(self) -> bool:
        count = self.runnable()
        if count is None:
            return _load_busy(self.cpus)
        return count > self.cpus


def _load_busy(cpus: int) -> bool:
    try:
        return os.getloadavg()[0] > cpus
    except OSError:
        return False


def paced(
    chunks: Iterable[T],
    share: float,
    machine: Machine | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] | None = None,
) -> Iterator[T]:
    """``chunks`` unchanged, with pauses while the machine is busy (above).
    ``share`` 1 or more turns pacing off."""
    if share >= 1:
        yield from chunks
        return
    ratio = (1 - share) / share
    machine = machine or Machine()
    sleep = sleep or _pause
    worked = 0.0
    source = iter(chunks)
    while True:
        started = clock()
        try:
            chunk = next(source)
        except StopIteration:
            return
        worked += clock() - started
        yield chunk
        if worked >= STRETCH_SECONDS:
            if machine.busy():
                sleep(min(worked * ratio, MAX_PAUSE_SECONDS))
            worked = 0.0


def download(chunks: Iterable[T]) -> Iterator[T]:
    """``paced`` with the app's ``EXPORT_BUSY_SHARE``: every streamed
    download of responses goes through here."""
    return paced(chunks, current_app.config["EXPORT_BUSY_SHARE"])
