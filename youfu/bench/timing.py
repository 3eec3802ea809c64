"""Wall and CPU time of named phases. CPU time is the whole process's (every DuckDB thread): on a
machine shared with other work, wall time grows while CPU time stays about the same."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Timer:
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    # The process's CPU time by default; a thread of a run that has several times itself by its own
    # (time.thread_time: that thread's, not DuckDB's threads working for it).
    cpu_clock: Callable[[], float] = time.process_time

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block; a phase entered several times adds up."""
        wall, cpu = time.perf_counter(), self.cpu_clock()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + self.cpu_clock() - cpu

    def total(self, name: str, parts: Sequence[str]) -> None:
        self.seconds[name] = sum(self.seconds[part] for part in parts)
        self.cpu[name] = sum(self.cpu[part] for part in parts)
