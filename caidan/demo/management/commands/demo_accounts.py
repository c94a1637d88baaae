from django.core.management.base import BaseCommand

from caidan.accounts.models import Role
from caidan.demo.data import ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the URL and the demo accounts (one per role), and where to click."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        from caidan.demo.midyear import WHERE_TO_CLICK, already_seeded, waiting_experts

        out = self.stdout
        out.write("")
        out.write("=" * 72)
        out.write(f" Caidan 菜单 is starting on {url}")
        out.write(f" API docs: {url}api/v1/docs    OpenAPI: {url}api/v1/openapi.json")
        out.write(f" Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in ACCOUNTS:
            out.write(
                f"   {account.username:<12} {Role(account.role).label:<10} {account.display_name}"
            )
        out.write("   (purchaser also sits on the review committee: switch role at top right)")
        if already_seeded():
            out.write(" Mid-year demo — where to click (工作台 → panel):")
            for username, panel, what in WHERE_TO_CLICK:
                if username == "expert":  # the draw is random: name who was drawn
                    username = "/".join(waiting_experts()) or username
                out.write(f"   {username:<12} {panel:<16} {what}")
            out.write(
                "   (also expert2…expert9, provider2, provider3; same password; docs/demo.md)"
            )
        out.write("=" * 72)
        out.write("")
