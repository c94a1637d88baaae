"""Translation helpers.

Labels (choices, verbose names) are marked with ``gettext_lazy``: Chinese source text,
English in ``caidan/locale/en``. Where the *source* text is the key — reading an Excel sheet
whose columns and cells are in Chinese whatever the page's language — use :func:`source`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def source(text) -> str:
    """The untranslated (Chinese) text of a string marked for translation."""
    with translation.override(None):  # no catalog: gettext returns the msgid
        return str(text)


def list_separator() -> str:
    """What separates the items of a list in the page's language: the enumeration comma 、
    in Chinese, ", " in English."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return "、" if language.lower().startswith("zh") else ", "


def clause_separator() -> str:
    """What separates clauses (observations, reasons) in the page's language: the Chinese
    semicolon ； in Chinese, "; " in English."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return "；" if language.lower().startswith("zh") else "; "


def join_list(items) -> str:
    """``items`` as one list in the page's language: 养老、助残 in Chinese, "elderly care,
    disability" in English. Each item is shown as text (lazy labels translated); empty
    items are left out."""
    return list_separator().join(text for text in map(str, items) if text)
