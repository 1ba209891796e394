"""What the subscription page tests share: the clock, the moment, the secret."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
BASE_URL = "https://gcm.example.org"
SECRET = "integration-test-secret"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
