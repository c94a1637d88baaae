"""Translation helpers.

Labels (choices, verbose names) are marked with ``gettext_lazy``: Chinese source text,
English in ``caidan/locale/en``. Where the *source* text is the key — reading an Excel sheet
whose columns and cells are in Chinese whatever the page's language — use :func:`source`.
"""

from __future__ import annotations

from django.utils import translation


def source(text) -> str:
    """The untranslated (Chinese) text of a string marked for translation."""
    with translation.override(None):  # no catalog: gettext returns the msgid
        return str(text)
