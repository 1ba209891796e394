"""How to take part, on the pages (shipped timeline, today): every region page gives the
guide's ideas for action stage by stage, the regional network's address and the useful
links; every event page gives them for its own stage; the home page and region pages
explain each stage in a glossary; in English, French and Arabic."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from tests.integration.reminders.web.web_support import Clock

pytestmark = pytest.mark.anyio
TODAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

REGISTER = (
    "Register to take part. Accreditation will be needed: the organisers publish the "
    "details closer to the date."
)
PREPARE = (
    "Prepare the priorities you want to raise, with examples from your work and your community."
)
SIDE_EVENT = (
    "Organise a side event or a virtual briefing on a priority issue, during the meeting or "
    "before it."
)
PLEDGES = (
    "Follow up on the pledges made at the International Migration Review Forum and ask for "
    "accountability."
)
STAGES_EN = [
    (
        "Pre-consultation",
        [
            "Take part in the pre-consultation: it shapes the format and the themes of the review.",
            PREPARE,
            "Share this date with migrant-led organisations and networks, so that migrants "
            "are represented.",
        ],
    ),
    (
        "Discussion space",
        [
            "Prepare and submit written input to the Discussion Space: your reports, "
            "information and perspectives.",
            "Join the online discussion to draw attention to your input.",
            "Follow what governments and other stakeholders post there.",
        ],
    ),
    (
        "GCM Talk",
        [
            "Suggest a topic and an outline for a GCM Talk on a priority issue, in contact "
            "with the Regional Network and the Network Secretariat.",
            "Take part in the GCM Talk and raise your priority issues where they fit the topic.",
        ],
    ),
    ("Multi-stakeholder consultation", [REGISTER, PREPARE, SIDE_EVENT]),
    ("Multi-stakeholder hearing", [REGISTER, PREPARE, SIDE_EVENT]),
    ("Regional review", [REGISTER, PREPARE, SIDE_EVENT, PLEDGES]),
]
RESOURCES_EN = [
    (
        "https://migrationnetwork.un.org/regional-reviews-2024",
        "The UN Network on Migration's regional reviews page",
    ),
    (
        "https://migrationnetwork.un.org/system/files/docs/Roadmap%20on%20Stakeholder%20"
        "engagement%20in%20the%20GCM%20Regional%20Reviews%202024%5B25%5D.pdf",
        "Stakeholder Roadmap for the regional reviews (PDF)",
    ),
    (
        "https://migrationnetwork.un.org/hub/discussion-space/regionalreviews",
        "Discussion spaces on the Migration Network Hub",
    ),
    (
        "https://migrationnetwork.us19.list-manage.com/subscribe?u=91a1d870ca31df83b2b697cf6"
        "&id=9c7fcb90a4",
        "Sign up for the Network's newsletter",
    ),
    ("https://www.surveymonkey.com/r/HG8C92F", "Propose a GCM Talk (proposal form)"),
    (
        "https://mptf.undp.org/",
        "Updates on financial support for civil society (Migration MPTF)",
    ),
    (
        "https://quno.org/resource/2023/11/enhancing-meaningful-participation-migrants-"
        "migrant-organizations-and-organized",
        "QUNO briefing on meaningful migrant participation",
    ),
]
CONTACTS_EN = {
    "europe-north-america": "Regional network's address: mignetUNECE@iom.int",
    "africa": "The regional page has the latest contact details. Regional page",
    "latin-america-caribbean": "Regional network's address: SociedadCivilLAC@iom.int",
    "arab-states": "Regional network's address: gcmrrarabstates@iom.int",
    "asia-pacific": "Regional network's address: unrnap@iom.int",
}
GLOSSARY_TERMS = {
    "en": [
        "Pre-consultation",
        "Discussion space",
        "GCM Talk",
        "Multi-stakeholder consultation",
        "Multi-stakeholder hearing",
        "Regional review",
        "International Migration Review Forum",
    ],
    "fr": [
        "Consultation préalable",
        "Espace de discussion",
        "Rencontre « GCM Talk »",
        "Consultation multipartite",
        "Audition multipartite",
        "Examen régional",
        "Forum d'examen des migrations internationales",
    ],
    "ar": [
        "مشاورة تمهيدية",
        "فضاء النقاش",
        "حوار «GCM Talk»",
        "مشاورة أصحاب المصلحة المتعددين",
        "جلسة استماع لأصحاب المصلحة المتعددين",
        "الاستعراض الإقليمي",
        "منتدى استعراض الهجرة الدولية",
    ],
}


def _text(html: str) -> str:
    return (
        " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'").replace("&amp;", "&")
    )


def _section(html: str, label: str) -> str:
    found = re.search(rf'<section aria-labelledby="{label}">(.*?)</section>', html, re.S)
    assert found is not None, label
    return found[1]


def _stages(section: str) -> list[tuple[str, list[str]]]:
    parts = re.findall(r"<h3>(.*?)</h3>\s*<ul class=\"actions\">(.*?)</ul>", section, re.S)
    return [
        (name, [_text(item) for item in re.findall(r"<li>(.*?)</li>", items)])
        for name, items in parts
    ]


def _resources(section: str) -> list[tuple[str, str]]:
    found = re.search(r'<ul class="resources">(.*?)</ul>', section, re.S)
    assert found is not None
    return [
        (url.replace("&amp;", "&"), _text(label))
        for url, label in re.findall(r'<a href="([^"]+)" rel="noopener">(.*?)</a>', found[1])
    ]


async def _page(client: httpx.AsyncClient, clock: Clock, path: str) -> str:
    clock.now = TODAY
    response = await client.get(path)
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize("region_id", sorted(CONTACTS_EN))
async def test_region_page_how_to_take_part(
    client: httpx.AsyncClient, clock: Clock, region_id: str
) -> None:
    section = _section(await _page(client, clock, f"/regions/{region_id}"), "take-part")
    contact = re.search(r'<p class="contact">(.*?)</p>', section, re.S)
    assert (_stages(section), _resources(section), _text(contact[1]) if contact else "") == (
        STAGES_EN,
        RESOURCES_EN,
        CONTACTS_EN[region_id],
    )


@pytest.mark.parametrize("lang", sorted(GLOSSARY_TERMS))
async def test_region_page_glossary(client: httpx.AsyncClient, clock: Clock, lang: str) -> None:
    html = await _page(client, clock, f"/regions/arab-states?lang={lang}")
    terms = [_text(term) for term in re.findall(r"<dt>(.*?)</dt>", _section(html, "glossary"))]
    assert terms == GLOSSARY_TERMS[lang]


async def test_region_page_how_to_take_part_in_arabic(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    html = await _page(client, clock, "/regions/arab-states?lang=ar")
    section = _section(html, "take-part")
    stages = _stages(section)
    assert [name for name, _ in stages] == GLOSSARY_TERMS["ar"][:-1]
    assert stages[5][1] == [
        "سجّل للمشاركة. سيلزم الحصول على الاعتماد، وينشر المنظمون التفاصيل مع اقتراب الموعد.",
        "حضّر الأولويات التي تريد طرحها، مع أمثلة من عملك ومجتمعك.",
        "نظّم فعالية جانبية أو إحاطة افتراضية حول قضية ذات أولوية، خلال الاجتماع أو قبله.",
        "تابع التعهدات التي قُطعت في منتدى استعراض الهجرة الدولية وطالب بالمساءلة.",
    ]
    contact = re.search(r'<p class="contact">(.*?)</p>', section, re.S)
    assert _text(contact[1] if contact else "") == "عنوان الشبكة الإقليمية: gcmrrarabstates@iom.int"
    assert [label for _, label in _resources(section)][:2] == [
        "صفحة الاستعراضات الإقليمية لشبكة الأمم المتحدة المعنية بالهجرة",
        "خارطة طريق مشاركة أصحاب المصلحة في الاستعراضات الإقليمية (\u2066PDF\u2069)",
    ]
    assert re.findall(r'<html lang="ar" dir="rtl">', html) == ['<html lang="ar" dir="rtl">']


async def test_event_page_how_to_take_part_for_its_stage(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    html = await _page(client, clock, "/events/global-2030-imrf?lang=fr")
    section = _section(html, "take-part")
    assert re.findall(r"<h3>(.*?)</h3>", section) == ["Liens utiles"]
    actions = re.search(r'<ul class="actions">(.*?)</ul>', section, re.S)
    assert actions is not None
    assert [_text(li) for li in re.findall(r"<li>(.*?)</li>", actions[1])] == [
        "Inscrivez-vous pour participer. Une accréditation sera nécessaire : les "
        "organisateurs en publient les modalités à l'approche de la date.",
        "Organisez un événement parallèle ou une séance d'information virtuelle sur une "
        "question prioritaire, pendant la réunion ou avant.",
        "Assurez le suivi des engagements pris lors du Forum d'examen des migrations "
        "internationales et demandez des comptes.",
    ]
    glossary = _section(html, "glossary")
    assert [_text(part) for part in re.findall(r"<d[td]>(.*?)</d[td]>", glossary)] == [
        "Forum d'examen des migrations internationales",
        "L'examen mondial du Pacte mondial sur les migrations, tous les quatre ans au Siège de "
        "l'ONU à New York. Il se conclut par une Déclaration sur les progrès accomplis, dont "
        "les États sont ensuite invités à assurer le suivi.",
    ]


async def test_event_page_of_a_past_event_offers_no_ideas_for_action(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    html = await _page(client, clock, "/events/arab-states-2024-review")
    section = _section(html, "take-part")
    assert re.findall(r'<ul class="actions">', section) == []
    assert [label for _, label in _resources(section)][:1] == [
        "The UN Network on Migration's regional reviews page"
    ]


async def test_home_page_useful_links_and_glossary(client: httpx.AsyncClient, clock: Clock) -> None:
    html = await _page(client, clock, "/")
    section = _section(html, "take-part")
    assert (_text(section.split("<h3>")[0]), _resources(section)) == (
        "How to take part Each region's page lists what you can do before each stage, and "
        "whom to write to.",
        RESOURCES_EN,
    )
    terms = [_text(term) for term in re.findall(r"<dt>(.*?)</dt>", _section(html, "glossary"))]
    assert terms == GLOSSARY_TERMS["en"]
