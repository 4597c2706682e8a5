"""CPU time spent by a benchmark's client (this process, or the programs it ran) and by a
PostgreSQL server (the postmaster and all its processes), read from Linux's ``/proc``.

A server's CPU counts its live processes' own time and, through the postmaster's count of
its reaped children, the time of those that ended (a pgbench run's backend ends with it).
Ticks are the kernel's (``SC_CLK_TCK``, 10 ms): sum over a second or more."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command's name (the state first)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rpartition(")")[2].split()


def _children_ticks(parent: int) -> int:
    """User and system ticks of ``parent``'s live children."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat(int(entry))
        except (OSError, IndexError):
            continue  # ended while listed
        if int(fields[1]) == parent:
            total += int(fields[11]) + int(fields[12])
    return total


@dataclass(frozen=True)
class Server:
    """A running PostgreSQL server's processes, by its postmaster."""

    postmaster: int

    @classmethod
    def of(cls, data_dir: Path) -> Server:
        return cls(int((data_dir / "postmaster.pid").read_text().split()[0]))

    def seconds(self) -> float:
        """CPU seconds the server has spent so far: the postmaster's own, its ended children's
        and its live children's (read again if a child ended while they were read, which would
        count it twice or not at all)."""
        while True:
            before = _stat(self.postmaster)
            live = _children_ticks(self.postmaster)
            after = _stat(self.postmaster)
            if before[13:15] == after[13:15]:
                own_and_reaped = sum(int(value) for value in after[11:15])
                return (own_and_reaped + live) / TICK


def client_seconds(*, children: bool = False) -> float:
    """CPU seconds this process has spent so far, or (``children``) the programs it ran and
    waited for."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime
