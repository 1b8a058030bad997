#!/usr/bin/env python3
"""Independent recomputation of every expected total in calc.jsonl (stdlib only, Decimal).

For each item a function below takes each unit price from its seed line with p(line, text)
(asserting that the price text occurs on that line and that the line is cited in the item's
source), recomputes the total, and returns the expected strings. The checker compares them with
must_contain / must_contain_any / must_not_contain and requires every amount to appear in note.
Prices used for the expected total (p) count towards the "row used at most twice" rule; prices
used only for a wrong-reading total (alt) and rule lines (r) are checked but not counted.
"""
import json, os, re, sys
from collections import Counter, defaultdict
from decimal import Decimal as D, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "..", "..", "shared", "seeds")
F0 = "000_88859510c15c3961.txt"
F3 = "003_ca89e0cbbb223601.txt"
LINES = {f: open(os.path.join(SEEDS, f), encoding="utf-8").read().split("\n") for f in (F0, F3)}
MIN = {"persons": 12, "items": 12, "units": 12, "duration": 10, "values": 10,
       "compare": 10, "period": 10, "discount": 8, "missing": 10}
FIELDS = ["id", "category", "kind", "message", "expect", "must_contain", "must_contain_any",
          "must_not_contain", "source", "note"]


def fmt(x):
    x = D(x).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    neg = x < 0
    i, f = f"{abs(x):.2f}".split(".")
    g = ""
    while len(i) > 3:
        g = "." + i[-3:] + g
        i = i[:-3]
    return ("-" if neg else "") + i + g + "," + f


def parse_source(src):
    out = set()
    for part in src.split(";"):
        part = part.strip()
        fname, spec = part.rsplit(":", 1)
        assert fname in LINES, part
        for piece in spec.split(","):
            if "-" in piece:
                a, b = map(int, piece.split("-"))
                out.update((fname, n) for n in range(a, b + 1))
            else:
                out.add((fname, int(piece)))
    return out


class Ctx:
    item = None
    src = set()
    used = set()


def _look(line, text, f):
    assert (f, line) in Ctx.src, f"{Ctx.item['id']}: line {f}:{line} not in source"
    content = LINES[f][line - 1]
    assert text in content, f"{Ctx.item['id']}: {text!r} not on {f}:{line}: {content!r}"
    m = re.search(r"\d[\d.]*(,\d+)?", text)
    return D(m.group(0).replace(".", "").replace(",", ".")) if m else None


def p(line, text, f=F3):
    """a price used for the expected total"""
    v = _look(line, text, f)
    Ctx.used.add((f, line))
    return v


def alt(line, text, f=F3):
    """a price used only for a wrong-reading total"""
    return _look(line, text, f)


def r(line, text, f=F3):
    """a rule line (discount, charging unit): must be cited and contain text"""
    _look(line, text, f)


def E(contain=(), any_=(), nots=()):
    return {"contain": list(contain), "any": [list(g) for g in any_], "nots": list(nots)}


def quarters(minutes):
    return -(-minutes // 15)


def started(minutes, unit):
    return -(-minutes // unit)


PM = D(1000)
PC = D(100)
R = {}


def item(i):
    def deco(fn):
        R[i] = fn
        return fn
    return deco


# ---------------- persons ----------------
@item("r7-persons-001")
def _():
    v, b, pe = p(800, "50,00"), p(801, "38,00"), p(802, "38,00")
    return E([2 * v + pe + b], nots=[3 * v + b])

@item("r7-persons-002")
def _():
    a, c2, c12 = p(756, "893,00"), p(754, "150,00"), p(755, "181,00")
    return E([a + c2 + c12], nots=[a + 2 * c2])

@item("r7-persons-003")
def _():
    s, baby = p(757, "381,00"), p(753, "150,00")
    return E([2 * s + baby], nots=[alt(756, "893,00") + s + baby])

@item("r7-persons-004")
def _():
    tot = p(820, "76,00") + p(821, "48,00") + p(823, "38,00") + p(822, "48,00")
    wrong = alt(831, "87,00") + alt(832, "55,00") + alt(834, "45,00") + alt(833, "55,00")
    return E([tot], nots=[wrong])

@item("r7-persons-005")
def _():
    tot = 2 * p(831, "87,00") + 2 * p(834, "45,00") + p(832, "55,00")
    wrong = 2 * alt(820, "76,00") + 2 * alt(823, "38,00") + alt(821, "48,00")
    return E([tot], nots=[wrong])

@item("r7-persons-006")
def _():
    tot = p(898, "89,00") + p(900, "61,00") + p(899, "61,00")
    wrong = alt(820, "76,00") + alt(822, "48,00") + alt(821, "48,00")
    return E([tot], nots=[wrong])

@item("r7-persons-007")
def _():
    tot = 2 * p(906, "102,00") + p(907, "70,00")
    return E([tot], nots=[2 * alt(898, "89,00") + alt(899, "61,00")])

@item("r7-persons-008")
def _():
    return E([p(849, "550,00") + p(851, "350,00") + p(852, "270,00")])

@item("r7-persons-009")
def _():
    v, b, u = p(840, "310,00"), p(843, "160,00"), p(841, "200,00")
    return E([2 * v + b + u], nots=[2 * v + 2 * b])

@item("r7-persons-010")
def _():
    v, pe, b = p(887, "3.300,00"), p(889, "2.100,00"), p(890, "1.620,00")
    return E([v + pe + b], nots=[2 * v + b])

@item("r7-persons-011")
def _():
    ib, il = p(825, "33,00"), p(824, "41,00")
    wrong = 22 * alt(823, "38,00") + 3 * alt(820, "76,00")
    return E([22 * ib + 3 * il], nots=[wrong])

@item("r7-persons-012")
def _():
    return E([2 * p(860, "550,00") + p(861, "350,00") + p(863, "270,00")])

@item("r7-persons-013")
def _():
    return E([2 * p(505, "720,00") + p(506, "556,00")])

@item("r7-persons-014")
def _():
    r(962, "pr. gang")
    return E([3 * p(969, "80,00") + p(965, "25,00")])

# ---------------- items ----------------
@item("r7-items-001")
def _():
    a, s12, h = p(40, "100,00"), p(43, "464,00"), p(44, "80,00")
    return E([a + s12 + h], nots=[a + alt(42, "232,00") + h])

@item("r7-items-002")
def _():
    tot = p(67, "1.475,00") + p(71, "700,00") + p(45, "1.750,00") + p(48, "130,00") + p(49, "50,00")
    return E([tot])

@item("r7-items-003")
def _():
    u = p(69, "1.050,00")
    tot = p(41, "50,00") + u + p(46, "875,00")
    return E([tot], nots=[alt(40, "100,00") + u + alt(45, "1.750,00")])

@item("r7-items-004")
def _():
    m = p(384, "67,00")
    return E([2 * p(385, "465,00") + m], nots=[2 * alt(386, "1.415,00") + m])

@item("r7-items-005")
def _():
    return E([p(724, "4.665,00") + p(725, "3.110,00")])

@item("r7-items-006")
def _():
    r(617, "Ejby Medborgerhus")
    adm = p(613, "260,00")
    return E([p(637, "1.775,00") + adm], nots=[alt(637, "1.180,00") + adm])

@item("r7-items-007")
def _():
    r(617, "Borup Kulturhus")
    adm = p(674, "260,00")
    return E([p(625, "1.290,00") + adm], nots=[alt(625, "395,00") + adm])

@item("r7-items-008")
def _():
    return E([p(580, "1.170,00") + p(602, "30,00")])

@item("r7-items-009")
def _():
    return E([p(758, "225,00") + p(763, "52,00") + p(764, "150,00")])

@item("r7-items-010")
def _():
    r(983, "rengøringsartikler")
    return E([p(985, "234,50") + p(987, "27,50") + p(991, "113,00")])

@item("r7-items-011")
def _():
    return E([p(738, "3.917,50") + p(991, "113,00")])

@item("r7-items-012")
def _():
    return E([p(452, "1.520,00") + p(453, "1.602,00") + p(454, "1.520,00")])

@item("r7-items-013")
def _():
    rk, ud = p(82, "250,00", F0), p(82, "450,00", F0)
    r(82, "varsling pålagt gebyr på 250,00", F0)
    alt(318, "250,00"); alt(320, "450,00")
    return E([rk + rk + ud], nots=[3 * rk])

@item("r7-items-014")
def _():
    return E([p(533, "565,00") + p(538, "105,00")])

@item("r7-items-015")
def _():
    r(350, "maks. 2 ruser")
    ruse = 2 * p(350, "619,00")
    return E([p(348, "2.467,00") + ruse], nots=[alt(338, "1.233,00") + ruse])

@item("r7-items-016")
def _():
    r(617, "Køge Spejderhus")
    adm = p(613, "260,00")
    tot = p(690, "1.285,00") + p(698, "315,00") + adm
    return E([tot], nots=[alt(689, "630,00") + alt(697, "190,00") + adm])

@item("r7-items-017")
def _():
    return E([p(654, "915,00") + p(655, "710,00")])

@item("r7-items-018")
def _():
    return E([p(744, "64,50") + p(745, "53,00")])

@item("r7-items-019")
def _():
    dep = p(1006, "10.000,00")
    return E([3 * p(1015, "1.000,00") + dep], nots=[3 * alt(1016, "500,00") + dep])

@item("r7-items-020")
def _():
    r(58, "Ekstraordinær tømning")
    return E([p(60, "400,00") + p(57, "390,00")])

@item("r7-items-021")
def _():
    return E([p(433, "207,00") + p(434, "525,00")])

@item("r7-items-022")
def _():
    st = p(464, "250,00")
    return E([p(463, "900,00") + st], nots=[alt(462, "700,00") + st])

@item("r7-items-023")
def _():
    return E([p(477, "2.100,00") + p(479, "525,00")])

# ---------------- units ----------------
@item("r7-units-001")
def _():
    return E([(D(650) + D(48)) * p(1162, "0,64")])

@item("r7-units-002")
def _():
    a = D(14) * D("4.2")
    return E([a * p(364, "209,00")], nots=[a * alt(363, "194,00")])

@item("r7-units-003")
def _():
    return E([D(10) * D("3.5") * p(363, "194,00")])

@item("r7-units-004")
def _():
    alt(407, "351,00")
    return E([D(7) * D("2.8") * p(367, "351,00")])

@item("r7-units-005")
def _():
    a4 = p(259, "1,00")
    return E([35 * a4 + 12 * p(260, "2,00")], nots=[47 * a4])

@item("r7-units-006")
def _():
    t = p(990, "24,00")
    return E([2 * 2 * 6 * t], nots=[2 * 6 * t])

@item("r7-units-007")
def _():
    return E([(D("12.5") + D(7)) * p(493, "71,00")])

@item("r7-units-008")
def _():
    return E([2 * 3 * p(70, "40,00")])

@item("r7-units-009")
def _():
    r(1036, "pr. kvm")
    return E([D("2.5") * D(4) * p(1040, "567,00")])

@item("r7-units-010")
def _():
    return E([3 * 4 * p(1048, "190,00")])

@item("r7-units-011")
def _():
    mn, per = p(1026, "1.000 kr."), p(1026, "12 kr. pr. m2")
    a = D(120)
    ra = 2 * max(mn, a * per)
    rb = 2 * (mn + (a - 91) * per)
    return E([], any_=[[ra, rb]])

@item("r7-units-012")
def _():
    return E([2 * 5 * p(241, "220,00")])

@item("r7-units-013")
def _():
    alt(499, "10,00")
    return E([4 * 7 * p(446, "10,00")])

@item("r7-units-014")
def _():
    alt(319, "100,00")
    return E([3 * p(76, "100,00", F0)], nots=[3 * alt(70, "250,00", F0)])

@item("r7-units-015")
def _():
    m = p(559, "500,00")
    return E([2 * 3 * m], nots=[3 * m + 3 * m * D("0.75")])

@item("r7-units-016")
def _():
    return E([3 * p(83, "2.150,00")])

@item("r7-units-017")
def _():
    return E([12 * p(28, "7,00")])

@item("r7-units-018")
def _():
    r(242, "over 10, indtil 35 kg")
    return E([3 * p(242, "252,50")])

# ---------------- duration ----------------
def building(line, rule_line, minutes, label):
    rate = p(line, "1.070,00")
    r(line, label)
    r(rule_line, "pr. påbegyndt 15 minutter")
    return rate, quarters(minutes) * rate / 4

@item("r7-duration-001")
def _():
    rate, tot = building(275, 278, 3 * 60 + 10, "Timepris")
    return E([tot], nots=[started(190, 60) * rate, D(190) / 60 * rate])

@item("r7-duration-002")
def _():
    rate, tot = building(276, 278, 90, "over 50 m2")
    return E([tot])

@item("r7-duration-003")
def _():
    rate, tot = building(284, 286, 125, "legepladser")
    return E([tot], nots=[D(125) / 60 * rate, 2 * rate])

@item("r7-duration-004")
def _():
    rate, tot = building(292, 294, 45, "ændres til timepris")
    return E([], any_=[[tot, rate]])

@item("r7-duration-005")
def _():
    rate, tot = building(300, 302, (12 * 60 + 30) - 8 * 60, "Timepris")
    return E([tot])

@item("r7-duration-006")
def _():
    rate, tot = building(308, 310, 5 * 60 + 50, "landbrugsbyggeri")
    return E([tot], nots=[D(350) / 60 * rate])

@item("r7-duration-007")
def _():
    r(14, "pr. påbegyndt time")
    rate = p(14, "800,00")
    return E([started(130, 60) * rate], nots=[quarters(130) * rate / 4, D(130) / 60 * rate])

@item("r7-duration-008")
def _():
    r(21, "mellem 1 og 5 timer")
    return E([p(21, "1.600,00")], nots=[started(160, 60) * alt(22, "800,00")])

@item("r7-duration-009")
def _():
    r(258, "pr. time")
    return E([D("2.5") * p(258, "500,00")])

@item("r7-duration-010")
def _():
    return E([(20 - 17) * p(786, "474,00")])

@item("r7-duration-011")
def _():
    r(486, "påbegyndt halve time (30 min)")
    rate = p(486, "227,00")
    return E([started(100, 30) * rate], nots=[D(100) / 30 * rate, 2 * rate])

@item("r7-duration-012")
def _():
    r(967, "Timeleje af hele Køge Svømmeland")
    return E([(23 - 20) * p(967, "2.500,00")])

@item("r7-duration-013")
def _():
    r(562, "pr. påbegyndt arrangementsdag")
    hours = 24 - 10 + 18
    days = started(hours * 60, 24 * 60)
    assert days == 2  # also 2 calendar days (Saturday, Sunday)
    return E([days * p(566, "10.370,00")])

# ---------------- values ----------------
@item("r7-values-001")
def _():
    return E([D("2.4") * 10**6 * p(1145, "5,300") / PM])

@item("r7-values-002")
def _():
    return E([D(1150000) * p(1154, "10,519") / PM])

@item("r7-values-003")
def _():
    v = D("1.35") * 10**6
    return E([v * p(1146, "6,238") / PM], nots=[v * alt(1145, "5,300") / PM])

@item("r7-values-004")
def _():
    v = D(780) * 1000
    return E([v * p(1146, "6,238") / PM], nots=[v * alt(1145, "5,300") / PM])

@item("r7-values-005")
def _():
    v = D(3200000)
    return E([v * p(1154, "10,519") / PM], nots=[v * alt(1156, "8,75") / PM])

@item("r7-values-006")
def _():
    return E([D(2650000) * p(1155, "10,519") / PM])

@item("r7-values-007")
def _():
    return E([D(420000) * p(1143, "25,26") / PC])

@item("r7-values-008")
def _():
    return E([D(412) * 1000 * p(1144, "0,87") / PC])

@item("r7-values-009")
def _():
    return E([D(350) * 1000 * p(1143, "25,26") / PC])

@item("r7-values-010")
def _():
    v = D("4.5") * 10**6
    return E([v * p(1153, "0,00") / PM], nots=[v * alt(1154, "10,519") / PM])

# ---------------- compare ----------------
def breakeven(single, card):
    n = 1
    while n * single <= card:
        n += 1
    return n

@item("r7-compare-001")
def _():
    d, y = p(329, "123,00"), p(330, "496,00")
    n = breakeven(d, y)
    assert (n - 1) * d < y < n * d
    return E([y, str(n)], nots=[])

@item("r7-compare-002")
def _():
    return E([6 * 3 * p(336, "123,00"), p(337, "496,00")])

@item("r7-compare-003")
def _():
    return E([12 * p(1071, "300,00"), p(1072, "2.000,00")])

@item("r7-compare-004")
def _():
    return E([3 * 46 * p(1074, "30,00"), p(1072, "2.000,00")])

@item("r7-compare-005")
def _():
    return E([10 * p(800, "50,00"), p(808, "293,00")])

@item("r7-compare-006")
def _():
    s, y = p(820, "76,00"), p(887, "3.300,00")
    n = breakeven(s, y)
    return E([y, str(n)])

@item("r7-compare-007")
def _():
    return E([3 * p(860, "550,00"), p(869, "1.100,00")])

@item("r7-compare-008")
def _():
    return E([2 * p(872, "540,00"), p(881, "950,00")])

@item("r7-compare-009")
def _():
    return E([2 * p(914, "370,00"), p(922, "650,00")])

@item("r7-compare-010")
def _():
    return E([3 * p(779, "245,00"), p(780, "635,00")])

@item("r7-compare-011")
def _():
    return E([3 * p(777, "425,00"), p(778, "900,00")])

@item("r7-compare-012")
def _():
    r(382, "2 bomløft"); r(383, "28 bomløft")
    trips = 10
    assert trips * 2 <= 28
    return E([trips * p(382, "100,00"), p(383, "700,00")])

# ---------------- period ----------------
@item("r7-period-001")
def _():
    return E([7 * p(1082, "3.284,00")])

def sfo(line, text):
    r(line, "i 11 mdr.")
    v = p(line, text)
    return E([11 * v], nots=[12 * v])

@item("r7-period-002")
def _():
    return sfo(1131, "2.130,00")

@item("r7-period-003")
def _():
    return sfo(1132, "1.704,00")

@item("r7-period-004")
def _():
    return sfo(1134, "482,00")

@item("r7-period-005")
def _():
    r(518, "10 rater pr. skoleår")
    v = p(532, "465,00")
    return E([], any_=[[10 * v, 10 * v + p(546, "60,00")]], nots=[12 * v, 36 * v])

@item("r7-period-006")
def _():
    r(518, "10 rater pr. skoleår")
    v = p(528, "155,00")
    return E([10 * v], nots=[12 * v])

@item("r7-period-007")
def _():
    return E([30 * p(736, "60,50")])

@item("r7-period-008")
def _():
    return E([5 * 4 * p(737, "69,00")])

@item("r7-period-009")
def _():
    return E([14 * p(997, "174,00")])

@item("r7-period-010")
def _():
    alt(409, "859,00")
    return E([3 * p(369, "859,00")])

@item("r7-period-011")
def _():
    return E([5 * (p(1088, "3.510,00") + p(1090, "858,00"))])

@item("r7-period-012")
def _():
    return E([10 * p(473, "56,00")])

@item("r7-period-013")
def _():
    r(617, "Lokaler på skoler")
    v, adm = p(708, "630,00"), p(674, "260,00")
    return E([], any_=[[6 * v, 6 * v + adm, 6 * v + 6 * adm]])

@item("r7-period-014")
def _():
    return E([2 * p(670, "1.245,00")])

@item("r7-period-015")
def _():
    return E([4 * p(1016, "500,00")], nots=[4 * alt(1015, "1.000,00")])

@item("r7-period-016")
def _():
    return E([3 * p(1032, "250 kr.")])

@item("r7-period-017")
def _():
    return E([2 * 3 * p(1047, "378,00")])

@item("r7-period-018")
def _():
    r(1102, "2023")
    return E([6 * p(1106, "2.450,00") + 6 * p(1107, "2.396,00")])

@item("r7-period-019")
def _():
    r(426, "mellem 15 og 20 m")
    return E([3 * p(426, "364,00")])

# ---------------- discount ----------------
SIB = D("0.75")

@item("r7-discount-001")
def _():
    r(548, "søskenderabat"); r(548, "-25%")
    v = p(533, "565,00")
    return E([v + v * SIB], nots=[2 * v])

@item("r7-discount-002")
def _():
    r(549, "Rabatten beregnes på de billigste fag")
    a, b = p(535, "745,00"), p(528, "155,00")
    cheap, dear = min(a, b), max(a, b)
    return E([dear + cheap * SIB], nots=[a + b, dear * SIB + cheap])

def half(line, text):
    r(254, "½ pris")
    return p(line, text) / 2

@item("r7-discount-003")
def _():
    return E([half(252, "80,00")])

@item("r7-discount-004")
def _():
    full = p(251, "20,00")
    return E([full + half(251, "20,00")], nots=[2 * full])

@item("r7-discount-005")
def _():
    full = p(253, "200,00")
    return E([full + half(253, "200,00")], nots=[2 * full])

@item("r7-discount-006")
def _():
    r(548, "søskenderabat")
    v = p(558, "1.000,00")
    return E([2 * v], nots=[v + v * SIB, v + v / 2])

@item("r7-discount-007")
def _():
    v = p(773, "185,00")
    tot = 2 * 3 * v
    return E([tot], nots=[tot * SIB, tot / 2])

@item("r7-discount-008")
def _():
    v = p(849, "550,00")
    return E([2 * p(850, "350,00") + v], nots=[3 * v])

@item("r7-discount-009")
def _():
    r(548, "anden og efterfølgende søskende")
    v = p(531, "380,00")
    return E([v + 2 * v * SIB], nots=[3 * v])

# ---------------- missing ----------------
@item("r7-missing-001")
def _():
    for ln, t in [(753, "150,00"), (754, "150,00"), (755, "181,00"), (756, "893,00"), (757, "381,00")]:
        alt(ln, t)
    return E()

@item("r7-missing-002")
def _():
    r(278, "pr. påbegyndt 15 minutter")
    return E(nots=[145 * p(275, "1.070,00")])

@item("r7-missing-003")
def _():
    return E(nots=[D(4600) * p(1145, "5,300") / PM])

@item("r7-missing-004")
def _():
    return E(nots=[D(2024) * p(1162, "0,64")])

@item("r7-missing-005")
def _():
    return E([p(646, "580,00"), p(646, "1.925,00")])

@item("r7-missing-006")
def _():
    return E([2 * p(370, "3.203,00"), 2 * p(410, "3.542,00")])

@item("r7-missing-007")
def _():
    r(392, "uden mast"); r(393, "med mast")
    return E([p(392, "7.892,00"), p(393, "8.287,00")])

@item("r7-missing-008")
def _():
    return E(nots=[D(1979) * p(1144, "0,87") / PC])

@item("r7-missing-009")
def _():
    for ln, t in [(1131, "2.130,00"), (1132, "1.704,00"), (1133, "1.158,00")]:
        alt(ln, t)
    return E()

@item("r7-missing-010")
def _():
    for ln, t in [(831, "87,00"), (832, "55,00"), (834, "45,00")]:
        alt(ln, t)
    return E()

@item("r7-missing-011")
def _():
    return E(nots=[D(21436587) * p(990, "24,00")])

@item("r7-missing-012")
def _():
    alt(403, "167,00")
    return E(nots=[D("7.5") * p(362, "167,00")])

@item("r7-missing-013")
def _():
    r(269, "Gratis")
    rate = p(276, "1.070,00")
    r(278, "pr. påbegyndt 15 minutter")
    return E([quarters(120) * rate / 4], any_=[["gratis"]], nots=[4681 * rate])


# ---------------- extra coverage ----------------
@item("r7-items-024")
def _():
    fr = p(1098, "858,00")
    return E([p(1097, "1.680,00") + fr], nots=[alt(1096, "2.102,00") + fr])

@item("r7-items-025")
def _():
    return E([p(589, "360,00") + p(600, "220,00")])

@item("r7-compare-013")
def _():
    return E([12 * p(930, "650,00"), p(954, "3.900,00")])

@item("r7-units-019")
def _():
    return E([2 * p(210, "15.610,00")])

@item("r7-units-020")
def _():
    r(157, "flerfamilieboliger")
    return E([4 * p(174, "3.675,00")])

@item("r7-duration-014")
def _():
    r(663, "(24 timer)")
    hours = (24 - 15) + 11
    periods = started(hours, 24)
    v = p(663, "1.555,00")
    return E([periods * v], nots=[2 * v])


# ---------------- checker ----------------
def as_str(x):
    return x if isinstance(x, str) else fmt(x)


def main():
    path = os.path.join(HERE, "calc.jsonl")
    items = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    errors = []
    ids = [i.get("id") for i in items]
    dup = [k for k, c in Counter(ids).items() if c > 1]
    if dup:
        errors.append(f"duplicate ids: {dup}")
    msgs = Counter(i.get("message") for i in items)
    if any(c > 1 for c in msgs.values()):
        errors.append("duplicate messages")
    usage = defaultdict(list)
    money = re.compile(r"^\d{1,3}(\.\d{3})*,\d{2}$")
    for it in items:
        iid = it.get("id", "?")
        try:
            for f in FIELDS:
                assert f in it, f"missing field {f}"
            assert it["category"] == "calc", "category"
            assert it["kind"] in MIN, "kind"
            assert re.fullmatch(rf"r7-{it['kind']}-\d{{3}}", iid), "id pattern"
            assert it["expect"] in ("answer", "clarify", "unknown"), "expect"
            assert iid in R, "no recompute function"
            Ctx.item, Ctx.src, Ctx.used = it, parse_source(it["source"]), set()
            e = R[iid]()
            contain = [as_str(x) for x in e["contain"]]
            groups = [[as_str(x) for x in g] for g in e["any"]]
            nots = [as_str(x) for x in e["nots"]]
            assert sorted(contain) == sorted(it["must_contain"]), f"must_contain {it['must_contain']} != recomputed {contain}"
            assert [sorted(g) for g in groups] == [sorted(g) for g in it["must_contain_any"]], \
                f"must_contain_any {it['must_contain_any']} != recomputed {groups}"
            for n in nots:
                assert n in it["must_not_contain"], f"recomputed wrong total {n} not in must_not_contain"
            for n in it["must_not_contain"]:
                assert n not in contain and all(n not in g for g in groups), f"{n} both required and forbidden"
            if it["expect"] == "clarify":
                assert not it["must_contain"] and not it["must_contain_any"], "clarify item with required totals"
            else:
                assert it["must_contain"] or it["must_contain_any"], "answer item without expectations"
            note = it["note"]
            for s in contain + [x for g in groups for x in g] + nots:
                if money.match(s):
                    assert s in note, f"{s} not in note"
            for s in it["must_not_contain"]:
                assert s in note, f"must_not {s} not in note"
            for u in Ctx.used:
                usage[u].append(iid)
            shown = " | ".join(contain + ["/".join(g) for g in groups]) or "(clarify)"
            print(f"OK  {iid:18s} {it['expect']:8s} {shown}" + (f"   not: {', '.join(nots)}" if nots else ""))
        except AssertionError as ex:
            errors.append(f"{iid}: {ex}")
            print(f"ERR {iid}: {ex}")
    for (f, ln), users in sorted(usage.items()):
        if len(users) > 2:
            errors.append(f"row {f}:{ln} used {len(users)} times: {users}")
    counts = Counter(i["kind"] for i in items)
    print()
    for k, m in MIN.items():
        flag = "" if counts[k] >= m else f"  < {m}!"
        print(f"{k:9s} {counts[k]:3d} (min {m}){flag}")
        if counts[k] < m:
            errors.append(f"kind {k}: {counts[k]} < {m}")
    print(f"total     {len(items):3d}; price rows used: {len(usage)}; max use per row: {max(len(v) for v in usage.values())}")
    if errors:
        print("\nFAILED:")
        for e in errors:
            print(" ", e)
        sys.exit(1)
    print("ALL OK")


if __name__ == "__main__":
    main()
