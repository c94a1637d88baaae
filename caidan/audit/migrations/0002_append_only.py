"""Make the audit log append-only on PostgreSQL and create the chain head.

A trigger refuses UPDATE and DELETE on audit_auditevent: even the application's own
database user cannot change history. (SQLite has no such guard; ``audit_verify``
detects tampering on both.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION caidan_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS caidan_audit_append_only ON audit_auditevent;
CREATE TRIGGER caidan_audit_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION caidan_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS caidan_audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS caidan_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": "0" * 64, "hash_alg": ""})


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
