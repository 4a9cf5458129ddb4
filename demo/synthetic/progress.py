"""A one-line progress bar for long generations."""

from __future__ import annotations

import time


class Progress:
    """A one-line progress bar on stderr, redrawn at most twice a second."""

    def __init__(self, total: int, stream, enabled: bool = True, width: int = 30):
        self.total, self.stream, self.enabled, self.width = max(total, 1), stream, enabled, width
        self.started = self.last = time.monotonic()

    def update(self, done: int, extra: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < 0.5):
            return
        self.last = now
        share = min(done / self.total, 1)
        elapsed = now - self.started
        eta = elapsed / share - elapsed if share > 0 else 0
        bar = "#" * int(share * self.width) + "." * (self.width - int(share * self.width))
        self.stream.write(
            f"\r[{bar}] {share * 100:5.1f}% {done:,}/{self.total:,} {extra} "
            f"{elapsed:6.0f}s elapsed, ~{eta:5.0f}s left "
        )
        self.stream.flush()

    def finish(self, done: int, extra: str = "") -> None:
        self.update(done, extra, force=True)
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
