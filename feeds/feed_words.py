"""Words the calendar feeds print besides the date labels, in the six UN languages.

Status markers lead the SUMMARY because most clients show nothing else of a STATUS
(Google even hides cancelled entries), and the labels head the DESCRIPTION lines.
"""

from __future__ import annotations

from feeds.wording import Phrases

CANCELLED_MARKER: Phrases = {
    "en": "Cancelled:",
    "fr": "Annulé :",
    "es": "Cancelado:",
    "ar": "ملغى:",
    "ru": "Отменено:",
    "zh": "已取消：",
}

POSTPONED_MARKER: Phrases = {
    "en": "Postponed:",
    "fr": "Reporté :",
    "es": "Aplazado:",
    "ar": "مؤجل:",
    "ru": "Перенесено:",
    "zh": "已推迟：",
}

#: Appended to an exact-day event whose organisers have not confirmed it yet.
TENTATIVE_NOTE: Phrases = {
    "en": "(tentative)",
    "fr": "(provisoire)",
    "es": "(provisional)",
    "ar": "(مبدئي)",
    "ru": "(предварительно)",
    "zh": "（暂定）",
}

POSSIBLE_DATES: Phrases = {
    "en": "Possible dates: {dates}",
    "fr": "Dates possibles : {dates}",
    "es": "Fechas posibles: {dates}",
    "ar": "التواريخ المحتملة: {dates}",
    "ru": "Возможные даты: {dates}",
    "zh": "可能日期：{dates}",
}

STATUS_LINE: Phrases = {
    "en": "Status: {status}",
    "fr": "Statut : {status}",
    "es": "Estado: {status}",
    "ar": "الحالة: {status}",
    "ru": "Статус: {status}",
    "zh": "状态：{status}",
}

WHERE: Phrases = {
    "en": "Where: {place}",
    "fr": "Lieu : {place}",
    "es": "Lugar: {place}",
    "ar": "المكان: {place}",
    "ru": "Место: {place}",
    "zh": "地点：{place}",
}

CONTACT: Phrases = {
    "en": "Contact: {contact}",
    "fr": "Contact : {contact}",
    "es": "Contacto: {contact}",
    "ar": "جهة الاتصال: {contact}",
    "ru": "Контакт: {contact}",
    "zh": "联系方式：{contact}",
}

LINKS: Phrases = {
    "en": "Links:",
    "fr": "Liens :",
    "es": "Enlaces:",
    "ar": "روابط:",
    "ru": "Ссылки:",
    "zh": "链接：",
}

SOURCES: Phrases = {
    "en": "Sources:",
    "fr": "Sources :",
    "es": "Fuentes:",
    "ar": "المصادر:",
    "ru": "Источники:",
    "zh": "来源：",
}

EVENT_PAGE: Phrases = {
    "en": "Event page: {url}",
    "fr": "Page de l'événement : {url}",
    "es": "Página del evento: {url}",
    "ar": "صفحة الحدث: {url}",
    "ru": "Страница мероприятия: {url}",
    "zh": "活动页面：{url}",
}

CALENDAR_NAME: Phrases = {
    "en": "GCM regional reviews",
    "fr": "Examens régionaux du Pacte mondial sur les migrations",
    "es": "Exámenes regionales del Pacto Mundial para la Migración",
    "ar": "الاستعراضات الإقليمية للاتفاق العالمي من أجل الهجرة",
    "ru": "Региональные обзоры Глобального договора о миграции",
    "zh": "移民问题全球契约区域审议",
}

ALL_REGIONS: Phrases = {
    "en": "all regions",
    "fr": "toutes les régions",
    "es": "todas las regiones",
    "ar": "جميع المناطق",
    "ru": "все регионы",
    "zh": "所有区域",
}

CALENDAR_DESCRIPTION: Phrases = {
    "en": (
        "Dates of the Global Compact for Migration regional reviews: consultations, "
        "hearings and deadlines. Dates not fixed yet are marked “(date to be confirmed)”."
    ),
    "fr": (
        "Dates des examens régionaux du Pacte mondial sur les migrations : consultations, "
        "auditions et dates limites. Les dates non encore fixées portent la mention "
        "« (date à confirmer) »."
    ),
    "es": (
        "Fechas de los exámenes regionales del Pacto Mundial para la Migración: consultas, "
        "audiencias y plazos. Las fechas aún no fijadas llevan la indicación "
        "«(fecha por confirmar)»."
    ),
    "ar": (
        "مواعيد الاستعراضات الإقليمية للاتفاق العالمي من أجل الهجرة: المشاورات وجلسات "
        "الاستماع والمواعيد النهائية. التواريخ التي لم تحدد بعد مشار إليها بعبارة "
        "«(التاريخ قيد التأكيد)»."
    ),
    "ru": (
        "Даты региональных обзоров Глобального договора о миграции: консультации, "
        "слушания и сроки. Ещё не назначенные даты помечены «(дата уточняется)»."
    ),
    "zh": (
        "移民问题全球契约区域审议的日期：磋商、听证会和截止日期。尚未确定的日期标有“（日期待定）”。"
    ),
}
