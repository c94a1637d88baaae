"""Role × endpoint matrix for documents: every registered target type × every role through
the generic upload (``POST /api/v1/documents``).
"""

from .helpers import USERS


def test_api_document_targets(world, client, token_for, settings, tmp_path):
    """Every registered document target type × every role, through the generic upload
    (``POST /api/v1/documents``): records with their own route are refused for everyone
    (400, naming it); the others need the permission that changing the record needs.
    The same roles through the apps' own routes: tests/documents/test_targets.py."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caidan.documents.targets import TARGETS
    from tests.documents.records import ATTACHERS, attachable_records

    settings.MEDIA_ROOT = tmp_path
    records = attachable_records(world)
    assert set(records) == set(TARGETS)
    for target_type, target_id in records.items():
        for user in USERS:
            file = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
            data = {"file": file, "target_type": target_type, "target_id": target_id}
            resp = client.post("/api/v1/documents", data, **(token_for(user) if user else {}))
            if user is None:
                want = 401
            elif TARGETS[target_type].route:
                want = 400
            else:
                want = 201 if user in ATTACHERS[target_type] else 403
            assert resp.status_code == want, (user, target_type, resp.content[:300])
            if want >= 400:
                assert set(resp.json()) == {"code", "message", "detail"}
