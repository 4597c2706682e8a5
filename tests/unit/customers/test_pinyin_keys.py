"""Pinyin search keys, written by hand from the Hanyu Pinyin readings of the names."""

from __future__ import annotations

import pytest

from microlend.customers.pinyin_keys import pinyin_keys


@pytest.mark.parametrize(
    ("name", "person", "keys"),
    [
        ("张三", True, ("zhangsan", "zs")),
        ("张 三", True, ("zhangsan", "zs")),  # blanks do not count
        ("曾国藩", True, ("zengguofan", "zgf")),  # surname 曾 is zeng, not ceng
        ("单雄信", True, ("shanxiongxin", "sxx")),  # surname 单 is shan, not dan
        ("欧阳修", True, ("ouyangxiu", "oyx")),  # compound surname: two initials
        ("吕布", True, ("lvbu", "lb")),  # ü typed as v, as every pinyin IME does
        ("重庆小贷有限公司", False, ("chongqingxiaodaiyouxiangongsi", "cqxdyxgs")),
        ("ＡＢＣ科技", False, ("abckeji", "abckj")),  # full-width letters folded, kept whole
        ("Alice 王", True, ("alicewang", "alicew")),
    ],
)
def test_full_pinyin_and_initials(name: str, person: bool, keys: tuple[str, str]) -> None:
    assert pinyin_keys(name, person=person) == keys


def test_an_enterprise_is_not_read_with_surname_readings() -> None:
    # 单 as a surname is shan; in 单位 (an ordinary word) it is dan
    assert pinyin_keys("单位食堂", person=False)[0] == "danweishitang"
    assert pinyin_keys("单位食堂", person=True)[0] == "shanweishitang"
