"""The unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

import pytest

from caidan.common.errors import ValidationError
from caidan.common.identifiers import (
    USCC_AUTHORITIES,
    USCC_CHARSET,
    USCC_WEIGHTS,
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


# GB 32100-2015 附录 A as amended (A, N, Y): written out here independently of the code's
# table, so a slip in either is caught.
STANDARD = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国 / 港澳台旅游部门常驻代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}
PAIRS = [(a, c) for a in USCC_CHARSET for c in USCC_CHARSET]


def test_the_table_is_the_standards():
    assert {k: "".join(a.categories) for k, a in USCC_AUTHORITIES.items()} == STANDARD
    assert USCC_AUTHORITIES["8"].categories == {"1": "基层工会", "9": "其他"}
    assert USCC_AUTHORITIES["3"].categories["5"] == "仲裁委员会"


@pytest.mark.parametrize(("authority", "category"), PAIRS)
def test_every_authority_and_category_pair(authority, category):
    """All 31 × 31 first-two-character pairs: the standard's are accepted, all others refused."""
    code = make_uscc(authority + category + "310105MJ0000001")
    if category in STANDARD.get(authority, ""):
        assert validate_uscc(code) == code
        return
    err = _error(code)
    if authority not in STANDARD:
        assert err.code == "uscc_authority"
        return
    assert err.code == "uscc_category"
    assert f"第 2 位机构类别代码“{category}”" in err.message
    assert f"登记管理部门“{USCC_AUTHORITIES[authority].name}”" in err.message
    assert "GB 32100-2015" in err.message
    for k, name in USCC_AUTHORITIES[authority].categories.items():
        assert f"{k} {name}" in err.message


def test_trade_union_message_names_its_categories():
    err = _error(make_uscc("82310105MJ0000001"))
    assert err.message == (
        "第 2 位机构类别代码“2”不属于登记管理部门“工会”（可用：1 基层工会、9 其他），GB 32100-2015。"
    )
    assert validate_uscc(make_uscc("81310105MJ0000001"))  # 基层工会: refused before
    err = _error(make_uscc("83310105MJ0000001"))  # wrongly allowed before
    assert err.code == "uscc_category"
    err = _error(make_uscc("36310105MJ0000001"))  # 司法行政 has no 6 or 8
    assert "5 仲裁委员会、9 其他" in err.message


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


@pytest.mark.parametrize("check", ["0", "1", "9", "A", "X", "Y"])
def test_check_character_at_the_ends_of_the_charset(check):
    """Codes whose check value is 0 (sum ≡ 0 mod 31, the "(31 − 0) mod 31" edge) and 30
    ("Y", the last character), and a few between: accepted, and the neighbours refused."""
    for n in range(10_000):
        first17 = f"52310105MJ{n:07d}"
        if uscc_check_character(first17) == check:
            break
    else:  # pragma: no cover
        raise AssertionError(check)
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    assert (total + USCC_CHARSET.index(check)) % 31 == 0
    assert validate_uscc(first17 + check) == first17 + check
    i = USCC_CHARSET.index(check)
    for neighbour in {USCC_CHARSET[(i - 1) % 31], USCC_CHARSET[(i + 1) % 31]}:
        assert _error(first17 + neighbour).code == "uscc_check"
