"""Print a new key-encryption key for BID_SEALING_KEYS (sealed bids)."""

from django.core.management.base import BaseCommand

from caidan.procurement.sealing import new_sealing_key


class Command(BaseCommand):
    help = "生成新的投标封存主密钥（写入环境变量 BID_SEALING_KEYS，切勿存入数据库或代码库）"

    def add_arguments(self, parser):
        parser.add_argument("--id", default="k1", help="密钥标识（轮换时使用新标识）")

    def handle(self, *args, **options):
        self.stdout.write(f"BID_SEALING_KEYS={options['id']}:{new_sealing_key()}")
