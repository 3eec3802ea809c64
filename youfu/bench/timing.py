"""Wall and CPU time of named phases. CPU time is the whole process's (every DuckDB thread): on a
machine shared with other work, wall time grows while CPU time stays about the same."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Timer:
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block; a phase entered several times adds up."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu

    def total(self, name: str, parts: Sequence[str]) -> None:
        self.seconds[name] = sum(self.seconds[part] for part in parts)
        self.cpu[name] = sum(self.cpu[part] for part in parts)
