"""How to take part, on the pages: ideas per stage, the regional network's address, the
guide's useful links and a glossary of the stages (pure).

The ideas for action are `reminders.take_part.ACTIONS`, the catalogue the reminder
emails use too. The links and the glossary follow the civil-society guide "Migration
Justice" (QUNO, December 2023) and ../shared/reference/domain.md; every address here is
one the guide gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from feeds import Region
from feeds.vocabulary import KIND_NAMES, Kind, phrase
from reminders.take_part import ACTIONS
from reminders.web.translations import N_

Gettext = Callable[[str], str]

#: The stages a region page walks through, in the order they come before a review.
STAGES: tuple[Kind, ...] = (
    Kind.PRE_CONSULTATION,
    Kind.DISCUSSION_SPACE,
    Kind.GCM_TALK,
    Kind.CONSULTATION,
    Kind.HEARING,
    Kind.REGIONAL_REVIEW,
)


@dataclass(frozen=True, slots=True)
class Resource:
    label: str  # a message id
    url: str


#: The guide's "Useful links", in the order a newcomer needs them.
RESOURCES: tuple[Resource, ...] = (
    Resource(
        N_("The UN Network on Migration's regional reviews page"),
        "https://migrationnetwork.un.org/regional-reviews-2024",
    ),
    Resource(
        N_("Stakeholder Roadmap for the regional reviews (PDF)"),
        "https://migrationnetwork.un.org/system/files/docs/"
        "Roadmap%20on%20Stakeholder%20engagement%20in%20the%20GCM%20Regional%20Reviews"
        "%202024%5B25%5D.pdf",
    ),
    Resource(
        N_("Discussion spaces on the Migration Network Hub"),
        "https://migrationnetwork.un.org/hub/discussion-space/regionalreviews",
    ),
    Resource(
        N_("Sign up for the Network's newsletter"),
        "https://migrationnetwork.us19.list-manage.com/subscribe"
        "?u=91a1d870ca31df83b2b697cf6&id=9c7fcb90a4",
    ),
    Resource(N_("Propose a GCM Talk (proposal form)"), "https://www.surveymonkey.com/r/HG8C92F"),
    Resource(
        N_("Updates on financial support for civil society (Migration MPTF)"),
        "https://mptf.undp.org/",
    ),
    Resource(
        N_("QUNO briefing on meaningful migrant participation"),
        "https://quno.org/resource/2023/11/"
        "enhancing-meaningful-participation-migrants-migrant-organizations-and-organized",
    ),
)

#: What each stage is, for a reader new to the reviews; the terms are the kinds' names.
GLOSSARY: tuple[tuple[Kind, str], ...] = (
    (
        Kind.PRE_CONSULTATION,
        N_(
            "An early meeting of stakeholders, often online, months before a review: it "
            "shapes the format and the themes of the review."
        ),
    ),
    (
        Kind.DISCUSSION_SPACE,
        N_(
            "An online forum on the Migration Network Hub, open for some weeks before a "
            "review, where anyone can submit written input and discuss it. A paper "
            "analysing the submissions is presented before the review."
        ),
    ),
    (
        Kind.GCM_TALK,
        N_(
            "An online or hybrid talk of the UN Network on Migration on one topic of the "
            "Global Compact for Migration. Anyone can propose a topic."
        ),
    ),
    (
        Kind.CONSULTATION,
        N_(
            "A meeting the UN Network on Migration hosts for each region in the weeks "
            "before a review, where migrants, civil society and other stakeholders say how "
            "the Global Compact for Migration is carried out in their region."
        ),
    ),
    (
        Kind.HEARING,
        N_(
            "The session that opens a regional review, where stakeholders speak to the "
            "States before the intergovernmental conference."
        ),
    ),
    (
        Kind.REGIONAL_REVIEW,
        N_(
            "The conference of the States of a region, organised by a UN regional "
            "commission with the UN Network on Migration, on the progress made under the "
            "Global Compact for Migration. Its outcomes feed the International Migration "
            "Review Forum."
        ),
    ),
    (
        Kind.IMRF,
        N_(
            "The global review of the Global Compact for Migration, every four years at UN "
            "Headquarters in New York. It ends with a Progress Declaration that States "
            "are then asked to follow up."
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TakePart:
    """A page's "How to take part"."""

    stages: tuple[Stage, ...]
    #: The regional network's address; "" where the guide gives none.
    contact: str
    #: The region's page on the Network's site, for the latest contact details.
    region_url: str
    resources: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    meaning: str


def take_part(
    kinds: tuple[Kind, ...], region: Region | None, lang: str, gettext: Gettext
) -> TakePart:
    """What to do before events of `kinds`, whom to write to in `region`, where to read on."""
    return TakePart(
        stages=tuple(
            Stage(phrase(KIND_NAMES[kind], lang), tuple(gettext(text) for text in ACTIONS[kind]))
            for kind in kinds
        ),
        contact=region.contact if region else "",
        region_url=region.url if region else "",
        resources=tuple(Link(gettext(found.label), found.url) for found in RESOURCES),
    )


def glossary(
    lang: str, gettext: Gettext, kinds: tuple[Kind, ...] | None = None
) -> tuple[Term, ...]:
    """The glossary, or its entries for `kinds` only."""
    return tuple(
        Term(phrase(KIND_NAMES[kind], lang), gettext(meaning))
        for kind, meaning in GLOSSARY
        if kinds is None or kind in kinds
    )
