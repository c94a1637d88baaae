"""The unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

import pytest

from caidan.common.errors import ValidationError
from caidan.common.identifiers import (
    USCC_AUTHORITIES,
    USCC_CHARSET,
    make_uscc,
    uscc_check_character,
    validate_uscc,
)

VALID = [
    make_uscc("52310105MJ0000001"),  # the demo social service institution
    make_uscc("51310105MJ0000003"),  # a social group
    make_uscc("53310105MJ0000009"),  # a foundation
    make_uscc("91310000MA1FL4A8X"),  # a company
    make_uscc("12100000400000398"),  # a public institution
    make_uscc("Y1110000000000000"),
    make_uscc("N2110000000000000"),
    # Published codes of well-known companies (their check characters verify):
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd.
]


def _error(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_uscc(value, field="org_uscc")
    assert info.value.detail == {"field": "org_uscc"}
    return info.value


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    assert validate_uscc(code) == code
    assert uscc_check_character(code[:17]) == code[17]


def test_make_uscc_completes_and_normalises():
    code = make_uscc("52310105mj0000001")
    assert len(code) == 18
    assert code[:17] == "52310105MJ0000001"
    assert validate_uscc(code) == code


def test_lower_case_and_spaces_are_normalised():
    assert validate_uscc(" 91440300708461136t ") == "91440300708461136T"
    code = make_uscc("52310105MJ0000001")
    assert validate_uscc(code.lower()) == code


def test_check_character_known_value():
    # sum(index * weight) for Huawei's first 17 characters mod 31 -> check "6"
    assert uscc_check_character("91440300192203821") == "6"


@pytest.mark.parametrize("value", ["", None, "5231010", make_uscc("52310105MJ0000001")[:17]])
def test_too_short(value):
    err = _error(value)
    assert err.code == "uscc_length"
    assert "18 位" in err.message
    assert f"当前为 {len((value or '').strip())} 位" in err.message


def test_too_long():
    err = _error(make_uscc("52310105MJ0000001") + "0")
    assert err.code == "uscc_length"
    assert "当前为 19 位" in err.message


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z"])
def test_forbidden_letters(bad):
    code = make_uscc("52310105MJ0000001")
    value = code[:10] + bad + code[11:]
    err = _error(value)
    assert err.code == "uscc_charset"
    assert bad in err.message
    assert "不使用 I、O、S、V、Z" in err.message


def test_charset_lists_every_bad_character_once():
    err = _error("52310105MJ0000*0#*")
    assert err.code == "uscc_charset"
    assert "#、*" in err.message


def test_charset_has_31_characters():
    assert len(USCC_CHARSET) == len(set(USCC_CHARSET)) == 31
    assert not set("IOSVZ") & set(USCC_CHARSET)


@pytest.mark.parametrize("first", ["0", "B", "C", "X", "W"])
def test_unknown_registration_authority(first):
    assert first not in USCC_AUTHORITIES
    code = make_uscc(first + "1310105MJ0000001")
    err = _error(code)
    assert err.code == "uscc_authority"
    assert f"“{first}”" in err.message
    assert "登记管理部门" in err.message


@pytest.mark.parametrize(
    ("prefix", "category"),
    [("9", "5"), ("5", "4"), ("Y", "2"), ("8", "1"), ("2", "2")],
)
def test_category_not_allowed_for_authority(prefix, category):
    code = make_uscc(prefix + category + "310105MJ0000001")
    err = _error(code)
    assert err.code == "uscc_category"
    assert f"“{category}”" in err.message
    assert USCC_AUTHORITIES[prefix][0] in err.message


def test_every_allowed_category_is_accepted():
    for authority, (_name, categories) in USCC_AUTHORITIES.items():
        for category in categories:
            code = make_uscc(authority + category + "310105MJ0000001")
            assert validate_uscc(code) == code


@pytest.mark.parametrize("region", ["31010A", "A10105", "3101X5"])
def test_region_must_be_digits(region):
    code = make_uscc("52" + region + "MJ0000001")
    err = _error(code)
    assert err.code == "uscc_region"
    assert "行政区划码" in err.message


@pytest.mark.parametrize("code", VALID)
def test_flipped_check_character(code):
    expected = code[17]
    wrong = USCC_CHARSET[(USCC_CHARSET.index(expected) + 1) % 31]
    err = _error(code[:17] + wrong)
    assert err.code == "uscc_check"
    assert f"应为“{expected}”" in err.message
    assert f"实为“{wrong}”" in err.message


def test_any_single_substitution_in_the_body_is_caught():
    code = make_uscc("52310105MJ0000001")
    for position in range(8, 17):  # the organisation code part
        for char in USCC_CHARSET:
            if char == code[position]:
                continue
            changed = code[:position] + char + code[position + 1 :]
            with pytest.raises(ValidationError) as info:
                validate_uscc(changed)
            assert info.value.code == "uscc_check"


def test_adjacent_transposition_is_caught():
    code = make_uscc("52310105MJ0012345")
    for i in range(8, 16):
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        with pytest.raises(ValidationError):
            validate_uscc(swapped)
