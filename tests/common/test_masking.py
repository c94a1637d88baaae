"""Personal data is masked wherever the full value is not needed."""

from __future__ import annotations

import pytest

from caidan.common.masking import mask_email, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("+8613812345678", "+86****5678"),
        ("", ""),
        (None, ""),
        ("123", "***"),
    ],
)
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize("raw", ["1234567", "12345678", "62345678", "021623456"])
def test_mask_phone_never_reveals_a_short_number(raw):
    """A 3 + 4 mask on a landline number would show (nearly) all of it."""
    masked = mask_phone(raw)
    assert len(masked) == len(raw)
    shown = [c for c in masked if c != "*"]
    assert len(shown) <= len(raw) - 4


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("310105199001011234", "3101**********1234"),
        ("31010519900101123X", "3101**********123X"),
        ("12345678", "********"),
        ("123456789", "1234*6789"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_id_number(raw, masked):
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("王小明", "王*明"),
        ("欧阳娜娜", "欧**娜"),
        ("王", "王"),
        ("", ""),
        (None, ""),
        (" 李四 ", "李*"),
    ],
)
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("alice@example.com", "a***@example.com"),
        ("a@b.cn", "a***@b.cn"),
        ("not-an-email", "n**********l"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_email(raw, masked):
    assert mask_email(raw) == masked


def test_masks_do_not_leak_the_middle():
    secret = "310105199001011234"
    assert "19900101" not in mask_id_number(secret)
    assert "1234" not in mask_phone("13812345678")[:7]
    assert "lice" not in mask_email("alice@example.com")
