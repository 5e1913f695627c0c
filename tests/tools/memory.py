"""Peak memory of a process tree, sampled from a process of its own (Linux /proc).

Kept apart from the benchmark so the sampling process imports nothing heavy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import defaultdict

from pipelines.settings import REPO_ROOT


def _tree_rss(root: int, leave_out: int | None = None) -> int:
    """Resident memory of a process and all its descendants (but `leave_out`), in bytes
    (Linux /proc)."""
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(entry))
        rss[int(entry)] = int(fields[21]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid == leave_out:
            continue
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _sample_memory(root: int, interval: float) -> None:
    """The sampling process: one line per sample (time, bytes) on stdout, until stdin closes."""
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    while not stop.is_set():
        print(f"{time.time()} {_tree_rss(root, leave_out=os.getpid())}", flush=True)
        stop.wait(interval)


class MemorySampler:
    """Samples the resident memory of this process tree, from a process of its own: a thread
    of the run's process reading /proc would compete with the run for its interpreter lock
    (measured: a slower ingest), and the sampler's own memory is left out."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._process: subprocess.Popen | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            at, rss = line.split()
            self.samples.append((float(at), int(rss)))

    def __enter__(self) -> MemorySampler:
        code = (
            "from tests.tools.memory import _sample_memory; "
            f"_sample_memory({os.getpid()}, {self.interval})"
        )
        self._process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
        )
        self._reader.start()
        # The first sample: the sampler is running before the work it measures starts.
        while not self.samples and self._process.poll() is None:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)
        self._reader.join(timeout=30)

    def peak(self, start: float, end: float) -> int:
        """The largest sample in [start, end]; for a window shorter than the sampling
        interval, the sample nearest to it."""
        samples = list(self.samples)
        inside = [rss for at, rss in samples if start <= at <= end]
        if inside or not samples:
            return max(inside, default=0)
        return min(samples, key=lambda sample: min(abs(sample[0] - start), abs(sample[0] - end)))[1]
