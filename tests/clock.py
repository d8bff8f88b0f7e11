"""A monotonic clock that tests move by hand (token expiry, back-off) instead of sleeping."""
from __future__ import annotations


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
