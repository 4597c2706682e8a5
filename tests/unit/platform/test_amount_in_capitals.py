"""Yuan in capitals (金额大写, web/kit/formats.py ``amount_in_capitals``), against the examples
of the People's Bank of China's rules for writing amounts on payment instruments and vouchers
(《支付结算办法》 附件一《正确填写票据和结算凭证的基本规定》): a zero inside the yuan is written
once (1,409.50: 壹仟肆佰零玖元伍角; 6,007.14: 陆仟零柒元壹角肆分); where the yuan end in zeros
the 零 before the jiao may be left out (1,680.32: 壹仟陆佰捌拾元叁角贰分; 107,000.53:
壹拾万柒仟元伍角叁分); a zero jiao before fen is written (325.04: 叁佰贰拾伍元零肆分); whole yuan
end in 整."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.web.kit.formats import amount_in_capitals

EXAMPLES = {
    "1409.50": "壹仟肆佰零玖元伍角",
    "6007.14": "陆仟零柒元壹角肆分",
    "1680.32": "壹仟陆佰捌拾元叁角贰分",
    "107000.53": "壹拾万柒仟元伍角叁分",
    "325.04": "叁佰贰拾伍元零肆分",
    "12000": "壹万贰仟元整",
    "0.05": "伍分",
}


@pytest.mark.parametrize(("figures", "capitals"), EXAMPLES.items())
def test_the_rules_examples(figures: str, capitals: str) -> None:
    assert amount_in_capitals(Decimal(figures)) == capitals
