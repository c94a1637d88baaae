def test_dashboard_panels_are_translated(world, login, settings):
    client = login("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/dashboard/").content.decode()
    assert "Users and roles" in html and "Budget ceilings" in html
    assert "用户与角色" not in html


def test_dashboard_panels_default_to_chinese(world, login):
    html = login("admin").get("/dashboard/").content.decode()
    assert "用户与角色" in html and "预算控制数" in html


def test_form_labels_are_translated(world, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/login/").content.decode()
    assert "Password" in html
