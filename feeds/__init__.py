"""Timeline model and calendar feeds for the GCM regional reviews (pure; no database)."""

from feeds.coverage import missing_translations
from feeds.date_labels import date_label
from feeds.loader import Problem, TimelineError, load_timeline, parse_timeline
from feeds.timeline import GLOBAL, Event, Link, Localized, Region, Texts, Timeline
from feeds.vocabulary import LANGUAGES, Kind, Modality, Status
from feeds.when import Precision, When, WhenError

__all__ = [
    "GLOBAL",
    "LANGUAGES",
    "Event",
    "Kind",
    "Link",
    "Localized",
    "Modality",
    "Precision",
    "Problem",
    "Region",
    "Status",
    "Texts",
    "Timeline",
    "TimelineError",
    "When",
    "WhenError",
    "date_label",
    "load_timeline",
    "missing_translations",
    "parse_timeline",
]
