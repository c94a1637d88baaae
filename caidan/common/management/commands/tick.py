import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from caidan.common.tick import JOBS, run_tick


class Command(BaseCommand):
    help = "Apply every due transition once (idempotent; safe to run on several servers)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO datetime to use as the clock (tests, replays)")
        parser.add_argument("--only", action="append", help="run only this job (repeatable)")

    def handle(self, *args, now=None, only=None, **options):
        clock = None
        if now:
            clock = dt.datetime.fromisoformat(now)
            if clock.tzinfo is None:
                raise CommandError("--now must include a time zone, e.g. 2026-11-23T09:00+08:00")
        unknown = set(only or []) - set(JOBS)
        if unknown:
            raise CommandError(f"unknown tick job(s): {', '.join(sorted(unknown))}")
        failed = False
        for result in run_tick(now=clock, only=only):
            line = f"{result.name}: {result.changed} changed"
            if result.error:
                failed = True
                line += f" — FAILED: {result.error}"
            self.stdout.write(line)
        if failed:
            raise CommandError("some tick jobs failed")
