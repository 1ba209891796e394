"""The JSON API's documents (pydantic): the OpenAPI schema is generated from these.

Only what the public pages already show: no subscriber, address or token is reachable
from any of them.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from feeds.vocabulary import Kind, Modality, Status
from feeds.when import Precision


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedLinks(_Closed):
    ics: str = Field(description="iCalendar feed (subscribe with this URL or webcal://).")
    atom: str = Field(description="Atom feed of the changes.")


class RegionDoc(_Closed):
    id: str
    name: str = Field(description="In the asked language (English when not translated).")
    tz: str = Field(description="IANA time zone of the usual venue.")
    url: str = Field(description="The region's official page.")
    page: str = Field(description="This service's page of the region.")
    feeds: FeedLinks


class RegionList(_Closed):
    language: str
    regions: list[RegionDoc]


class Window(_Closed):
    """When the event can take place at the earliest and at the latest."""

    first_day: date = Field(description="First possible day, in the venue's zone.")
    last_day: date = Field(description="Last possible day, inclusive, in the venue's zone.")
    start: datetime | None = Field(
        description="Timed events only: the start instant (UTC offset included)."
    )
    end: datetime | None = Field(
        description="Timed events only: the end instant; equal to start for a deadline."
    )


class LinkDoc(_Closed):
    url: str
    label: str


class EventDoc(_Closed):
    id: str
    region: str = Field(description="Region id, or `global`.")
    kind: Kind
    status: Status
    title: str = Field(description="In the asked language (English when not translated).")
    precision: Precision = Field(description="How precisely the date is known.")
    when: str = Field(description="The date as stored in the timeline file.")
    label: str = Field(description="The date as readers should read it, in the asked language.")
    window: Window
    tz: str = Field(description="IANA time zone of the venue.")
    place: str
    modality: Modality | None
    revision: int = Field(description="SEQUENCE of the feed entry; grows with every change.")
    modified: datetime = Field(description="When the current revision was recorded (UTC).")
    sources: list[str]
    links: list[LinkDoc]
    page: str = Field(description="This service's page of the event.")
    ics: str = Field(description="The event alone as an iCalendar file.")


class EventList(_Closed):
    language: str
    events: list[EventDoc]


class ApiError(_Closed):
    error: str = Field(description="What is wrong, naming the parameter.")
    parameter: str | None = None
