"""Where the files that ship with the service are: templates and the shipped timeline.

In a source checkout (and an editable install) they sit at the top of the repository,
`templates/` and `config/timeline.toml`, where the design card puts them. The wheel
carries copies under `reminders/_data/` (`force-include` in pyproject.toml), so an
installed service runs from any folder. Catalogs and static files already live inside
the packages and need nothing here.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "_data"
_CHECKOUT = _PACKAGE.parent


def _installed_or_checkout(installed: Path, checkout: Path) -> Path:
    return installed if installed.exists() else checkout


TEMPLATES = _installed_or_checkout(_INSTALLED / "templates", _CHECKOUT / "templates")
SHIPPED_TIMELINE = _installed_or_checkout(
    _INSTALLED / "timeline.toml", _CHECKOUT / "config" / "timeline.toml"
)
