"""A helper process that renders half of a long timeline's first load.

Start-up renders every entry of every event in six languages, and that is most of its
CPU; the service has one process, the machine usually more than one core. When the
timeline file is long, `Service.open` starts one helper process (spawned, so it shares
nothing with the server's threads) right away; it imports the renderer while the service
prepares its database and parses the file, then renders the later half of the events
(`feeds.entry_batch`) while the service renders the first half. The helper is stopped
after that first load: later loads render only what changed. If it fails, the service
renders those entries itself.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from feeds import Timeline
from feeds.entry_batch import Rendered, render_entries
from feeds.revisions import Revision

log = logging.getLogger(__name__)

#: A timeline file at least this long gets a helper. Measured on two cores: at 1,000
#: events (2 MB) the helper's own start (spawn and imports, about 1.5 s of CPU) costs what
#: it saves; at 10,000 (20 MB) it takes half of the entries, which are half the CPU.
HELPER_FILE_BYTES = 5_000_000


def _warm_up() -> None:
    import feeds.ical  # noqa: F401 (the import is the work)


class RenderHelper:
    """One helper process for one first load; `close` it when that load is built."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        )
        self._pool.submit(_warm_up)

    def share(
        self,
        timeline: Timeline,
        revisions: Mapping[str, Revision],
        host: str,
        base: str,
        now: datetime,
    ) -> Rendered | None:
        """Start rendering the later half of the events; their entries, when asked for
        (None: the helper is gone, the service renders them all)."""
        part = timeline.events[len(timeline.events) // 2 :]
        try:
            future = self._pool.submit(
                render_entries,
                part,
                {event.id: revisions[event.id] for event in part},
                host,
                base,
                {region.id: region for region in timeline.regions},
                now,
            )
        except (BrokenProcessPool, RuntimeError):  # it died (or was stopped) before
            log.exception("the render helper is gone; every event is rendered here")
            return None
        return _Pending(frozenset(event.id for event in part), future)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Pending(Mapping[str, Mapping[str, tuple[bytes, frozenset[str]]]]):
    """The helper's entries: which events it holds is known at once, their entries wait
    for it; if it failed, none is found (`get` gives None) and the service renders them."""

    def __init__(
        self,
        ids: frozenset[str],
        future: Future[dict[str, dict[str, tuple[bytes, frozenset[str]]]]],
    ) -> None:
        self._ids = ids
        self._future = future
        self._result: Mapping[str, Mapping[str, tuple[bytes, frozenset[str]]]] | None = None

    def _found(self) -> Mapping[str, Mapping[str, tuple[bytes, frozenset[str]]]]:
        if self._result is None:
            try:
                self._result = self._future.result()
            except Exception:  # the service renders them itself
                log.exception("the render helper failed; its events are rendered here")
                self._result = {}
        return self._result

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def __getitem__(self, event_id: str) -> Mapping[str, tuple[bytes, frozenset[str]]]:
        return self._found()[event_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)
