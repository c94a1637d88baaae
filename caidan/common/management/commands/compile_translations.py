"""Compile every ``.po`` catalog under ``settings.LOCALE_PATHS`` to its sibling ``.mo``.

GNU gettext (``msgfmt``) is not a dependency of the project, so this is Django's
``compilemessages`` done with polib. ``.mo`` files are build artefacts (gitignored):
``make`` runs this command, and the i18n tests run it before rendering pages.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def compile_catalog(po_path: Path) -> bool:
    """Compile one catalog; return True when the ``.mo`` file was (re)written.

    Raises ``ValueError`` with a readable message when the ``.po`` file cannot be parsed.
    Fuzzy and untranslated entries are left out, as ``msgfmt`` does.
    """
    try:
        catalog = polib.pofile(str(po_path), encoding="utf-8", check_for_duplicates=True)
        binary = catalog.to_binary()
    except (OSError, ValueError, UnicodeError) as exc:
        raise ValueError(f"{po_path}: {exc}") from exc
    mo_path = po_path.with_suffix(".mo")
    try:
        if mo_path.read_bytes() == binary:
            return False
    except FileNotFoundError:
        pass
    tmp_path = mo_path.with_name(f".{mo_path.name}.tmp")
    tmp_path.write_bytes(binary)
    tmp_path.replace(mo_path)  # atomic: a running server never reads half a catalog
    return True


class Command(BaseCommand):
    help = "Compile the .po translation catalogs under LOCALE_PATHS to .mo files (uses polib)."

    def handle(self, *args, **options):
        po_files = sorted(
            po for base in settings.LOCALE_PATHS for po in Path(base).rglob("*.po") if po.is_file()
        )
        written, errors = 0, []
        for po_path in po_files:
            try:
                if compile_catalog(po_path):
                    written += 1
            except ValueError as exc:
                errors.append(str(exc))
        for error in errors:
            self.stderr.write(f"cannot compile {error}")
        if errors:
            raise CommandError(f"{len(errors)} translation catalog(s) failed to compile")
        self.stdout.write(
            f"compiled {len(po_files)} translation catalog(s) ({written} updated, "
            f"{len(po_files) - written} unchanged)"
        )
