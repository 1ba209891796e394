"""Jinja environments for pages, one per language, built once, with that language's
translations of the ``web`` gettext domain (`reminders.web.translations`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from feeds.wording import RTL_LANGUAGES
from reminders.web.translations import translations

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@cache
def page_environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / "web"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations(lang), newstyle=True
    )
    env.globals.update(lang=lang, direction="rtl" if lang in RTL_LANGUAGES else "ltr")
    return env


def render_page(lang: str, name: str, **context: Any) -> str:
    return page_environment(lang).get_template(name).render(**context)
