"""Shared by the role × endpoint matrix (``test_*.py`` here): the roles — demo users, one per
role (see caidan/demo/data.py), ``None`` = anonymous — the purchaser-only expectation, and
``_each_role``, which runs every role against one endpoint in a rolled-back savepoint.
"""

USERS = [
    None,
    "admin",
    "registrar",
    "purchaser",
    "committee",
    "provider",
    "hub",
    "expert",
    "evaluator",
    "auditor",
    "resident",
]


# Only the purchaser (every other logged-in role: 403; anonymous: 401).
PURCHASER = {"purchaser": 200, "*": 403}


class _Rollback(Exception):
    pass


def _each_role(client, token_for, *, method, url, body, objects, expected):
    """Every role (and anonymous) against one endpoint, each call in a savepoint that is
    rolled back, so every role meets the same state: the status is the row's, and a refusal
    has the ``{code, message, detail}`` shape."""
    from django.core.files import File
    from django.db import transaction

    for user in USERS:
        data = body(objects) if body else {}  # afresh: an uploaded file is read once
        try:
            with transaction.atomic():
                headers = token_for(user) if user else {}
                if method == "GET":
                    resp = client.get(url, **headers)
                elif any(isinstance(v, File) for v in data.values()):
                    resp = client.post(url, data=data, **headers)
                else:
                    resp = getattr(client, method.lower())(
                        url, data=data, content_type="application/json", **headers
                    )
                want = expected.get(user, expected["*"]) if user else expected.get(None, 401)
                assert resp.status_code == want, (user, method, url, resp.content[:300])
                if want >= 400:
                    body_ = resp.json()
                    assert set(body_) == {"code", "message", "detail"} and body_["message"]
                raise _Rollback
        except _Rollback:
            pass
