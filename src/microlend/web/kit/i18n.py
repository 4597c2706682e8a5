"""Languages of the web UI: message catalogs and the choice of a locale per request.

Message ids are English; ``zh_CN`` translates them (``web/locale/zh_CN/LC_MESSAGES/messages.po``),
and ``en`` names the code words among them in English words (``web/locale/en/...``).
The ``.po`` files are the only committed form: they are compiled to ``.mo`` in memory the first time
a locale is asked for, so a stale binary catalog can never be served.
"""

from __future__ import annotations

import functools
import gettext as stdlib_gettext
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
LOCALE_COOKIE = "ml_lang"
DEFAULT_LOCALE = "zh_CN"
# The UI's source language: its messages need no catalog.
SOURCE_LOCALE = "en"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # the locale id used by Babel ("zh_CN")
    tag: str  # the BCP 47 tag for <html lang> ("zh-CN")
    native_name: str  # how the language names itself in the switcher


LANGUAGES: tuple[Language, ...] = (
    Language("zh_CN", "zh-CN", "简体中文"),
    Language("en", "en", "English"),
)
LOCALES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)


def language(code: str) -> Language:
    for candidate in LANGUAGES:
        if candidate.code == code:
            return candidate
    raise KeyError(code)


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(locale: str) -> stdlib_gettext.NullTranslations:
    """The compiled catalog of ``locale``. The source language's messages are English already;
    its catalog only names the code words the services store and the pages show through ``_()``
    (a loan status ``partially_paid`` reads "partially paid"): any other message is itself."""
    if locale not in LOCALES:
        raise KeyError(locale)
    with catalog_path(locale).open("rb") as po_file:
        catalog = read_po(po_file, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _language_ranges(accept_language: str) -> list[tuple[Decimal, int, str]]:
    """``Accept-Language`` as (quality, position, range), best first (RFC 9110 section 12.5.4)."""
    ranked: list[tuple[Decimal, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        name, _, params = item.strip().partition(";")
        quality = Decimal(1)
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = Decimal(value.strip())
                except InvalidOperation:
                    quality = Decimal(0)
        if name.strip() and quality.is_finite() and quality > 0:
            ranked.append((-quality, position, name.strip().lower()))
    ranked.sort()
    return ranked


def supported_locale(tag: str) -> str | None:
    """The supported locale serving a language tag or locale id, if any.

    Any Chinese tag maps to Simplified Chinese (the only Chinese catalog); English tags to English.
    """
    primary = tag.strip().lower().replace("_", "-").split("-")[0]
    if primary == "zh":
        return "zh_CN"
    if primary == "en":
        return "en"
    return None


def negotiate_locale(
    accept_language: str | None, chosen: str | None = None, default: str = DEFAULT_LOCALE
) -> str:
    """The locale for a request: the user's choice, else the browser's best, else the default."""
    if chosen in LOCALES:
        return chosen
    for _, _, tag in _language_ranges(accept_language or ""):
        if tag == "*":
            return default
        match = supported_locale(tag)
        if match:
            return match
    return default


def bilingual(locale: str, *, en: str, zh: str) -> str:
    """Pick the text of a record kept in both languages (role names, permission names, ledger
    account names): the one of ``locale``, else the other when that one is blank."""
    return zh if locale.startswith("zh") and zh else en or zh


def compiled_catalogs(
    locales: Iterable[str] = LOCALES,
) -> dict[str, stdlib_gettext.NullTranslations]:
    """Compile every catalog now (the app does it at startup so a broken .po fails fast)."""
    return {locale: translations(locale) for locale in locales}
