"""Survey tokens were stored as their plain SHA-256: 8 hex digits (32 bits) can be found
from a database dump in seconds. From now on every stored token hash is keyed (HMAC-SHA256
under ``settings.SURVEY_TOKEN_KEY``, which lives outside the database). The old tokens
cannot be recovered to re-hash them, so their stored digest is wrapped instead:
``HMAC(key, "legacy:" + sha256)``; ``surveys.token_hash`` recognises an old 8-hex-digit
token on entry and computes the same value, so slips already handed out keep working.

Reversing leaves the rows keyed (the old plain digests are not kept): old slips then no
longer match under the old code.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations


def rekey(apps, schema_editor):
    token_model = apps.get_model("evaluations", "SurveyToken")
    key = settings.SURVEY_TOKEN_KEY.encode()
    rows = token_model.objects.only("pk", "token_hash").order_by("pk")
    for row in rows.iterator(chunk_size=2000):
        keyed = hmac.new(key, b"legacy:" + row.token_hash.encode(), hashlib.sha256).hexdigest()
        token_model.objects.filter(pk=row.pk).update(token_hash=keyed)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
