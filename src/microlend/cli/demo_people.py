"""The demo portfolio's customers: people and small enterprises invented from a seeded random
generator, registered through the customers context like an officer would.

Identity numbers are valid: a resident ID (GB 11643) is a real district code, a birth date, a
sequence number (odd for men) and the check character from ``customers.model``; a unified social
credit code (GB 32100) is ``91`` (an enterprise registered with market regulation), the district
code, nine organisation-code characters and the check character.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from microlend.customers import credit_file
from microlend.customers import service as customers
from microlend.customers.model import USCC_ALPHABET, resident_id_check_char, uscc_check_char
from microlend.customers.views import CustomerView
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal

BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行",
         "中国邮政储蓄银行", "兴业银行")  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
)
GIVEN_MALE = (
    "伟",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "志强",
    "建华",
    "国庆",
    "海波",
)
GIVEN_FEMALE = (
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "秀英",
    "玉兰",
    "桂芳",
    "晓燕",
    "丹",
)
# District codes (GB/T 2260) with the address written out.
DISTRICTS = (
    ("110105", "北京市朝阳区"),
    ("110108", "北京市海淀区"),
    ("310104", "上海市徐汇区"),
    ("330106", "杭州市西湖区"),
    ("440305", "深圳市南山区"),
    ("510107", "成都市武侯区"),
    ("420106", "武汉市武昌区"),
)
STREETS = ("建设路", "人民路", "解放路", "中山路", "文化路", "新华街", "和平路", "长江路")
OCCUPATIONS = ("便利店", "餐馆", "服装店", "水果批发", "汽修店", "美容院", "五金店", "快递站")
TRADES = (  # (industry in the name, GB/T 4754 code)
    ("商贸", "F51"),
    ("建材", "F51"),
    ("机械制造", "C34"),
    ("食品", "C14"),
    ("物流", "G54"),
    ("信息技术", "I65"),
    ("餐饮管理", "H62"),
    ("印刷包装", "C23"),
)
BRANDS = ("鑫源", "华兴", "宏达", "佳禾", "瑞丰", "博雅", "锦程", "天成", "恒信", "金桥", "永泰",
          "东方", "润泽", "德盛", "和美", "新纪元", "众诚", "嘉利", "盛世", "汇通", "远航", "长兴",
          "益民", "福瑞")  # fmt: skip
EDUCATIONS = ("高中", "大专", "本科", "初中")
# The names of the files an officer uploads, by document kind (what a scanner would name them).
DOCUMENT_FILES = {
    "id_copy": "身份证复印件",
    "statement": "财务报表",
    "business_licence": "营业执照",
    "site_visit_photo": "实地走访照片",
}


@dataclass(frozen=True)
class Person:
    customer_id: int
    name: str
    birth_date: date
    monthly_income: Decimal
    occupation: str


@dataclass(frozen=True)
class Enterprise:
    customer_id: int
    name: str
    owner: Person
    annual_revenue: Decimal


def resident_id(rng: random.Random, district: str, born: date, *, male: bool) -> str:
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{district}{born:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_char(body)


def uscc(rng: random.Random, district: str) -> str:
    organisation = "".join(rng.choice(USCC_ALPHABET[:10]) for _ in range(8))
    organisation += rng.choice(USCC_ALPHABET)
    body = f"91{district}{organisation}"
    return body + uscc_check_char(body)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(0, 10**9):09d}"


class People:
    """Registers customers with numbers never used twice in one demo."""

    def __init__(self, rng: random.Random, officer: Principal, now: datetime) -> None:
        self.rng, self.officer, self.now = rng, officer, now
        self.numbers: set[str] = set()  # identity numbers and enterprise names taken
        self.firms: list[Enterprise] = []

    def _unique(self, make: Callable[[], str]) -> str:
        for _attempt in range(1000):
            number = make()
            if number not in self.numbers:
                self.numbers.add(number)
                return number
        raise RuntimeError("the demo ran out of distinct names or numbers")

    def person(
        self,
        uow: UnitOfWork,
        *,
        on: date,
        age: tuple[int, int] = (24, 58),
        male: bool | None = None,
    ) -> Person:
        rng = self.rng
        is_male = rng.random() < 0.6 if male is None else male
        born = on - timedelta(days=rng.randrange(age[0] * 365 + 10, age[1] * 365))
        district, city = rng.choice(DISTRICTS)
        given = rng.choice(GIVEN_MALE if is_male else GIVEN_FEMALE)
        name = rng.choice(SURNAMES) + given
        income = Decimal(rng.randrange(40, 300) * 100)
        occupation = rng.choice(OCCUPATIONS)
        number = self._unique(lambda: resident_id(rng, district, born, male=is_male))
        view = customers.register_customer(
            uow,
            self.officer,
            kind="individual",
            id_number=number,
            name=name,
            phone=mobile(rng),
            address=f"{city}{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
            marital_status=rng.choice(("已婚", "未婚", "已婚")),  # as an officer types it
            education=rng.choice(EDUCATIONS),
            employer=f"自营{occupation}",
            monthly_income=str(income),
            now=self.now,
        )
        assert isinstance(view, CustomerView)
        self.bank_account(uow, view)
        self.documents(
            uow, view.id, ("id_copy", "statement", "business_licence", "site_visit_photo")
        )
        credit_file.record_financials(
            uow,
            self.officer,
            customer_id=view.id,
            period=f"{on.year - 1}",
            amounts={
                "monthly_income": str(income),
                "monthly_expense": str((income * Decimal("0.45")).quantize(Decimal("1"))),
                "monthly_debt_payments": str(Decimal(rng.randrange(0, 10) * 100)),
            },
            now=self.now,
        )
        return Person(view.id, name, born, income, occupation)

    def enterprise(self, uow: UnitOfWork, *, on: date) -> Enterprise:
        """A small enterprise with two years of statements, its legal representative and actual
        controller; a quarter of them belong to the owner of an earlier one (a related-party
        group: the two enterprises are linked as affiliated)."""
        rng = self.rng
        sister = rng.choice(self.firms) if self.firms and rng.random() < 0.25 else None
        owner = sister.owner if sister else self.person(uow, on=on, age=(32, 58))
        district, city = rng.choice(DISTRICTS)
        trade, industry = rng.choice(TRADES)
        name = self._unique(lambda: f"{city[:2]}{rng.choice(BRANDS)}{trade}有限公司")
        number = self._unique(lambda: uscc(rng, district))
        revenue = Decimal(rng.randrange(30, 400) * 100_000)
        view = customers.register_customer(
            uow,
            self.officer,
            kind="enterprise",
            id_number=number,
            name=name,
            phone=mobile(rng),
            address=f"{city}{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
            legal_representative=owner.name,
            registered_capital=str(Decimal(rng.choice((50, 100, 200, 500)) * 10_000)),
            industry_code=industry,
            region_code=district,
            founded_on=(on - timedelta(days=rng.randrange(3 * 365, 15 * 365))).isoformat(),
            employees=rng.randrange(5, 80),
            now=self.now,
        )
        assert isinstance(view, CustomerView)
        self.bank_account(uow, view)
        self.documents(uow, view.id, ("id_copy", "business_licence", "statement"))
        self.documents(uow, owner.customer_id, ("business_licence",))
        assets = revenue * Decimal("0.8")
        liabilities = (assets * Decimal(rng.randrange(25, 65)) / 100).quantize(Decimal("1"))
        for year in (on.year - 2, on.year - 1):
            grow = Decimal(1) if year == on.year - 1 else Decimal("0.9")
            credit_file.record_financials(
                uow,
                self.officer,
                customer_id=view.id,
                period=str(year),
                amounts={
                    "revenue": str((revenue * grow).quantize(Decimal("1"))),
                    "net_profit": str((revenue * grow * Decimal("0.08")).quantize(Decimal("1"))),
                    "total_assets": str((assets * grow).quantize(Decimal("1"))),
                    "total_liabilities": str((liabilities * grow).quantize(Decimal("1"))),
                    "current_assets": str((assets * grow * Decimal("0.6")).quantize(Decimal("1"))),
                    "current_liabilities": str(
                        (liabilities * grow * Decimal("0.5")).quantize(Decimal("1"))
                    ),
                    "operating_cash_flow": str((revenue * grow / 10).quantize(Decimal("1"))),
                },
                now=self.now,
            )
        for relation in ("legal_representative", "actual_controller"):
            credit_file.link_customers(
                uow,
                self.officer,
                from_id=view.id,
                to_id=owner.customer_id,
                relation=relation,
                share_percent="60" if relation == "actual_controller" else None,
                now=self.now,
            )
        firm = Enterprise(view.id, name, owner, revenue)
        if sister is not None:
            self.link(uow, view.id, sister.customer_id, "affiliated_enterprise")
        self.firms.append(firm)
        return firm

    def link(self, uow: UnitOfWork, from_id: int, to_id: int, relation: str) -> None:
        credit_file.link_customers(
            uow, self.officer, from_id=from_id, to_id=to_id, relation=relation, now=self.now
        )

    def bank_account(self, uow: UnitOfWork, customer: CustomerView) -> None:
        """One account in the customer's name, its bank and 19-digit number drawn from the
        customer number (not from the generator, so the rest of the demo is as before)."""
        customers.add_bank_account(
            uow,
            self.officer,
            customer_id=customer.id,
            bank_name=BANKS[customer.id % len(BANKS)],
            account_no=f"6217{customer.id * 7919 % 10**15:015d}",
            account_name=customer.name,
            now=self.now,
        )

    def documents(self, uow: UnitOfWork, customer_id: int, kinds: tuple[str, ...]) -> None:
        for kind in kinds:
            credit_file.upload_document(
                uow,
                self.officer,
                customer_id=customer_id,
                doc_type=kind,
                filename=f"{DOCUMENT_FILES.get(kind, kind)}.jpg",
                media_type="image/jpeg",
                content=f"demo {kind} of customer {customer_id}".encode(),
                now=self.now,
            )
