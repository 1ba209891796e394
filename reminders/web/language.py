"""Which language a page is shown in: the URL's choice, else the browser's (pure)."""

from __future__ import annotations

from feeds.vocabulary import DEFAULT_LANGUAGE, LANGUAGES


def _accepted(header: str) -> list[tuple[float, int, str]]:
    ranked = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return sorted(ranked)


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    if chosen in LANGUAGES:
        return chosen
    if accept_language:
        ranked = _accepted(accept_language)
        if ranked:
            return ranked[0][2]
    return DEFAULT_LANGUAGE
