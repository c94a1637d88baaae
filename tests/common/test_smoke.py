def test_home_and_openapi(client, db):
    assert client.get("/").status_code == 200
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert resp.json()["openapi"].startswith("3.")
