"""Run a child process and measure it: wall time, CPU time, peak memory, CPU over time.

CPU and peak RSS come from ``os.wait4`` (the kernel's rusage of exactly that child), so the
benchmark's own work never counts. CPU over time is sampled from ``/proc/<pid>/stat`` so that a
window (e.g. from the first to the last page served) can be cut out of a run, leaving out the
start-up (imports) and shut-down a short benchmark would otherwise mostly measure.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROJECT = Path(__file__).resolve().parent.parent


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a running process (None once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which may itself hold spaces and parentheses.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class CpuSampler:
    """Samples the CPU time of some processes every ``every`` seconds in a background thread."""

    def __init__(self, pids: dict[str, int], every: float = 0.02):
        self.pids = pids
        self.every = every
        self.samples: dict[str, list[tuple[float, float]]] = {name: [] for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            for name, pid in self.pids.items():
                cpu = cpu_seconds(pid)
                if cpu is not None:
                    self.samples[name].append((now, cpu))
            self._stop.wait(self.every)

    def cpu_at(self, name: str, when: float) -> float:
        """CPU seconds used by ``when``, interpolated between the two nearest samples."""
        samples = self.samples[name]
        times = [t for t, _ in samples]
        i = bisect_left(times, when)
        if i == 0:
            return samples[0][1]
        if i == len(samples):
            return samples[-1][1]
        (t0, c0), (t1, c1) = samples[i - 1], samples[i]
        return c0 + (c1 - c0) * (when - t0) / (t1 - t0)

    def cpu_between(self, name: str, start: float, end: float) -> float:
        return self.cpu_at(name, end) - self.cpu_at(name, start)


@dataclass
class Finished:
    returncode: int
    wall: float
    cpu: float  # user + system seconds, whole process
    max_rss_mb: float
    stdout: str
    stderr: str
    sampler: CpuSampler | None = field(default=None, repr=False)


def run(
    cmd: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    watch: dict[str, int] | None = None,
    timeout: float = 3600,
) -> Finished:
    """Run ``cmd`` to the end; with ``watch``, also sample the CPU of the child ("child") and of
    the given other processes (e.g. the replica server) while it runs."""
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}-{time.time_ns()}"
    with open(f"{out_path}.out", "w+") as out, open(f"{out_path}.err", "w+") as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        sampler = CpuSampler({"child": proc.pid, **(watch or {})}) if watch is not None else None
        if sampler:
            sampler.__enter__()
        try:
            _, status, usage = _wait4(proc, timeout)
        finally:
            if sampler:
                sampler.__exit__()
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        result = Finished(
            returncode=os.waitstatus_to_exitcode(status),
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            max_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
            stdout=out.read(),
            stderr=err.read(),
            sampler=sampler,
        )
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    return result


def _wait4(proc: subprocess.Popen, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
            return pid, status, usage
        if time.monotonic() > deadline:
            proc.kill()
            deadline = float("inf")
        time.sleep(0.01)


def scrapy_env() -> dict[str, str]:
    """The environment without NEWSCRAWL_* variables, so a developer's shell cannot leak in."""
    return {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")}
