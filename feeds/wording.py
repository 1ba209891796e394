"""Words the feeds and pages print, in the six UN languages, and date labels built from them.

Month and day names come from Babel's CLDR data; the phrases CLDR has no pattern for
("week of", "late 2024", "date to be confirmed") are written out here per language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from functools import cache

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from babel.lists import format_list

from feeds.when import Precision, When

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "ru", "zh")
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"

#: UN documents write "11 March 2024"; CLDR's plain `en` is American ("March 11, 2024").
_BABEL_LOCALE = {"en": "en_GB"}


@cache
def babel_locale(lang: str) -> Locale:
    return Locale.parse(_BABEL_LOCALE.get(lang, lang))


class Kind(StrEnum):
    PRE_CONSULTATION = "pre-consultation"
    CONSULTATION = "multi-stakeholder-consultation"
    HEARING = "multi-stakeholder-hearing"
    REGISTRATION_DEADLINE = "registration-deadline"
    DISCUSSION_SPACE = "discussion-space"
    GCM_TALK = "gcm-talk"
    REGIONAL_REVIEW = "regional-review"
    IMRF = "imrf"
    OTHER = "other"


class Status(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class Modality(StrEnum):
    IN_PERSON = "in-person"
    ONLINE = "online"
    HYBRID = "hybrid"


Phrases = Mapping[str, str]

KIND_NAMES: Mapping[Kind, Phrases] = {
    Kind.PRE_CONSULTATION: {
        "en": "Pre-consultation",
        "fr": "Pré-consultation",
        "es": "Consulta previa",
        "ar": "مشاورة تمهيدية",
        "ru": "Предварительная консультация",
        "zh": "预备磋商",
    },
    Kind.CONSULTATION: {
        "en": "Multi-stakeholder consultation",
        "fr": "Consultation multipartite",
        "es": "Consulta de múltiples partes interesadas",
        "ar": "مشاورة أصحاب المصلحة المتعددين",
        "ru": "Консультация с участием многих сторон",
        "zh": "多利益攸关方磋商",
    },
    Kind.HEARING: {
        "en": "Multi-stakeholder hearing",
        "fr": "Audition multipartite",
        "es": "Audiencia de múltiples partes interesadas",
        "ar": "جلسة استماع لأصحاب المصلحة المتعددين",
        "ru": "Слушания с участием многих сторон",
        "zh": "多利益攸关方听证会",
    },
    Kind.REGISTRATION_DEADLINE: {
        "en": "Registration deadline",
        "fr": "Date limite d'inscription",
        "es": "Plazo de inscripción",
        "ar": "الموعد النهائي للتسجيل",
        "ru": "Срок регистрации",
        "zh": "报名截止日期",
    },
    Kind.DISCUSSION_SPACE: {
        "en": "Discussion space",
        "fr": "Espace de discussion",
        "es": "Espacio de debate",
        "ar": "فضاء النقاش",
        "ru": "Дискуссионная площадка",
        "zh": "讨论空间",
    },
    Kind.GCM_TALK: {
        "en": "GCM Talk",
        "fr": "GCM Talk",
        "es": "GCM Talk",
        "ar": "حوار الاتفاق العالمي",
        "ru": "Беседа по ГДМ",
        "zh": "移民问题全球契约对话",
    },
    Kind.REGIONAL_REVIEW: {
        "en": "Regional review",
        "fr": "Examen régional",
        "es": "Examen regional",
        "ar": "الاستعراض الإقليمي",
        "ru": "Региональный обзор",
        "zh": "区域审议",
    },
    Kind.IMRF: {
        "en": "International Migration Review Forum",
        "fr": "Forum d'examen des migrations internationales",
        "es": "Foro de Examen de la Migración Internacional",
        "ar": "منتدى استعراض الهجرة الدولية",
        "ru": "Форум по обзору международной миграции",
        "zh": "国际移民审查论坛",
    },
    Kind.OTHER: {
        "en": "Other",
        "fr": "Autre",
        "es": "Otro",
        "ar": "أخرى",
        "ru": "Другое",
        "zh": "其他",
    },
}

STATUS_NAMES: Mapping[Status, Phrases] = {
    Status.CONFIRMED: {
        "en": "confirmed",
        "fr": "confirmé",
        "es": "confirmado",
        "ar": "مؤكد",
        "ru": "подтверждено",
        "zh": "已确认",
    },
    Status.TENTATIVE: {
        "en": "tentative",
        "fr": "provisoire",
        "es": "provisional",
        "ar": "مبدئي",
        "ru": "предварительно",
        "zh": "暂定",
    },
    Status.POSTPONED: {
        "en": "postponed",
        "fr": "reporté",
        "es": "aplazado",
        "ar": "مؤجل",
        "ru": "перенесено",
        "zh": "已推迟",
    },
    Status.CANCELLED: {
        "en": "cancelled",
        "fr": "annulé",
        "es": "cancelado",
        "ar": "ملغى",
        "ru": "отменено",
        "zh": "已取消",
    },
}

MODALITY_NAMES: Mapping[Modality, Phrases] = {
    Modality.IN_PERSON: {
        "en": "in person",
        "fr": "en présentiel",
        "es": "presencial",
        "ar": "حضوري",
        "ru": "очно",
        "zh": "线下",
    },
    Modality.ONLINE: {
        "en": "online",
        "fr": "en ligne",
        "es": "en línea",
        "ar": "عبر الإنترنت",
        "ru": "онлайн",
        "zh": "线上",
    },
    Modality.HYBRID: {
        "en": "hybrid",
        "fr": "hybride",
        "es": "híbrido",
        "ar": "مختلط",
        "ru": "гибридный формат",
        "zh": "线上线下结合",
    },
}

TO_BE_CONFIRMED: Phrases = {
    "en": "(date to be confirmed)",
    "fr": "(date à confirmer)",
    "es": "(fecha por confirmar)",
    "ar": "(التاريخ قيد التأكيد)",
    "ru": "(дата уточняется)",
    "zh": "（日期待定）",
}

#: A marker title for a window too long to paint on a calendar ("expected late 2024").
EXPECTED: Phrases = {
    "en": "expected {label}",
    "fr": "prévu : {label}",
    "es": "previsto para {label}",
    "ar": "متوقع: {label}",
    "ru": "ожидается: {label}",
    "zh": "预计 {label}",
}

_WEEK_OF: Phrases = {
    "en": "week of {day}",
    "fr": "semaine du {day}",
    "es": "semana del {day}",
    "ar": "أسبوع {day}",
    "ru": "неделя с {day}",
    "zh": "{day}当周",
}

_PART_PHRASES: Mapping[str, Phrases] = {
    "early": {
        "en": "early {year}",
        "fr": "début {year}",
        "es": "principios de {year}",
        "ar": "أوائل {year}",
        "ru": "начало {year} года",
        "zh": "{year}年初",
    },
    "mid": {
        "en": "mid-{year}",
        "fr": "mi-{year}",
        "es": "mediados de {year}",
        "ar": "منتصف {year}",
        "ru": "середина {year} года",
        "zh": "{year}年中",
    },
    "late": {
        "en": "late {year}",
        "fr": "fin {year}",
        "es": "finales de {year}",
        "ar": "أواخر {year}",
        "ru": "конец {year} года",
        "zh": "{year}年底",
    },
    "H1": {
        "en": "first half of {year}",
        "fr": "premier semestre {year}",
        "es": "primer semestre de {year}",
        "ar": "النصف الأول من {year}",
        "ru": "первое полугодие {year} года",
        "zh": "{year}年上半年",
    },
    "H2": {
        "en": "second half of {year}",
        "fr": "second semestre {year}",
        "es": "segundo semestre de {year}",
        "ar": "النصف الثاني من {year}",
        "ru": "второе полугодие {year} года",
        "zh": "{year}年下半年",
    },
}

_QUARTER: Phrases = {
    "en": "{ordinal} quarter of {year}",
    "fr": "{ordinal} trimestre {year}",
    "es": "{ordinal} trimestre de {year}",
    "ar": "الربع {ordinal} من {year}",
    "ru": "{ordinal} квартал {year} года",
    "zh": "{year}年第{ordinal}季度",
}
_ORDINALS: Mapping[str, tuple[str, str, str, str]] = {
    "en": ("first", "second", "third", "fourth"),
    "fr": ("1er", "2e", "3e", "4e"),
    "es": ("primer", "segundo", "tercer", "cuarto"),
    "ar": ("الأول", "الثاني", "الثالث", "الرابع"),
    "ru": ("I", "II", "III", "IV"),
    "zh": ("一", "二", "三", "四"),
}


#: Between a date and its time: Chinese uses no comma there, Arabic its own comma.
_DATE_TIME_SEPARATOR: Mapping[str, str] = {"zh": " ", "ar": "، "}


def phrase(table: Phrases, lang: str) -> str:
    return table.get(lang) or table[DEFAULT_LANGUAGE]


def _long_date(day: date, lang: str) -> str:
    return format_date(day, "long", locale=babel_locale(lang))


def _hm(moment: datetime, lang: str) -> str:
    return format_time(moment.time(), "HH:mm", locale=babel_locale(lang))


def period_label(when: When, lang: str) -> str:
    """The date as announced, in `lang`, without any "to be confirmed" note."""
    locale = babel_locale(lang)
    first = when.first_day
    match when.precision:
        case Precision.TIMED:
            assert when.start_time is not None
            start = datetime.combine(first, when.start_time)
            comma = _DATE_TIME_SEPARATOR.get(lang, ", ")
            text = f"{_long_date(first, lang)}{comma}{_hm(start, lang)}"
            if when.end_time is None:
                return text
            end = datetime.combine(when.last_day, when.end_time)
            if when.last_day == first:
                return f"{text}–{_hm(end, lang)}"
            return f"{text} – {_long_date(when.last_day, lang)}{comma}{_hm(end, lang)}"
        case Precision.DAY:
            return _long_date(first, lang)
        case Precision.DAYS:
            return format_interval(first, when.last_day, "yMMMMd", locale=locale)
        case Precision.ALTERNATIVES:
            return format_list(
                [_long_date(d, lang) for d in when.alternatives], style="or", locale=locale
            )
        case Precision.WEEK:
            return phrase(_WEEK_OF, lang).format(day=_long_date(first, lang))
        case Precision.MONTH:
            return format_skeleton("yMMMM", first, locale=locale)
        case Precision.PART_OF_YEAR:
            assert when.part is not None
            if when.part.startswith("Q"):
                ordinal = _ORDINALS.get(lang, _ORDINALS[DEFAULT_LANGUAGE])[int(when.part[1]) - 1]
                return phrase(_QUARTER, lang).format(ordinal=ordinal, year=first.year)
            return phrase(_PART_PHRASES[when.part], lang).format(year=first.year)
        case Precision.YEAR:
            return str(first.year)
    raise AssertionError(when.precision)  # pragma: no cover


def date_label(when: When, lang: str) -> str:
    """The date as people should read it: the announced period, flagged when no day is known.

    "March 2024 (date to be confirmed)", "marzo de 2024 (fecha por confirmar)", "11 March 2024".
    """
    text = period_label(when, lang)
    if when.is_exact_day:
        return text
    note = phrase(TO_BE_CONFIRMED, lang)
    # Full-width brackets (Chinese) carry their own spacing.
    return f"{text}{note}" if note.startswith("（") else f"{text} {note}"
