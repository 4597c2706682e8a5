"""The pinyin search keys of a name (拼音检索): full pinyin and initials, e.g. 张三 ->
``zhangsan`` and ``zs``, so that "zhangsan", "zhang", "zs" find 张三.

A person's name is read with the surname readings people use (曾 zeng, 单 shan, 解 xie, 仇 qiu,
朴 piao...), not the commonest reading of the character; enterprise names are read as words
(重庆 chongqing). Letters and digits between Chinese characters are kept (lowercased) in both
keys. Pure: pypinyin only, no I/O.
"""

from __future__ import annotations

from pypinyin import lazy_pinyin

from microlend.customers.model import name_key

PINYIN_LENGTH, INITIALS_LENGTH = 200, 100

# Compound surnames, and single characters read differently as a surname (百家姓).
COMPOUND_SURNAMES = {
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"), "东方": ("dong", "fang"), "皇甫": ("huang", "fu"),
    "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"), "万俟": ("mo", "qi"),
    "令狐": ("ling", "hu"), "澹台": ("tan", "tai"), "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"), "宇文": ("yu", "wen"), "夏侯": ("xia", "hou"),
    "司徒": ("si", "tu"), "单于": ("chan", "yu"), "端木": ("duan", "mu"),
}  # fmt: skip
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha",
    "覃": "qin", "盖": "ge", "缪": "miao", "翟": "zhai", "召": "shao", "员": "yun", "种": "chong",
    "折": "she", "隗": "wei", "秘": "bi", "宓": "fu", "那": "na", "粘": "nian", "乐": "yue",
    "尉": "yu", "柏": "bai", "薄": "bo", "繁": "po", "任": "ren", "沈": "shen", "贾": "jia",
    "华": "hua", "黑": "he", "阚": "kan", "谌": "chen", "冼": "xian", "句": "gou", "过": "guo",
    "郇": "xun", "祭": "zhai", "长": "chang", "重": "chong", "藏": "zang",
}  # fmt: skip


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _runs(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into runs of Chinese characters and runs of anything else."""
    runs: list[tuple[bool, str]] = []
    for char in text:
        han = _is_han(char)
        if runs and runs[-1][0] == han:
            runs[-1] = (han, runs[-1][1] + char)
        else:
            runs.append((han, char))
    return runs


def _surname(key: str) -> tuple[tuple[str, ...], str]:
    """The readings of a person's surname, and the rest of the name."""
    if key[:2] in COMPOUND_SURNAMES:
        return COMPOUND_SURNAMES[key[:2]], key[2:]
    if key[:1] in SURNAME_READINGS:
        return (SURNAME_READINGS[key[:1]],), key[1:]
    return (), key


def pieces(name: str, *, person: bool = True) -> list[tuple[bool, str]]:
    """The name as (is a syllable, text) pieces: one syllable per Chinese character, other
    letters and digits as runs."""
    key = name_key(name)
    surname, rest = _surname(key) if person else ((), key)
    found: list[tuple[bool, str]] = [(True, syllable) for syllable in surname]
    for han, run in _runs(rest):
        if han:
            found += [(True, syllable.lower()) for syllable in lazy_pinyin(run)]
        else:
            kept = "".join(char for char in run if char.isascii() and char.isalnum())
            if kept:
                found.append((False, kept))
    return found


def pinyin_keys(name: str, *, person: bool = True) -> tuple[str, str]:
    """(full pinyin, initials) of a name: ``("zhangsan", "zs")`` for 张三."""
    parts = pieces(name, person=person)
    full = "".join(text for _syllable, text in parts)
    initials = "".join(text[0] if syllable else text for syllable, text in parts)
    return full[:PINYIN_LENGTH], initials[:INITIALS_LENGTH]
