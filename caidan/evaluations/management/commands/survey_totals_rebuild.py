"""Recompute the surveys' running totals from their answers and tokens (after a bulk load, or
to repair); idempotent."""

import time

from django.core.management.base import BaseCommand

from caidan.evaluations.services.survey_totals import REBUILD_BATCH, survey_totals_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild survey totals (重算满意度调查汇总) and each answer's has_text flag from the "
        "answers, one aggregate per batch of surveys; --totals-only skips has_text."
    )

    def add_arguments(self, parser):
        parser.add_argument("--survey", type=int, action="append", help="only this survey id")
        parser.add_argument("--batch", type=int, default=REBUILD_BATCH, help="surveys per batch")
        parser.add_argument(
            "--totals-only",
            action="store_true",
            help="do not recompute has_text (answers not inserted in bulk have it right)",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        done = survey_totals_rebuild(
            survey_ids=options["survey"],
            batch=max(1, options["batch"]),
            texts=not options["totals_only"],
        )
        self.stdout.write(
            f"survey totals rebuilt: {done} surveys in {time.monotonic() - started:.1f} s"
        )
