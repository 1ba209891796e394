"""Page rendering: the ``web`` templates in one language (environments from `reminders.i18n`)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from reminders import i18n
from reminders.web.translations import DOMAIN


def page_environment(lang: str) -> Environment:
    return i18n.environment(lang, "web", DOMAIN)


def render_page(lang: str, name: str, **context: Any) -> str:
    return page_environment(lang).get_template(name).render(**context)
