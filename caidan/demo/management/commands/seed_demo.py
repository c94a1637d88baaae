from django.core.management.base import BaseCommand

from caidan.demo.data import seed


class Command(BaseCommand):
    help = "Create the demo jurisdiction (长宁区) and one demo user per role. Idempotent."

    def handle(self, *args, **options):
        created = seed()
        if any(created.values()):
            parts = ", ".join(f"{k}: {v}" for k, v in created.items() if v)
            self.stdout.write(f"Demo jurisdiction loaded ({parts}).")
        else:
            self.stdout.write("Demo jurisdiction already present; nothing to do.")
