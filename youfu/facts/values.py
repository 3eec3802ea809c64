"""Turning what people write (Excel cells, form fields, JSON) into a fact's typed value, exactly.

Numbers are Decimal, never binary floats. Excel keeps every number as a binary double and shows it to
15 significant digits; openpyxl hands such a cell over as a Python float. A float is therefore read as
the number Excel shows — its 15 significant digits, ``format(value, ".15g")`` — and never through
float arithmetic: 93.35 (the double 93.349999999999994315658…) is read as Decimal("93.35"), and
0.1 + 0.2 computed by an Excel formula (0.30000000000000004) as Decimal("0.3"). Text cells are read as
the text they hold. Because every value is limited to 15 significant digits (below), the number read is
exactly the number the user typed: any decimal of at most 15 significant digits survives the trip to a
double and back (IEEE 754 double precision guarantees 15 digits; DBL_DIG = 15), which is also why
SQLite, which keeps decimals as doubles, stores every accepted value exactly.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from youfu.facts.choices import ValueType
from youfu.facts.models import NUMBER_DECIMAL_PLACES, TEXT_MAX_LENGTH, plain_decimal

MAX_SIGNIFICANT_DIGITS = 15
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|[+-]?\.\d+")
TRUE_WORDS = frozenset({"是", "true", "yes", "y", "1", "对", "有"})
FALSE_WORDS = frozenset({"否", "false", "no", "n", "0", "无"})
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class BadValue(ValueError):
    """A value that cannot be a fact; the message says what is wrong and how to write it."""


def is_name(text: str) -> bool:
    return bool(NAME.fullmatch(text))


def parse_number(raw: Any) -> Decimal:
    """A number from a cell or a text, exactly; raises BadValue with a message for people."""
    if isinstance(raw, bool):
        raise BadValue(_("“%(value)s” is not a number.") % {"value": raw})
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise BadValue(_("“%(value)s” is not a number.") % {"value": raw})
        number = Decimal(format(raw, ".15g"))  # the number as Excel shows it, see the module's docstring
    else:
        text = str(raw).strip().replace("，", ",").replace("－", "-").replace("．", ".")
        if not _NUMBER.fullmatch(text):
            raise BadValue(
                _("“%(value)s” is not a number. Write digits with an optional decimal point, e.g. 93.35.")
                % {"value": str(raw).strip()}
            )
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise BadValue(_("“%(value)s” is not a number.") % {"value": text}) from None
    return check_number(number)


def check_number(number: Decimal) -> Decimal:
    """At most 10 decimal places and 15 significant digits: stored exactly on SQLite and PostgreSQL."""
    if not number.is_finite():
        raise BadValue(_("“%(value)s” is not a number.") % {"value": number})
    number = plain_decimal(number)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > NUMBER_DECIMAL_PLACES:
        raise BadValue(
            _("%(value)s has more than %(places)d decimal places; round it first.")
            % {"value": number, "places": NUMBER_DECIMAL_PLACES}
        )
    if len(number.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS:
        raise BadValue(
            _("%(value)s has more than %(digits)d significant digits, more than a number can hold exactly.")
            % {"value": number, "digits": MAX_SIGNIFICANT_DIGITS}
        )
    return number


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise BadValue(_("“%(value)s” is not yes or no; write 是 or 否.") % {"value": str(raw).strip()})


def parse_text(raw: Any) -> str:
    text = format(raw, ".15g") if isinstance(raw, float) else str(raw).strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise BadValue(
            _("The text is longer than %(max)d characters; shorten it.") % {"max": TEXT_MAX_LENGTH}
        )
    return text


def parse_value(raw: Any, value_type: ValueType | str) -> Decimal | bool | str:
    if value_type == ValueType.NUMBER:
        return parse_number(raw)
    if value_type == ValueType.BOOL:
        return parse_bool(raw)
    return parse_text(raw)


def infer_type(cells: list[Any]) -> ValueType:
    """The type of a column no policy declares: numbers if every cell is one, yes/no if every cell is
    one (Excel TRUE/FALSE, 是/否), otherwise text."""

    def looks_numeric(cell: Any) -> bool:
        if isinstance(cell, bool):
            return False
        if isinstance(cell, int | float | Decimal):
            return True
        text = str(cell).strip().replace("，", ",").replace("－", "-").replace("．", ".")
        return bool(_NUMBER.fullmatch(text))

    def is_bool_word(cell: Any) -> bool:
        return isinstance(cell, str) and cell.strip().casefold() in (TRUE_WORDS | FALSE_WORDS) - {"0", "1"}

    if all(isinstance(c, bool) or is_bool_word(c) for c in cells):
        return ValueType.BOOL
    if all(looks_numeric(c) for c in cells):
        return ValueType.NUMBER
    return ValueType.TEXT


def type_of(value: Decimal | bool | str) -> ValueType:
    if isinstance(value, bool):
        return ValueType.BOOL
    if isinstance(value, Decimal):
        return ValueType.NUMBER
    return ValueType.TEXT
