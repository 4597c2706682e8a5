"""Every message the UI shows has a Simplified Chinese translation, with the same placeholders.

Messages are extracted from the templates and pages with Babel's extractors (the same extraction
``scripts/update_catalogs.py`` merges into the .po), so a new ``_("...")`` or ``{% trans %}``
without a translation fails here instead of showing English in a Chinese UI.
"""

from __future__ import annotations

import re

import pytest

from microlend.web.kit import catalog, i18n

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _ids(msgid: str | tuple[str, str]) -> tuple[str, ...]:
    return msgid if isinstance(msgid, tuple) else (msgid,)


@pytest.fixture(scope="module")
def used() -> list[catalog.UsedMessage]:
    return catalog.used_messages()


@pytest.fixture(scope="module")
def zh_cn() -> dict[str, str | tuple[str, ...]]:
    translated = {}
    for message in catalog.read_catalog("zh_CN"):
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        translated[key] = message.string
    return translated


def test_the_extractor_finds_the_ui_messages(used: list[catalog.UsedMessage]) -> None:
    """Guard against an extraction that silently finds nothing (and so checks nothing)."""
    texts = {_ids(message.msgid)[0] for message in used}
    assert {"Sign in", "Checker inbox", "Users", "Offices"} <= texts
    files = {message.location.rpartition(":")[0] for message in used}
    assert any(name.endswith("pages.py") for name in files), "no message found in any pages.py"


def test_every_used_message_has_a_chinese_translation(
    used: list[catalog.UsedMessage], zh_cn: dict[str, str | tuple[str, ...]]
) -> None:
    missing = sorted(
        f"{message.location}: {_ids(message.msgid)[0]!r}"
        for message in used
        if not _is_translated(zh_cn.get(_ids(message.msgid)[0]))
    )
    assert missing == [], "untranslated (run scripts/update_catalogs.py):\n" + "\n".join(missing)


def _is_translated(translation: str | tuple[str, ...] | None) -> bool:
    if isinstance(translation, tuple):
        return all(translation)
    return bool(translation)


def test_translations_keep_the_placeholders(zh_cn: dict[str, str | tuple[str, ...]]) -> None:
    broken = []
    for msgid, translation in zh_cn.items():
        for text in _ids(translation) if isinstance(translation, tuple) else (translation,):
            if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text)):
                broken.append(f"{msgid!r} -> {text!r}")
    assert broken == []


def test_the_catalog_compiles_and_translates() -> None:
    zh = i18n.translations("zh_CN")
    assert zh.gettext("Sign in") != "Sign in"
    assert i18n.translations("en").gettext("Sign in") == "Sign in"


def test_english_names_the_code_words_and_nothing_else() -> None:
    """The source language's catalog turns the codes the loan pages show (loans.pages.CODE_WORDS)
    into words; every other message stays as written."""
    from microlend.loans.pages import CODE_WORDS

    named = {m.id: m.string for m in catalog.read_catalog("en") if m.id}
    assert set(named) <= set(CODE_WORDS), "the English catalog names only code words"
    assert {code for code in CODE_WORDS if "_" in code} <= set(named), "a code reads as a code"
    assert all(word and "_" not in word for word in named.values())
    en = i18n.translations("en")
    assert en.gettext("partially_paid") == "partially paid"
    assert en.gettext("overdue") == "overdue" and en.gettext("Payoff quote") == "Payoff quote"
