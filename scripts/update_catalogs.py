"""Merge the UI's messages (templates and pages) into every translated locale's .po file.

    .venv/bin/python scripts/update_catalogs.py

Then translate the empty ``msgstr`` entries; ``tests/unit/test_i18n_catalog.py`` fails until done.
"""

from __future__ import annotations

from microlend.web.kit import catalog, i18n


def main() -> None:
    for locale in i18n.LOCALES:
        if locale == i18n.SOURCE_LOCALE:
            continue
        total, untranslated = catalog.update_catalog(locale)
        print(f"{locale}: {total} messages, {untranslated} to translate")


if __name__ == "__main__":
    main()
