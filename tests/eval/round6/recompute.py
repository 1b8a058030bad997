#!/usr/bin/env python3
"""Independent recomputation of every total in calc.jsonl (blind round 6).

Stdlib only, exact Decimal money. For every item:
  * each unit price is read from the seed line given in the comment: the script
    asserts the price text stands on that line and that the line is in the item's `source`;
  * the total is recomputed here (not read from the JSONL), formatted Danish style
    (thousands dot, two decimals) and asserted equal to the item's must_contain
    (or to one must_contain_any group when the seed is ambiguous);
  * every computed total is also asserted to appear in the item's `note` (the working);
  * for `missing` items the guessed totals are recomputed and asserted to be in
    must_not_contain (the candidates the bot must not pick).
Prints one line per item and "ALL OK".
"""
import json
import math
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_DIR = "/work/shared/seeds"
F3 = "003_ca89e0cbbb223601.txt"
F0 = "000_88859510c15c3961.txt"
_lines = {}


def seed_line(fname, n):
    if fname not in _lines:
        with open(os.path.join(SEED_DIR, fname), encoding="utf-8") as fh:
            _lines[fname] = fh.read().split("\n")
    return _lines[fname][n - 1]


def dk_to_dec(text):
    return Decimal(text.replace(".", "").replace(",", "."))


def fmt(d):
    d = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    neg = d < 0
    s = f"{abs(d):.2f}"
    whole, frac = s.split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if neg else "") + ".".join(groups) + "," + frac


class Ctx:
    def __init__(self):
        self.used = []  # (file, line)

    def p(self, line, text, fname=F3):
        """Unit price `text` (Danish format) that must stand on seed line `line`."""
        s = seed_line(fname, line)
        assert text in s, f"price {text!r} not on {fname}:{line}: {s!r}"
        self.used.append((fname, line))
        return dk_to_dec(text)

    def t(self, line, text, fname=F3):
        """Rule text (not a price) that must stand on seed line `line`."""
        s = seed_line(fname, line)
        assert text in s, f"text {text!r} not on {fname}:{line}: {s!r}"
        self.used.append((fname, line))


def ceil_div(a, b):
    return int(math.ceil(Decimal(a) / Decimal(b)))


CASES = {}


def case(item_id):
    def deco(fn):
        CASES[item_id] = fn
        return fn
    return deco


# ---------------------------------------------------------------- persons
@case("r6-persons-001")
def _(c):
    voksen = c.p(820, "76,00")      # Køge Svømmeland hverdag voksen
    pens = c.p(822, "48,00")        # pensionist 65+
    barn = c.p(823, "38,00")        # barn 0-14
    return {"all": [2 * voksen + 2 * pens + barn]}


@case("r6-persons-002")
def _(c):
    p18 = c.p(756, "893,00")   # pas 18-64
    p65 = c.p(757, "381,00")   # pas fra 65
    p0 = c.p(753, "150,00")    # pas 0-2
    return {"all": [p18 + p65 + 2 * p0], "not": [2 * p18 + 2 * p0]}


@case("r6-persons-003")
def _(c):
    v = c.p(800, "50,00")   # Herfølge voksen 18-65
    b = c.p(801, "38,00")   # børn 0-18
    pe = c.p(802, "38,00")  # pensionist 65+
    return {"all": [2 * v + 3 * b + pe]}


@case("r6-persons-004")
def _(c):
    v = c.p(831, "87,00")   # weekend voksen
    u = c.p(832, "55,00")   # ungdom 15-17
    b = c.p(834, "45,00")   # barn 0-14
    total = 2 * v + u + b
    hv = 2 * dk_to_dec("76,00") + dk_to_dec("48,00") + dk_to_dec("38,00")  # wrong row (l. 820-823)
    return {"all": [total], "not": [hv]}


@case("r6-persons-005")
def _(c):
    v = c.p(898, "89,00")   # motion inkl. svømmebad hverdag voksen
    s = c.p(899, "61,00")   # studerende
    return {"all": [2 * v + s]}


@case("r6-persons-006")
def _(c):
    v = c.p(849, "550,00")  # 10 ture voksen
    u = c.p(850, "350,00")  # 10 ture ungdom 15-17
    return {"all": [2 * v + u], "not": [2 * v + dk_to_dec("270,00")]}


@case("r6-persons-007")
def _(c):
    return {"all": [c.p(887, "3.300,00") + c.p(889, "2.100,00") + c.p(890, "1.620,00")]}  # årskort


@case("r6-persons-008")
def _(c):
    return {"all": [c.p(757, "381,00") + c.p(756, "893,00") + 2 * c.p(755, "181,00")]}


@case("r6-persons-009")
def _(c):
    return {"all": [2 * c.p(824, "41,00") + 14 * c.p(825, "33,00")]}  # institution


@case("r6-persons-010")
def _(c):
    v = c.p(860, "550,00")  # månedskort voksen
    b = c.p(863, "270,00")  # månedskort barn 0-14
    return {"all": [v + b], "not": [v + dk_to_dec("350,00")]}


@case("r6-persons-011")
def _(c):
    return {"all": [c.p(756, "893,00") + c.p(754, "150,00") + c.p(755, "181,00")]}


# ---------------------------------------------------------------- items
@case("r6-items-001")
def _(c):
    t = (c.p(40, "100,00") + c.p(42, "232,00") + c.p(44, "80,00") + c.p(45, "1.750,00")
         + c.p(48, "130,00") + c.p(49, "50,00"))
    wrong = t - dk_to_dec("232,00") + dk_to_dec("464,00")  # 12 afhentninger (l. 43)
    return {"all": [t], "not": [wrong]}


@case("r6-items-002")
def _(c):
    loft = c.p(385, "465,00")  # faste lejere pr. løft
    kort = c.p(384, "67,00")   # ekstra magnetkort
    return {"all": [2 * loft + kort], "not": [2 * dk_to_dec("1.415,00") + kort]}


@case("r6-items-003")
def _(c):
    return {"all": [c.p(41, "50,00") + c.p(46, "875,00") + c.p(69, "1.050,00")]}


@case("r6-items-004")
def _(c):
    return {"all": [c.p(985, "234,50") + c.p(987, "27,50") + c.p(991, "113,00")]}


@case("r6-items-005")
def _(c):
    return {"all": [c.p(558, "1.000,00") + 3 * c.p(559, "500,00")]}


@case("r6-items-006")
def _(c):
    return {"all": [c.p(692, "315,00") + c.p(698, "315,00") + c.p(613, "260,00")]}


@case("r6-items-007")
def _(c):
    return {"all": [c.p(452, "1.520,00") + c.p(453, "1.602,00") + c.p(454, "1.520,00")]}


@case("r6-items-008")
def _(c):
    return {"all": [c.p(756, "893,00") + c.p(758, "225,00") + c.p(763, "52,00")]}


@case("r6-items-009")
def _(c):
    return {"all": [3 * c.p(744, "64,50") + 2 * c.p(745, "53,00")]}


@case("r6-items-010")
def _(c):
    return {"all": [c.p(820, "76,00") + c.p(964, "30,00") + c.p(965, "25,00")]}


@case("r6-items-011")
def _(c):
    return {"all": [c.p(722, "14.520,00") + c.p(723, "8.295,00")]}


@case("r6-items-012")
def _(c):
    return {"all": [c.p(338, "1.233,00") + 2 * c.p(340, "619,00")]}


@case("r6-items-013")
def _(c):
    dep = c.p(1006, "10.000,00")   # depositum Lovparken
    leje = c.p(1015, "1.000,00")   # leje pr. døgn Lovparken
    return {"all": [dep + 3 * leje]}


@case("r6-items-014")
def _(c):
    rykker = c.p(82, "250,00", F0)
    udlaeg = c.p(82, "450,00", F0)
    return {"all": [rykker + rykker + udlaeg]}  # rykker + varsling (250) + udlæg


# ---------------------------------------------------------------- units
@case("r6-units-001")
def _(c):
    return {"all": [(650 + 130) * c.p(1162, "0,64")]}


@case("r6-units-002")
def _(c):
    return {"all": [Decimal("38.5") * c.p(363, "194,00")]}


@case("r6-units-003")
def _(c):
    return {"all": [Decimal("7") * Decimal("2.8") * c.p(367, "351,00")]}


@case("r6-units-004")
def _(c):
    return {"all": [Decimal("2.5") * 4 * c.p(1040, "567,00")]}


@case("r6-units-005")
def _(c):
    return {"all": [3 * 4 * c.p(1048, "190,00")]}


@case("r6-units-006")
def _(c):
    return {"all": [18 * c.p(259, "1,00") + 6 * c.p(260, "2,00")]}


@case("r6-units-007")
def _(c):
    return {"all": [2 * 2 * 5 * c.p(990, "24,00")]}


@case("r6-units-008")
def _(c):
    minimum = c.p(1026, "1.000")   # mindstepris op til 91 m2
    per_m2 = c.p(1026, "12")       # 12 kr. pr. m2 pr. dag
    area = 60
    a = max(minimum, area * per_m2)
    b = minimum + max(0, area - 91) * per_m2
    assert a == b
    return {"all": [a]}


@case("r6-units-009")
def _(c):
    minimum = c.p(1026, "1.000")
    per_m2 = c.p(1026, "12")
    area = 150
    a = max(minimum, area * per_m2)               # reading A
    b = minimum + max(0, area - 91) * per_m2      # reading B
    return {"any": [[a, b]]}


@case("r6-units-010")
def _(c):
    return {"all": [14 * c.p(493, "71,00")]}


@case("r6-units-011")
def _(c):
    return {"all": [3 * c.p(70, "40,00")]}


@case("r6-units-012")
def _(c):
    return {"all": [Decimal("15") * Decimal("4.5") * c.p(364, "209,00")]}


# ---------------------------------------------------------------- duration
def quarters(minutes):
    return ceil_div(minutes, 15)


@case("r6-duration-001")
def _(c):
    rate = c.p(275, "1.070,00")
    c.t(278, "påbegyndt 15 minutter")
    return {"all": [rate * quarters(4 * 60 + 20) / 4], "not": [rate * 260 / 60]}


@case("r6-duration-002")
def _(c):
    rate = c.p(276, "1.070,00")
    c.t(278, "påbegyndt 15 minutter")
    return {"all": [rate * quarters(90) / 4]}


@case("r6-duration-003")
def _(c):
    rate = c.p(300, "1.070,00")
    c.t(302, "påbegyndt 15 minutter")
    return {"all": [rate * quarters(2 * 60 + 5) / 4]}


@case("r6-duration-004")
def _(c):
    rate = c.p(284, "1.070,00")
    c.t(286, "påbegyndt 15 minutter")
    return {"all": [rate * quarters(3 * 60 + 1) / 4]}


@case("r6-duration-005")
def _(c):
    return {"all": [ceil_div(2 * 60 + 10, 60) * c.p(14, "800,00")]}


@case("r6-duration-006")
def _(c):
    return {"all": [ceil_div(6 * 60 + 30, 60) * c.p(22, "800,00")]}


@case("r6-duration-007")
def _(c):
    minutes = 100
    assert 60 < minutes <= 300
    return {"all": [c.p(21, "1.600,00")]}


@case("r6-duration-008")
def _(c):
    minutes = 45
    assert minutes <= 60
    return {"all": [c.p(20, "600,00")]}


@case("r6-duration-009")
def _(c):
    return {"all": [(14 - 9) * c.p(258, "500,00")]}


@case("r6-duration-010")
def _(c):
    return {"all": [(12 - 9) * c.p(786, "474,00")]}


@case("r6-duration-011")
def _(c):
    return {"all": [ceil_div(70, 30) * c.p(486, "227,00")]}


@case("r6-duration-012")
def _(c):
    return {"all": [(23 - 21) * c.p(967, "2.500,00")]}


@case("r6-duration-013")
def _(c):
    rate = c.p(276, "1.070,00")
    c.t(278, "påbegyndt 15 minutter")
    return {"all": [rate * quarters(12) / 4], "not": [rate * 12 / 60]}


# ---------------------------------------------------------------- values
def permille(base, rate):
    return Decimal(base) * rate / 1000


def percent(base, rate):
    return Decimal(base) * rate / 100


@case("r6-values-001")
def _(c):
    return {"all": [permille(3_100_000, c.p(1145, "5,300"))]}


@case("r6-values-002")
def _(c):
    return {"all": [percent(380_000, c.p(1143, "25,26"))]}


@case("r6-values-003")
def _(c):
    return {"all": [percent(412_000, c.p(1144, "0,87"))]}


@case("r6-values-004")
def _(c):
    return {"all": [permille(1_150_000, c.p(1146, "6,238"))],
            "not": [permille(1_150_000, dk_to_dec("5,300"))]}


@case("r6-values-005")
def _(c):
    return {"all": [permille(2_300_000, c.p(1154, "10,519"))]}


@case("r6-values-006")
def _(c):
    return {"all": [permille(950_000, c.p(1145, "5,300"))]}


@case("r6-values-007")
def _(c):
    return {"all": [permille(1_700_000, c.p(1145, "5,300"))]}


@case("r6-values-008")
def _(c):
    return {"all": [percent(520_000, c.p(1143, "25,26")) + percent(520_000, c.p(1144, "0,87"))]}


@case("r6-values-009")
def _(c):
    return {"all": [permille(12_400_000, c.p(1155, "10,519"))]}


@case("r6-values-010")
def _(c):
    return {"all": [permille(2_750_000, c.p(1145, "5,300"))]}


@case("r6-values-011")
def _(c):
    return {"all": [Decimal("0.5") * 10_000 * c.p(1162, "0,64")]}


# ---------------------------------------------------------------- compare
@case("r6-compare-001")
def _(c):
    return {"all": [12 * c.p(860, "550,00"), c.p(887, "3.300,00")]}


@case("r6-compare-002")
def _(c):
    return {"all": [12 * c.p(1071, "300,00"), c.p(1072, "2.000,00")]}


@case("r6-compare-003")
def _(c):
    dag = c.p(329, "123,00")
    aar = c.p(330, "496,00")
    n = 1
    while n * dag <= aar:
        n += 1
    assert n == 5
    return {"all": [aar], "any": [[n * dag, (n - 1) * dag]], "count": n}


@case("r6-compare-004")
def _(c):
    return {"all": [c.p(808, "293,00"), 10 * c.p(800, "50,00")]}


@case("r6-compare-005")
def _(c):
    return {"all": [c.p(852, "270,00"), 10 * c.p(823, "38,00")]}


@case("r6-compare-006")
def _(c):
    dag = c.p(382, "100,00")    # 2 bomløft
    rabat = c.p(383, "700,00")  # 28 bomløft
    return {"all": [rabat, ceil_div(28, 2) * dag]}


@case("r6-compare-007")
def _(c):
    return {"all": [(15 - 8) * c.p(1070, "10,00"), c.p(1074, "30,00")]}


@case("r6-compare-008")
def _(c):
    return {"all": [c.p(780, "635,00"), 3 * c.p(779, "245,00")]}


@case("r6-compare-009")
def _(c):
    return {"all": [c.p(946, "2.275,00"), 6 * c.p(930, "650,00")]}


@case("r6-compare-010")
def _(c):
    single = c.p(820, "76,00")
    aar = c.p(887, "3.300,00")
    n = 1
    while n * single <= aar:
        n += 1
    assert n == 44
    return {"all": [aar], "any": [[n * single, (n - 1) * single]], "count": n}


@case("r6-compare-011")
def _(c):
    return {"all": [c.p(369, "859,00"), 7 * c.p(368, "162,00")]}


# ---------------------------------------------------------------- period
@case("r6-period-001")
def _(c):
    m = c.p(1131, "2.130,00")
    c.t(1131, "i 11 mdr")
    return {"all": [11 * m], "not": [12 * m]}


@case("r6-period-002")
def _(c):
    m = c.p(1134, "482,00")
    c.t(1134, "i 11 mdr")
    return {"all": [11 * m], "not": [12 * m]}


@case("r6-period-003")
def _(c):
    return {"all": [6 * c.p(1082, "3.284,00")]}


@case("r6-period-004")
def _(c):
    return {"all": [12 * (c.p(1088, "3.510,00") + c.p(1090, "858,00"))]}


@case("r6-period-005")
def _(c):
    return {"all": [3 * c.p(738, "3.917,50")]}


@case("r6-period-006")
def _(c):
    return {"all": [30 * c.p(737, "69,00")]}  # juni = 30 dage


@case("r6-period-007")
def _(c):
    return {"all": [14 * c.p(997, "174,00")]}


@case("r6-period-008")
def _(c):
    return {"all": [3 * c.p(369, "859,00")]}


@case("r6-period-009")
def _(c):
    return {"all": [5 * c.p(1032, "250")]}


@case("r6-period-010")
def _(c):
    c.t(518, "10 rater pr. skoleår")
    rate = c.p(533, "565,00")
    copydan = c.p(546, "60,00")
    return {"any": [[10 * rate, 10 * rate + copydan]]}


@case("r6-period-011")
def _(c):
    c.t(518, "10 rater pr. skoleår")
    return {"all": [10 * c.p(522, "205,00")]}


@case("r6-period-012")
def _(c):
    return {"all": [12 * c.p(991, "113,00")]}


@case("r6-period-013")
def _(c):
    return {"all": [8 * c.p(1116, "2.526,00")]}


@case("r6-period-014")
def _(c):
    c.t(562, "påbegyndt arrangementsdag")
    return {"all": [2 * c.p(566, "10.370,00")]}


# ---------------------------------------------------------------- discount
Q = Decimal("0.75")  # -25 %


@case("r6-discount-001")
def _(c):
    r = c.p(533, "565,00")
    c.t(548, "-25%")
    return {"all": [r + r * Q]}


@case("r6-discount-002")
def _(c):
    a = c.p(531, "380,00")
    b = c.p(536, "845,00")
    c.t(548, "-25%")
    return {"any": [[b + a * Q, a + b * Q]]}


@case("r6-discount-003")
def _(c):
    instr = c.p(533, "565,00")
    hl = c.p(528, "155,00")
    c.t(549, "de billigste fag")
    return {"all": [instr + hl * Q], "not": [hl + instr * Q]}


@case("r6-discount-004")
def _(c):
    fees = sorted([c.p(536, "845,00"), c.p(532, "465,00"), c.p(530, "465,00")], reverse=True)
    c.t(549, "-25%")
    return {"all": [fees[0] + sum(f * Q for f in fees[1:])]}


@case("r6-discount-005")
def _(c):
    r = c.p(531, "380,00")
    c.t(548, "efterfølgende")
    return {"all": [r + 2 * r * Q]}


@case("r6-discount-006")
def _(c):
    fee = c.p(251, "20,00")
    c.t(254, "½ pris")
    return {"all": [fee / 2]}


@case("r6-discount-007")
def _(c):
    fee = c.p(252, "80,00")
    c.t(254, "½ pris")
    return {"all": [fee / 2]}


@case("r6-discount-008")
def _(c):
    fee = c.p(253, "200,00")
    c.t(254, "under 14")
    age = 15
    total = fee / 2 if age < 14 else fee
    return {"all": [total], "not": [fee / 2]}


@case("r6-discount-009")
def _(c):
    r = c.p(532, "465,00")
    c.t(526, "Gratis")
    c.t(550, "gratis")
    return {"all": [r], "not": [r * Q]}


@case("r6-discount-010")
def _(c):
    m = c.p(1131, "2.130,00")
    return {"all": [2 * m], "not": [m + m * Q, m * Q]}


@case("r6-discount-011")
def _(c):
    c.t(518, "10 rater pr. skoleår")
    r = c.p(534, "655,00")
    c.t(548, "-25%")
    copydan = c.p(546, "60,00")
    base = 10 * (r + r * Q)
    return {"any": [[base, base + 2 * copydan]]}


# ---------------------------------------------------------------- missing (guesses)
@case("r6-missing-001")
def _(c):
    a, k, t = c.p(756, "893,00"), c.p(754, "150,00"), c.p(755, "181,00")
    return {"not": [a + 2 * k, a + 2 * t, a + k + t]}


@case("r6-missing-002")
def _(c):
    r = c.p(1145, "5,300")
    return {"not": [permille(4600, r), permille(2024, r)]}


@case("r6-missing-003")
def _(c):
    rate = c.p(276, "1.070,00")
    c.t(278, "påbegyndt 15 minutter")
    return {"not": [60 * rate, 60 * rate / 4, 12 * rate]}


@case("r6-missing-004")
def _(c):
    return {"not": [10 * c.p(363, "194,00")]}


@case("r6-missing-005")
def _(c):
    return {"not": [22334455 * c.p(1162, "0,64")]}


@case("r6-missing-006")
def _(c):
    a, b, d = c.p(1131, "2.130,00"), c.p(1132, "1.704,00"), c.p(1133, "1.158,00")
    return {"not": [22 * a, 22 * b, 22 * d, 11 * (a + b)]}


@case("r6-missing-007")
def _(c):
    c.t(518, "10 rater")
    rows = [(531, "380,00"), (532, "465,00"), (533, "565,00"), (534, "655,00"), (535, "745,00"), (536, "845,00")]
    return {"not": [10 * c.p(n, t) for n, t in rows]}


@case("r6-missing-008")
def _(c):
    v, b = c.p(820, "76,00"), c.p(823, "38,00")
    vw, bw = c.p(831, "87,00"), c.p(834, "45,00")
    return {"not": [4 * v, 4 * vw], "candidates": [2 * v + 2 * b, 2 * vw + 2 * bw]}


@case("r6-missing-009")
def _(c):
    c.p(1074, "30,00")
    return {"not": [14 * c.p(1070, "10,00")]}


@case("r6-missing-010")
def _(c):
    h, hb = c.p(736, "60,50"), c.p(737, "69,00")
    return {"not": [82 * h, 82 * hb], "candidates": [14 * h, 14 * hb]}


@case("r6-missing-011")
def _(c):
    return {"not": [2 * c.p(1048, "190,00")]}


@case("r6-missing-012")
def _(c):
    f, g = c.p(385, "465,00"), c.p(386, "1.415,00")
    return {"candidates": [2 * f, 2 * g]}


@case("r6-missing-013")
def _(c):
    kort = c.p(384, "67,00")
    u, m = c.p(394, "8.287,00"), c.p(395, "8.680,00")
    return {"candidates": [u + kort, m + kort]}


# ---------------------------------------------------------------- checking
def parse_source(src):
    fname, spec = src.split(":", 1)
    out = set()
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.update(range(int(a), int(b) + 1))
        else:
            out.add(int(part))
    return fname, out


REQUIRED = ["id", "category", "kind", "message", "expect", "must_contain",
            "must_contain_any", "must_not_contain", "source", "note"]
KINDS = ["persons", "items", "units", "duration", "values", "compare", "period", "discount", "missing"]


def norm(s):
    """The scorer's view: lower case, collapsed whitespace, no space/dot between digits."""
    s = re.sub(r"\s+", " ", s.lower()).strip()
    return re.sub(r"(?<=\d)[ .](?=\d)", "", s)


def validate(o):
    for k in REQUIRED:
        assert k in o, f"field {k} missing"
    assert o["category"] == "calc" and o["kind"] in KINDS
    assert re.fullmatch(r"r6-%s-\d{3}" % o["kind"], o["id"]), "bad id"
    assert o["expect"] in ("answer", "clarify")
    assert isinstance(o["message"], str) and o["message"].strip()
    assert all(isinstance(x, str) for x in o["must_contain"] + o["must_not_contain"])
    assert all(isinstance(g, list) and g and all(isinstance(x, str) for x in g) for g in o["must_contain_any"])
    fname, lines = parse_source(o["source"])
    assert fname in (F0, F3), "unknown seed"
    for ln in lines:
        assert seed_line(fname, ln).strip(), f"source line {ln} empty"
    # a forbidden string must not be reachable by a correct answer's required strings
    ok = [norm(x) for x in o["must_contain"]] + [norm(x) for g in o["must_contain_any"] for x in g]
    for bad in o["must_not_contain"]:
        nb = norm(bad)
        for good in ok:
            assert nb not in good and good not in nb, f"must_not_contain {bad!r} collides with {good!r}"


def main():
    items = []
    with open(os.path.join(HERE, "calc.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            items.append(json.loads(line))
    for o in items:
        validate(o)
    counts = {k: sum(o["kind"] == k for o in items) for k in KINDS}
    assert all(v >= 8 for v in counts.values()), counts
    assert len(items) >= 90
    ids = [o["id"] for o in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    missing_cases = set(ids) - set(CASES)
    assert not missing_cases, f"no recomputation for {sorted(missing_cases)}"
    extra = set(CASES) - set(ids)
    assert not extra, f"cases without item {sorted(extra)}"
    failures = 0
    for o in items:
        c = Ctx()
        try:
            res = CASES[o["id"]](c)
            fname, lines = parse_source(o["source"])
            for f, ln in c.used:
                assert f == fname, f"price from {f} but source file {fname}"
                assert ln in lines, f"price line {ln} not in source {o['source']}"
            mc, mca, mnc, note = o["must_contain"], o["must_contain_any"], o["must_not_contain"], o["note"]
            shown = []
            for t in res.get("all", []):
                s = fmt(t)
                assert s in mc, f"{s} not in must_contain {mc}"
                assert s in note, f"{s} not shown in note"
                shown.append(s)
            money_mc = [x for x in mc if any(ch.isdigit() for ch in x)]
            assert sorted(money_mc) == sorted(shown), f"must_contain {mc} != recomputed {shown}"
            for grp in res.get("any", []):
                sg = [fmt(t) for t in grp]
                assert any(sorted(sg) == sorted(g) for g in mca), f"group {sg} not in must_contain_any {mca}"
                for s in sg:
                    assert s in note, f"{s} not shown in note"
                shown.append("|".join(sg))
            if "count" in res:
                cnt = str(res["count"])
                assert any(all(cnt in x or "fem" in x for x in g) for g in mca), "count group missing"
                shown.append(f"n={cnt}")
            money_mnc = sorted(x for x in mnc if re.fullmatch(r"[\d.]+,\d\d", x))
            assert money_mnc == sorted(fmt(t) for t in res.get("not", [])), \
                f"must_not_contain {money_mnc} != recomputed guesses"
            for t in res.get("not", []):
                s = fmt(t)
                assert s in mnc, f"guess {s} not in must_not_contain {mnc}"
                assert s not in mc, "guess in must_contain"
            for t in res.get("candidates", []):
                s = fmt(t)
                assert s in note, f"candidate {s} not shown in note"
                assert s not in mnc, f"acceptable candidate {s} forbidden"
                shown.append("cand " + s)
            if o["kind"] == "missing":
                assert o["expect"] == "clarify", "missing item must expect clarify"
                assert not money_mc, "missing item requires no total"
                detail = "guesses forbidden: " + ", ".join(fmt(t) for t in res.get("not", []))
                if res.get("candidates"):
                    detail += "; " + ", ".join(shown)
            else:
                assert o["expect"] == "answer"
                detail = " + ".join(shown)
            print(f"OK   {o['id']:<18} {detail}")
        except AssertionError as e:
            failures += 1
            print(f"FAIL {o['id']:<18} {e}")
    if failures:
        print(f"{failures} FAILED")
        sys.exit(1)
    print("counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; total {len(items)}")
    print("ALL OK")


if __name__ == "__main__":
    main()
