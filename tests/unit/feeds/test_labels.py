"""Date labels a native reader accepts: whole values, six languages, every `when` form.

Written as UN documents in each language write dates: full month names in ranges, Chinese
至 and 年, Russian genitive months inside a date, Spanish "de", Arabic months as UN and
ESCWA documents write them ("تموز/يوليو") and "عام" before a bare year, "the week
starting …", and gender-neutral "expected" forms ("fecha prevista", "date prévue").
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feeds import when as w
from feeds.date_labels import date_label, expected_label
from feeds.vocabulary import LANGUAGES
from feeds.zones import moments_in_zone, zone_label

LABELS = [
    # one day
    (
        "2024-03-11",
        {
            "en": "11 March 2024",
            "fr": "11 mars 2024",
            "es": "11 de marzo de 2024",
            "ar": "11 آذار/مارس 2024",
            "ru": "11 марта 2024\xa0г.",
            "zh": "2024年3月11日",
        },
    ),
    # days in one month
    (
        "2024-07-03..2024-07-04",
        {
            "en": "3–4 July 2024",
            "fr": "du 3 au 4 juillet 2024",
            "es": "del 3 al 4 de julio de 2024",
            "ar": "3–4 تموز/يوليو 2024",
            "ru": "3–4 июля 2024\xa0г.",
            "zh": "2024年7月3日至4日",
        },
    ),
    # days across months
    (
        "2024-01-18..2024-02-29",
        {
            "en": "18 January – 29 February 2024",
            "fr": "du 18 janvier au 29 février 2024",
            "es": "del 18 de enero al 29 de febrero de 2024",
            "ar": "18 كانون الثاني/يناير – 29 شباط/فبراير 2024",
            "ru": "18 января – 29 февраля 2024\xa0г.",
            "zh": "2024年1月18日至2月29日",
        },
    ),
    # days across years
    (
        "2024-12-30..2025-01-03",
        {
            "en": "30 December 2024 – 3 January 2025",
            "fr": "du 30 décembre 2024 au 3 janvier 2025",
            "es": "del 30 de diciembre de 2024 al 3 de enero de 2025",
            "ar": "30 كانون الأول/ديسمبر 2024 – 3 كانون الثاني/يناير 2025",
            "ru": "30 декабря 2024\xa0г. – 3 января 2025\xa0г.",
            "zh": "2024年12月30日至2025年1月3日",
        },
    ),
    # alternatives
    (
        "2024-03-08 or 2024-03-11",
        {
            "en": "8 March 2024 or 11 March 2024 (date to be confirmed)",
            "fr": "8 mars 2024 ou 11 mars 2024 (date à confirmer)",
            "es": "8 de marzo de 2024 o 11 de marzo de 2024 (fecha por confirmar)",
            "ar": "8 آذار/مارس 2024 أو 11 آذار/مارس 2024 (التاريخ قيد التأكيد)",
            "ru": "8 марта 2024\xa0г. или 11 марта 2024\xa0г. (дата уточняется)",
            "zh": "2024年3月8日或2024年3月11日（日期待定）",
        },
    ),
    # week
    (
        "week of 2024-11-03",
        {
            "en": "the week starting 3 November 2024 (date to be confirmed)",
            "fr": "la semaine commençant le 3 novembre 2024 (date à confirmer)",
            "es": "la semana que comienza el 3 de noviembre de 2024 (fecha por confirmar)",
            "ar": "الأسبوع الذي يبدأ في 3 تشرين الثاني/نوفمبر 2024 (التاريخ قيد التأكيد)",
            "ru": "неделя, начинающаяся 3 ноября 2024\xa0г. (дата уточняется)",
            "zh": "自2024年11月3日起的一周（日期待定）",
        },
    ),
    # month
    (
        "2024-03",
        {
            "en": "March 2024 (date to be confirmed)",
            "fr": "mars 2024 (date à confirmer)",
            "es": "marzo de 2024 (fecha por confirmar)",
            "ar": "آذار/مارس 2024 (التاريخ قيد التأكيد)",
            "ru": "март 2024\xa0г. (дата уточняется)",
            "zh": "2024年3月（日期待定）",
        },
    ),
    # early
    (
        "early 2025",
        {
            "en": "early 2025 (date to be confirmed)",
            "fr": "début 2025 (date à confirmer)",
            "es": "principios de 2025 (fecha por confirmar)",
            "ar": "أوائل عام 2025 (التاريخ قيد التأكيد)",
            "ru": "начало 2025 года (дата уточняется)",
            "zh": "2025年1月至4月（日期待定）",
        },
    ),
    # mid
    (
        "mid 2025",
        {
            "en": "mid-2025 (date to be confirmed)",
            "fr": "mi-2025 (date à confirmer)",
            "es": "mediados de 2025 (fecha por confirmar)",
            "ar": "منتصف عام 2025 (التاريخ قيد التأكيد)",
            "ru": "середина 2025 года (дата уточняется)",
            "zh": "2025年5月至8月（日期待定）",
        },
    ),
    # late
    (
        "late 2024",
        {
            "en": "late 2024 (date to be confirmed)",
            "fr": "fin 2024 (date à confirmer)",
            "es": "finales de 2024 (fecha por confirmar)",
            "ar": "أواخر عام 2024 (التاريخ قيد التأكيد)",
            "ru": "конец 2024 года (дата уточняется)",
            "zh": "2024年9月至12月（日期待定）",
        },
    ),
    # half
    (
        "H2 2024",
        {
            "en": "second half of 2024 (date to be confirmed)",
            "fr": "second semestre 2024 (date à confirmer)",
            "es": "segundo semestre de 2024 (fecha por confirmar)",
            "ar": "النصف الثاني من عام 2024 (التاريخ قيد التأكيد)",
            "ru": "второе полугодие 2024 года (дата уточняется)",
            "zh": "2024年下半年（日期待定）",
        },
    ),
    # quarter
    (
        "Q1 2025",
        {
            "en": "first quarter of 2025 (date to be confirmed)",
            "fr": "premier trimestre 2025 (date à confirmer)",
            "es": "primer trimestre de 2025 (fecha por confirmar)",
            "ar": "الربع الأول من عام 2025 (التاريخ قيد التأكيد)",
            "ru": "первый квартал 2025 года (дата уточняется)",
            "zh": "2025年第一季度（日期待定）",
        },
    ),
    # year
    (
        "2025",
        {
            "en": "2025 (date to be confirmed)",
            "fr": "2025 (date à confirmer)",
            "es": "2025 (fecha por confirmar)",
            "ar": "عام 2025 (التاريخ قيد التأكيد)",
            "ru": "2025\xa0г. (дата уточняется)",
            "zh": "2025年（日期待定）",
        },
    ),
    # timed
    (
        "2024-03-11T08:30/10:00",
        {
            "en": "11 March 2024, 08:30–10:00",
            "fr": "11 mars 2024, 08:30–10:00",
            "es": "11 de marzo de 2024, 08:30–10:00",
            "ar": "11 آذار/مارس 2024، 08:30–10:00",
            "ru": "11 марта 2024\xa0г., 08:30–10:00",
            "zh": "2024年3月11日 08:30–10:00",
        },
    ),
    # timed across days
    (
        "2024-10-09T09:00/2024-10-10T17:00",
        {
            "en": "9 October 2024, 09:00 – 10 October 2024, 17:00",
            "fr": "du 9 octobre 2024, 09:00 au 10 octobre 2024, 17:00",
            "es": "del 9 de octubre de 2024, 09:00 al 10 de octubre de 2024, 17:00",
            "ar": "9 تشرين الأول/أكتوبر 2024، 09:00 – 10 تشرين الأول/أكتوبر 2024، 17:00",
            "ru": "9 октября 2024\xa0г., 09:00 – 10 октября 2024\xa0г., 17:00",
            "zh": "2024年10月9日 09:00至2024年10月10日 17:00",
        },
    ),
]

EXPECTED = [
    (
        "2028",
        {
            "en": "expected in 2028",
            "fr": "date prévue : 2028",
            "es": "fecha prevista: 2028",
            "ar": "الموعد المتوقع: عام 2028",
            "ru": "ожидается в 2028\xa0г.",
            "zh": "预计于2028年",
        },
    ),
    (
        "late 2024",
        {
            "en": "expected late 2024",
            "fr": "date prévue : fin 2024",
            "es": "fecha prevista: finales de 2024",
            "ar": "الموعد المتوقع: أواخر عام 2024",
            "ru": "ожидается в конце 2024 года",
            "zh": "预计于2024年9月至12月",
        },
    ),
    (
        "H2 2024",
        {
            "en": "expected in the second half of 2024",
            "fr": "date prévue : second semestre 2024",
            "es": "fecha prevista: segundo semestre de 2024",
            "ar": "الموعد المتوقع: النصف الثاني من عام 2024",
            "ru": "ожидается во втором полугодии 2024 года",
            "zh": "预计于2024年下半年",
        },
    ),
    (
        "Q1 2025",
        {
            "en": "expected in the first quarter of 2025",
            "fr": "date prévue : premier trimestre 2025",
            "es": "fecha prevista: primer trimestre de 2025",
            "ar": "الموعد المتوقع: الربع الأول من عام 2025",
            "ru": "ожидается в первом квартале 2025 года",
            "zh": "预计于2025年第一季度",
        },
    ),
    (
        "2025-02",
        {
            "en": "expected February 2025",
            "fr": "date prévue : février 2025",
            "es": "fecha prevista: febrero de 2025",
            "ar": "الموعد المتوقع: شباط/فبراير 2025",
            "ru": "ожидаемые сроки: февраль 2025\xa0г.",
            "zh": "预计时间：2025年2月",
        },
    ),
]


@pytest.mark.parametrize(("text", "labels"), LABELS, ids=[text for text, _ in LABELS])
def test_date_label_every_form_in_every_language(text: str, labels: dict[str, str]) -> None:
    when = w.parse(text)
    assert {lang: date_label(when, lang) for lang in LANGUAGES} == labels


@pytest.mark.parametrize(("text", "labels"), EXPECTED, ids=[text for text, _ in EXPECTED])
def test_expected_label_agrees_in_every_language(text: str, labels: dict[str, str]) -> None:
    when = w.parse(text)
    assert {lang: expected_label(when, lang) for lang in LANGUAGES} == labels


def test_timed_event_with_its_zone_in_every_language() -> None:
    start, end = datetime(2024, 3, 11, 7, 30, tzinfo=UTC), datetime(2024, 3, 11, 9, tzinfo=UTC)
    assert {lang: moments_in_zone(start, end, "Europe/Zurich", lang) for lang in LANGUAGES} == {
        "en": "Monday 11 March 2024, 08:30–10:00 (Zurich time, UTC+1)",
        "fr": "lundi 11 mars 2024, 08:30–10:00 (Zurich, UTC+1)",
        "es": "lunes, 11 de marzo de 2024, 08:30–10:00 (hora de Zúrich, UTC+1)",
        "ar": "الاثنين، 11 آذار/مارس 2024، 08:30–10:00 (توقيت زيورخ، \u2066UTC+1\u2069)",
        "ru": "понедельник, 11 марта 2024\xa0г., 08:30–10:00 (Цюрих, UTC+1)",
        "zh": "2024年3月11日星期一 08:30–10:00（苏黎世时间，UTC+1）",
    }


@pytest.mark.parametrize(
    ("tz", "moment", "lang", "label"),
    [
        (
            "America/Santiago",
            datetime(2025, 3, 18, 12, tzinfo=UTC),
            "es",
            "hora de Santiago de Chile, UTC-3",
        ),
        (
            "America/Santiago",
            datetime(2025, 6, 18, 12, tzinfo=UTC),
            "es",
            "hora de Santiago de Chile, UTC-4",
        ),
        ("Asia/Kolkata", datetime(2025, 6, 18, 12, tzinfo=UTC), "en", "Kolkata time, UTC+5:30"),
        ("UTC", datetime(2025, 6, 18, 12, tzinfo=UTC), "fr", "UTC"),
        (
            "Asia/Beirut",
            datetime(2024, 7, 3, 12, tzinfo=UTC),
            "ar",
            "توقيت بيروت، \u2066UTC+3\u2069",
        ),
    ],
)
def test_zone_label_city_and_offset_at_the_moment(
    tz: str, moment: datetime, lang: str, label: str
) -> None:
    assert zone_label(tz, moment, lang) == label
