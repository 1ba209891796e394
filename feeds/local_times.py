"""Local times that a zone skips or shows twice, as an organiser should hear of them."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from feeds import when as when_module


def local_time_problems(when: when_module.When, tz: str) -> list[str]:
    """A timed value's local times that do not exist in `tz` (the clocks jump over
    them), or happen twice (the clocks go back) without an offset saying which."""
    if not when.is_timed:
        return []
    assert when.start_time is not None
    zone = ZoneInfo(tz)
    times = [(when.first_day, when.start_time, when.start_offset)]
    if when.end_time is not None:
        times.append((when.last_day, when.end_time, when.end_offset))
    problems = []
    for day, moment, offset in times:
        local = f"{day.isoformat()}T{moment:%H:%M}"
        instants = when_module.local_instants(day, moment, zone)
        offsets = [when_module.offset_text(i.utcoffset()) for i in instants]
        if not instants:
            problems.append(
                f"{local} does not exist in {tz}: the clocks skip it (spring forward); "
                "use a time that exists"
            )
        elif offset is not None and when_module.offset_text(offset) not in offsets:
            problems.append(
                f"{local}{when_module.offset_text(offset)}: {tz} is at {' or '.join(offsets)} then"
            )
        elif len(instants) > 1 and offset is None:
            both = " and ".join(
                f"{local}{text} ({i.astimezone(UTC):%H:%M} UTC)"
                for text, i in zip(offsets, instants, strict=True)
            )
            problems.append(
                f"{local} happens twice in {tz} (the clocks go back): {both}; "
                f"write the one you mean with its offset, e.g. {local}{offsets[0]}"
            )
    return problems
