"""Passwords: at least 12 characters and hard to guess (zxcvbn score 4 of 4), checked
wherever a password is set (creating a user, the admin's reset, changing one's own)."""

import pytest

from caidan.accounts.services import user_change_password, user_create, user_reset_password
from caidan.common.errors import ValidationError
from caidan.demo.data import DEMO_PASSWORD


@pytest.mark.parametrize(
    "password",
    [
        "Qz7-mw2k!Rp",  # strong characters, 11 long: one below the minimum
        "password1234",  # common words and digits, 12 long
        "qwertyuiop12",  # keyboard row
        "zhangsan1990",  # a name in pinyin and a year
        "jennifer1990",  # a name and a year
        "caidan123456",  # the site's own name
        "Changning-2026",  # a district and a year
    ],
)
def test_weak_or_short_passwords_are_refused(world, password):
    with pytest.raises(ValidationError) as exc:
        user_create(username="newbie", password=password, actor=world.system)
    assert exc.value.field == "password" and "密码不符合要求" in exc.value.message


def test_password_containing_the_username_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        user_create(username="liuyang88", password="liuyang88liuyang", actor=world.system)
    assert "容易被猜中" in exc.value.message or "相似" in exc.value.message


@pytest.mark.parametrize(
    "password", ["Qz7-mw2k!Rpx", "tea-river-lantern-77", "wangwu-passphrase-1", DEMO_PASSWORD]
)
def test_strong_passwords_of_at_least_twelve_characters_are_accepted(world, password):
    assert user_create(username="newbie", password=password, actor=world.system).pk


def test_reset_and_change_are_checked_too(world):
    user = world.user("expert")
    with pytest.raises(ValidationError):
        user_reset_password(user=user, new_password="password1234", actor=world.actor("admin"))
    with pytest.raises(ValidationError) as exc:
        user_change_password(
            user=user,
            old_password=DEMO_PASSWORD,
            new_password="expert123456",
            actor=world.actor("expert"),
        )
    assert exc.value.field == "new_password"


def test_tests_and_imports_may_skip_validation(world):
    assert user_create(
        username="fixture", password="x", actor=world.system, validate_password=False
    ).check_password("x")
