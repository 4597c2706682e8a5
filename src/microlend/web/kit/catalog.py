"""The UI's message catalog as the sources use it: extraction with Babel, and merging into the .po.

Messages come from the templates (``{% trans %}``, ``_()``) and from the Python that composes UI
text (``pages.py``, ``pages_*.py``, ``customer_file*.py``, ``readable.py``, ``errors_text.py`` and
``investigation_templates.py`` files and the web package, through ``_()`` or ``N_()``), and from
every module that raises a domain error: the message given to the error classes of
``kernel.errors`` and to the problems a refusal lists (the UI shows it translated, see
``web/kit/error_text.py``).
``scripts/update_catalogs.py`` merges them into ``web/locale/*/LC_MESSAGES/messages.po``; a unit
test checks every one of them is translated.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from microlend.web.kit import i18n

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/microlend
TEMPLATE_DIR = PACKAGE_DIR / "web" / "templates"
JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "newstyle_gettext": "true",
}


HEADER_COMMENT = (
    "# Messages of the microlend web UI.\n"
    "# Merged by scripts/update_catalogs.py; translate every empty msgstr."
)


@dataclass(frozen=True, slots=True)
class UsedMessage:
    msgid: str | tuple[str, ...]  # a (singular, plural) pair for ngettext
    context: str | None
    location: str  # "templates/users.html:12"


def _template_messages() -> Iterator[UsedMessage]:
    method_map = [("**.html", "jinja2")]
    options_map = {"**.html": JINJA_OPTIONS}
    for filename, lineno, message, _comments, context in extract_from_dir(
        TEMPLATE_DIR, method_map, options_map
    ):
        yield UsedMessage(message, context, f"web/templates/{filename}:{lineno}")


def _python_messages() -> Iterator[UsedMessage]:
    method_map = [
        ("**/pages.py", "python"),
        ("**/pages_*.py", "python"),
        ("**/customer_file.py", "python"),  # the customer 360's sections (customers.extensions)
        ("**/customer_file_*.py", "python"),
        ("**/readable.py", "python"),  # product terms as people read them
        ("**/errors_text.py", "python"),  # a context's error sentences
        ("**/investigation_templates.py", "python"),  # the investigation forms' fields
        ("web/**.py", "python"),
    ]
    for filename, lineno, message, _comments, context in extract_from_dir(
        PACKAGE_DIR,
        method_map,
        keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
    ):
        yield UsedMessage(message, context, f"{filename}:{lineno}")


# The domain error classes (kernel/errors.py): their first argument is the message; the problems
# a refusal lists (a request outside a product's ranges, an application not ready to submit):
# their third.
ERROR_KEYWORDS: dict[str, tuple[int, ...]] = {
    **dict.fromkeys(
        (
            "DomainError",
            "ValidationFailed",
            "NotFound",
            "Gone",
            "Unauthenticated",
            "Forbidden",
            "Conflict",
            "RuleViolation",
            "TooManyRequests",
        ),
        (1,),
    ),
    "RequestProblem": (3,),
    "SubmissionProblem": (3,),
}


def _error_messages() -> Iterator[UsedMessage]:
    # Babel warns on stderr of every f-string among the arguments; those are the other arguments
    # (``field=f"terms.{name}"``), never the message (the catalog test would find it missing).
    with contextlib.redirect_stderr(io.StringIO()):
        found = list(extract_from_dir(PACKAGE_DIR, [("**.py", "python")], keywords=ERROR_KEYWORDS))
    for filename, lineno, message, _comments, context in found:
        yield UsedMessage(message, context, f"{filename}:{lineno}")


def used_messages() -> list[UsedMessage]:
    """Every message the UI can show, where it is used."""
    return [*_template_messages(), *_python_messages(), *_error_messages()]


def read_catalog(locale: str) -> Catalog:
    with i18n.catalog_path(locale).open("rb") as po_file:
        return read_po(po_file, locale=locale, domain=i18n.DOMAIN)


def update_catalog(locale: str) -> tuple[int, int]:
    """Merge the used messages into ``locale``'s .po; returns (messages, untranslated)."""
    template = Catalog(project="microlend", domain=i18n.DOMAIN)
    for used in used_messages():
        filename, _, line = used.location.rpartition(":")
        template.add(used.msgid, locations=[(filename, int(line))], context=used.context)
    path = i18n.catalog_path(locale)
    if path.exists():
        catalog = read_catalog(locale)
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created  # no diff noise when nothing changed
    else:
        catalog = Catalog(locale=locale, domain=i18n.DOMAIN)
        catalog.update(template)
    catalog.project, catalog.version = "microlend", "0.1"
    catalog.copyright_holder, catalog.msgid_bugs_address = "microlend", ""
    catalog.last_translator, catalog.language_team = "microlend team", f"microlend <{locale}>"
    catalog.header_comment = HEADER_COMMENT
    catalog.fuzzy = False
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po_file:
        write_po(
            po_file, catalog, width=100, omit_header=False, include_lineno=False, sort_output=True
        )
    messages = [m for m in catalog if m.id]
    return len(messages), sum(1 for m in messages if not m.string)
