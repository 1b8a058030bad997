#!/usr/bin/env python3
"""Recompute every expected total of calc.jsonl from the seed lines (stdlib + decimal only).

For each item a small function below reads the unit prices it needs from their seed lines
(asserting the price text is on that line), does the arithmetic, and returns the expected
totals, the either/or reading groups and the misreading totals. The checker then compares
them with calc.jsonl (Danish format 1.224,00) and checks the structural rules of SCHEMA.md.
"""
import json, os, re, sys, collections
from decimal import Decimal as D, ROUND_HALF_UP, ROUND_CEILING

SEEDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'shared', 'seeds') + os.sep
F3 = '003_ca89e0cbbb223601.txt'
F0 = '000_88859510c15c3961.txt'
LINES = {f: open(SEEDS + f, encoding='utf-8').read().split('\n') for f in (F3, F0)}
HERE = __file__.rsplit('/', 1)[0] if '/' in __file__ else '.'
NUM = re.compile(r'\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?')
KINDS = ['persons', 'items', 'units', 'duration', 'values', 'compare', 'period', 'discount', 'missing']
MINIMUM = dict(persons=14, items=14, units=14, duration=12, values=12, compare=12, period=14, discount=10, missing=12)
FIELDS = ['id', 'category', 'kind', 'message', 'expect', 'must_contain', 'must_contain_any',
          'must_not_contain', 'source', 'note']


def parse(tok):
    return D(tok.replace('.', '').replace(',', '.'))


def fmt(x):
    q = D(x).quantize(D('0.01'), ROUND_HALF_UP)
    s = '{:,.2f}'.format(q)
    return s.replace(',', '#').replace('.', ',').replace('#', '.')


def ceil(x):
    return int(D(x).to_integral_value(ROUND_CEILING))


def started(minutes, block):
    """number of started blocks of `block` minutes"""
    return ceil(D(minutes) / D(block))


def hm(h, m=0):
    return D(h) * 60 + D(m)


class Ctx:
    def __init__(self):
        self.rows = set()      # (file, line) of rows used for correct totals
        self.prices = []       # (value, seed token) of those rows
        self.shown = []        # intermediate amounts a correct answer may show

    def _get(self, line, text, f):
        L = LINES[f][line - 1]
        assert text in L, 'price text %r not on %s:%d: %r' % (text, f, line, L)
        m = NUM.search(text)
        assert m, text
        return parse(m.group()), m.group()

    def r(self, line, text, f=F3):
        v, tok = self._get(line, text, f)
        self.rows.add((f, line))
        self.prices.append((v, tok))
        return v

    def w(self, line, text, f=F3):   # row only used for a misreading
        return self._get(line, text, f)[0]

    def show(self, *vals):
        self.shown.extend(vals)
        return vals[0] if len(vals) == 1 else vals


S = {}


def spec(kind, n):
    def deco(fn):
        S['r9-%s-%03d' % (kind, n)] = fn
        return fn
    return deco


R = lambda must=(), any=(), wrong=(): dict(must=list(must), any=[list(g) for g in any], wrong=list(wrong))

# ---------------------------------------------------------------- persons
@spec('persons', 1)
def _(c):
    a, p, b = c.r(820, 'Voksen 76,00'), c.r(822, '48,00'), c.r(823, '38,00')
    c.show(2 * a, 2 * b)
    we = 2 * c.w(831, '87,00') + c.w(833, '55,00') + 2 * c.w(834, '45,00')
    return R([2 * a + p + 2 * b], wrong=[we, 3 * a + 2 * b])

@spec('persons', 2)
def _(c):
    ad, ch, yo = c.r(756, '893,00'), c.r(754, '150,00'), c.r(755, '181,00')
    return R([ad + ch + yo], wrong=[ad + 2 * ch, 3 * ad])

@spec('persons', 3)
def _(c):
    a, b = c.r(800, '50,00'), c.r(801, '38,00')
    c.show(2 * a, 3 * b)
    return R([2 * a + 3 * b], wrong=[5 * a])

@spec('persons', 4)
def _(c):
    a, u = c.r(831, '87,00'), c.r(832, '55,00')
    c.show(2 * a)
    return R([2 * a + u], wrong=[2 * c.w(820, '76,00') + c.w(821, '48,00'), 2 * a + c.w(834, '45,00')])

@spec('persons', 5)
def _(c):
    o, a = c.r(757, '381,00'), c.r(756, '893,00')
    return R([o + a], wrong=[2 * o, 2 * a])

@spec('persons', 6)
def _(c):
    a, p = c.r(898, '89,00'), c.r(900, '61,00')
    c.show(2 * p)
    return R([a + 2 * p], wrong=[3 * a, c.w(906, '102,00') + 2 * c.w(908, '70,00')])

@spec('persons', 7)
def _(c):
    a, s = c.r(906, '102,00'), c.r(907, '70,00')
    c.show(2 * a)
    return R([2 * a + s], wrong=[3 * a, 2 * c.w(898, '89,00') + c.w(899, '61,00')])

@spec('persons', 8)
def _(c):
    a, b, p = c.r(849, '550,00'), c.r(852, '270,00'), c.r(851, '350,00')
    return R([a + b + p], wrong=[3 * a])

@spec('persons', 9)
def _(c):
    a, b = c.r(887, '3.300,00'), c.r(890, '1.620,00')
    c.show(2 * a, 2 * b)
    return R([2 * a + 2 * b], wrong=[4 * a])

@spec('persons', 10)
def _(c):
    a, p, b = c.r(840, '310,00'), c.r(842, '200,00'), c.r(843, '160,00')
    c.show(2 * b)
    return R([a + p + 2 * b], wrong=[4 * a])

@spec('persons', 11)
def _(c):
    s, l = c.r(758, '225,00'), c.r(763, '52,00')
    c.show(2 * s)
    return R([2 * s + l], wrong=[3 * s])

@spec('persons', 12)
def _(c):
    baby, teen = c.r(753, '150,00'), c.r(755, '181,00')
    c.show(2 * baby)
    return R([2 * baby + teen], wrong=[3 * baby, 3 * teen])

@spec('persons', 13)
def _(c):
    l, b = c.r(824, '41,00'), c.r(825, '33,00')
    c.show(2 * l, 14 * b)
    return R([2 * l + 14 * b], wrong=[16 * l, 2 * c.w(820, '76,00') + 14 * c.w(823, '38,00')])

@spec('persons', 14)
def _(c):
    p, u, b = c.r(862, '350,00'), c.r(861, '350,00'), c.r(863, '270,00')
    return R([p + u + b], wrong=[c.w(860, '550,00') + u + b])

@spec('persons', 15)
def _(c):
    a, b = c.r(878, '1.930,00'), c.r(881, '950,00')
    c.show(2 * a)
    return R([2 * a + b], wrong=[3 * a])

# ---------------------------------------------------------------- items
@spec('items', 1)
def _(c):
    t = c.r(40, '100,00') + c.r(42, '232,00') + c.r(44, '80,00') + c.r(45, '1.750,00')
    return R([t], wrong=[t - c.w(42, '232,00') + c.w(43, '464,00')])

@spec('items', 2)
def _(c):
    adm, gp, rest = c.r(41, '50,00'), c.r(46, '875,00'), c.r(69, '1.050,00')
    return R([adm + gp + rest], wrong=[c.w(40, '100,00') + gp + rest, adm + c.w(45, '1.750,00') + rest])

@spec('items', 3)
def _(c):
    lift, card = c.r(385, '465,00'), c.r(384, '67,00')
    c.show(2 * lift, 2 * card)
    return R([2 * lift + 2 * card], wrong=[2 * c.w(386, '1.415,00') + 2 * card, lift + 2 * card])

@spec('items', 4)
def _(c):
    i = c.r(602, '30,00')
    return R([c.r(580, '1.170,00') + i], wrong=[c.w(581, '1.870,00') + i])

@spec('items', 5)
def _(c):
    room, kit, adm = c.r(690, '1.285,00'), c.r(698, '315,00'), c.r(613, '260,00')
    assert 'Køge Spejderhus' in LINES[F3][617 - 1]
    return R([room + kit + adm], wrong=[c.w(689, '630,00') + c.w(697, '190,00') + adm, room + kit])

@spec('items', 6)
def _(c):
    a, b = c.r(57, '390,00'), c.r(60, '400,00')
    return R([a + b], wrong=[2 * a, 2 * b])

@spec('items', 7)
def _(c):
    rm, ppgm, fa, tx = c.r(67, '1.475,00'), c.r(71, '700,00'), c.r(48, '130,00'), c.r(49, '50,00')
    return R([rm + ppgm + fa + tx], wrong=[c.w(66, '1.325,00') + ppgm + fa + tx])

@spec('items', 8)
def _(c):
    assert 'rengøringsartikler' in LINES[F3][983 - 1]
    ren, vask, vin = c.r(985, '234,50'), c.r(991, '113,00'), c.r(987, '27,50')
    return R([ren + vask + vin], wrong=[ren + vask])

@spec('items', 9)
def _(c):
    m, h = c.r(744, '64,50'), c.r(745, '53,00')
    c.show(3 * m, 2 * h)
    return R([3 * m + 2 * h], wrong=[3 * m + 2 * c.w(736, '60,50')])

@spec('items', 10)
def _(c):
    o = c.r(988, '588,00')
    return R([o + c.r(989, '2.198,00')], wrong=[12 * o])

@spec('items', 11)
def _(c):
    k, mod = c.r(558, '1.000,00'), c.r(559, '500,00')
    c.show(3 * mod)
    return R([k + 3 * mod], wrong=[k + c.w(605, '180,00')])

@spec('items', 12)
def _(c):
    ind, leje, bim = c.r(452, '1.520,00'), c.r(453, '1.602,00'), c.r(454, '1.520,00')
    return R([ind + leje + bim], wrong=[ind + leje])

@spec('items', 13)
def _(c):
    rk = c.r(82, 'rykker pålagt gebyr på 250,00', F0)
    va = c.r(82, 'varsling pålagt gebyr på 250,00', F0)
    ud = c.r(82, 'udlæg pålagt gebyr på 450,00', F0)
    return R([rk + va + ud], wrong=[3 * rk])

@spec('items', 14)
def _(c):
    f = c.r(590, '360,00')
    return R([f + c.r(600, '220,00')], wrong=[2 * f])

@spec('items', 15)
def _(c):
    rest = c.r(83, '2.150,00')
    return R([rest + c.r(113, '900,00')], wrong=[rest + c.w(114, '1.650,00')])

@spec('items', 16)
def _(c):
    green, road = c.r(1018, '250,00'), c.r(1032, '250 kr.')
    c.show(3 * green, 3 * road)
    return R([3 * green + 3 * road], wrong=[3 * c.w(1026, '1.000 kr.') + 3 * green])

# ---------------------------------------------------------------- units
RAT = lambda c: c.r(1162, '0,64 kr. pr. kvadratmeter')

@spec('units', 1)
def _(c):
    r = RAT(c)
    return R([(780 + 215) * r], wrong=[780 * r, 215 * r])

@spec('units', 2)
def _(c):
    area = D('3.5') * 11
    return R([area * c.r(363, '194,00')], wrong=[area * c.w(364, '209,00')])

@spec('units', 3)
def _(c):
    area = D('2.8') * 7
    return R([area * c.r(367, '351,00')], wrong=[area * c.w(362, '167,00')])

@spec('units', 4)
def _(c):
    assert 'pr. sæson pr. kvm' in LINES[F3][1036 - 1]
    t = D('2.5') * 4 * c.r(1040, '567,00')
    return R([t], wrong=[t + D('2.5') * 4 * c.w(1041, '567,00')])

@spec('units', 5)
def _(c):
    p = c.r(1048, '190,00')
    return R([3 * 4 * p], wrong=[(3 + 4) * p])

@spec('units', 6)
def _(c):
    a4, a3 = c.r(259, '1,00'), c.r(260, '2,00')
    c.show(25 * a4, 8 * a3)
    return R([25 * a4 + 8 * a3], wrong=[33 * a4])

@spec('units', 7)
def _(c):
    tur = c.r(990, '24,00')
    return R([2 * 2 * 6 * tur], wrong=[2 * 6 * tur])

@spec('units', 8)
def _(c):
    line = LINES[F3][1026 - 1]
    assert 'Mindstepris på 1.000 kr. op til 91 m2' in line
    mini, per = c.r(1026, '1.000 kr.'), c.r(1026, '12 kr. pr. m2')
    a = max(mini, 150 * per)
    b = mini + (150 - 91) * per
    c.show(a, b, (150 - 91) * per)
    return R(any=[[2 * a, 2 * b]], wrong=[2 * mini])

@spec('units', 9)
def _(c):
    v = c.r(493, '71,00')
    return R([D('14.5') * v], wrong=[15 * v])

@spec('units', 10)
def _(c):
    return R([6 * c.r(70, '40,00')])

@spec('units', 11)
def _(c):
    return R([7 * c.r(241, '220,00')], wrong=[7 * c.w(242, '252,50')])

@spec('units', 12)
def _(c):
    area = 14 * D('4.2')
    return R([area * c.r(364, '209,00')], wrong=[area * c.w(363, '194,00')])

@spec('units', 13)
def _(c):
    area = D('7.5') * 3
    return R([area * c.r(403, '167,00')], wrong=[area * c.w(404, '194,00')])

@spec('units', 14)
def _(c):
    g = c.r(1047, '378,00')
    return R([3 * 4 * g], wrong=[7 * 4 * g])

@spec('units', 15)
def _(c):
    area = 3 * D('2.5')
    v = c.r(1041, '567,00')
    return R([area * v], wrong=[area * (v + c.w(1040, '567,00'))])

# ---------------------------------------------------------------- duration
def quarter_rate(c, line):
    rate = c.r(line, '1.070,00')
    nxt = {275: 278, 276: 278, 300: 302, 308: 310}[line]
    assert 'pr. påbegyndt 15 minutter' in LINES[F3][nxt - 1]
    q = c.show(rate / 4)
    return rate, q

@spec('duration', 1)
def _(c):
    rate, q = quarter_rate(c, 275)
    m = hm(3, 10)
    return R([started(m, 15) * q], wrong=[m / 60 * rate, started(m, 60) * rate, 3 * rate])

@spec('duration', 2)
def _(c):
    rate, q = quarter_rate(c, 276)
    m = hm(2, 10)
    return R([started(m, 15) * q], wrong=[2 * rate, started(m, 60) * rate])

@spec('duration', 3)
def _(c):
    rate, q = quarter_rate(c, 300)
    m = hm(D('7.5'))
    return R([started(m, 15) * q], wrong=[8 * rate])

@spec('duration', 4)
def _(c):
    rate, q = quarter_rate(c, 275)
    m = hm(1, 30)
    return R([started(m, 15) * q], wrong=[2 * rate])

@spec('duration', 5)
def _(c):
    h = c.r(14, '800,00')
    m = hm(2, 20)
    return R([started(m, 60) * h], wrong=[m / 60 * h, started(m, 15) * (h / 4)])

@spec('duration', 6)
def _(c):
    h = c.r(22, '800,00')
    mid = c.r(21, '1.600,00')
    m = hm(6, 15)
    a = started(m, 60) * h
    b = mid + started(m - hm(5), 60) * h
    return R(any=[[a, b]], wrong=[m / 60 * h])

@spec('duration', 7)
def _(c):
    p = c.r(486, '227,00')
    m = hm(13, 30) - hm(10)
    return R([started(m, 30) * p], wrong=[8 * p, m / 60 * p])

@spec('duration', 8)
def _(c):
    p = c.r(786, '474,00')
    m = hm(19, 30) - hm(17)
    return R(any=[[m / 60 * p, started(m, 60) * p]], wrong=[2 * p])

@spec('duration', 9)
def _(c):
    p = c.r(258, '500,00')
    m = hm(2, 45)
    return R(any=[[m / 60 * p, started(m, 60) * p]], wrong=[2 * p])

@spec('duration', 10)
def _(c):
    p = c.r(1070, '10,00')
    c.w(1074, '30,00')                        # dagsbillet only mentioned, not a total
    m = hm(12, 45) - hm(9, 15)
    return R(any=[[m / 60 * p, started(m, 60) * p]])

@spec('duration', 11)
def _(c):
    p = c.r(967, '2.500,00')
    m = hm(3, 20)
    return R(any=[[started(m, 60) * p, m / 60 * p]], wrong=[3 * p])

@spec('duration', 12)
def _(c):
    p = c.r(722, '14.520,00')
    assert 'påbegyndt arrangementsdag' in LINES[F3][718 - 1]
    calendar_days = 3                         # torsdag, fredag, lørdag
    hours = (24 - 14) + 24 + 12               # 46 t
    return R(any=[[calendar_days * p, started(hours, 24) * p]], wrong=[hours * p])

@spec('duration', 13)
def _(c):
    rate, q = quarter_rate(c, 308)
    m = hm(5, 35)
    return R([started(m, 15) * q], wrong=[started(m, 60) * rate, m / 60 * rate])

# ---------------------------------------------------------------- values
PM = lambda v, rate: v * rate / 1000
PC = lambda v, rate: v * rate / 100

@spec('values', 1)
def _(c):
    g = c.r(1145, '5,300')
    return R([PM(2400000, g)], wrong=[PC(2400000, g), D('2.4') * g])

@spec('values', 2)
def _(c):
    g = c.r(1145, '5,300')
    return R([PM(875 * 1000, g)], wrong=[PC(875000, g)])

@spec('values', 3)
def _(c):
    return R([PM(1350000, c.r(1146, '6,238'))], wrong=[PM(1350000, c.w(1145, '5,300'))])

@spec('values', 4)
def _(c):
    k = c.r(1144, '0,87')
    return R([PC(385000, k)], wrong=[PM(385000, k)])

@spec('values', 5)
def _(c):
    p = c.r(1143, '25,26')
    return R([PC(1100000, p)], wrong=[PM(1100000, p)])

@spec('values', 6)
def _(c):
    p, k = c.r(1143, '25,26'), c.r(1144, '0,87')
    c.show(PC(420000, p), PC(420000, k))
    return R([PC(420000, p) + PC(420000, k)], wrong=[PM(420000, p + k)])

@spec('values', 7)
def _(c):
    return R([PM(4250000, c.r(1154, '10,519'))], wrong=[PM(4250000, c.w(1156, '8,75'))])

@spec('values', 8)
def _(c):
    s = c.r(1155, '10,519')
    return R([PM(12600000, s)], wrong=[PC(12600000, s)])

@spec('values', 9)
def _(c):
    return R([PM(5800000, c.r(1153, '0,00'))], wrong=[PM(5800000, c.w(1154, '10,519'))])

@spec('values', 10)
def _(c):
    return R([1250 * RAT(c)], wrong=[1250 * c.w(1162, '64,00 kr. pr. 100 m2')])

@spec('values', 11)
def _(c):
    return R([PM(2750000, c.r(1146, '6,238'))], wrong=[PM(2750000, c.w(1145, '5,300'))])

@spec('values', 12)
def _(c):
    return R([PM(960000, c.r(1154, '10,519'))], wrong=[PM(960000, c.w(1156, '8,75'))])

@spec('values', 13)
def _(c):
    s = c.r(1155, '10,519')
    return R([PM(7350000, s)], wrong=[PC(7350000, s)])

# ---------------------------------------------------------------- compare
def breakeven(card, single):
    n = 1
    while n * single <= card:
        n += 1
    return n

@spec('compare', 1)
def _(c):
    return R([c.r(878, '1.930,00'), 25 * c.r(820, '76,00')], wrong=[25 * c.w(831, '87,00')])

@spec('compare', 2)
def _(c):
    day, card = c.r(329, '123,00'), c.r(330, '496,00')
    n = breakeven(card, day)
    c.show((n - 1) * day)
    return R([n, card, n * day])

@spec('compare', 3)
def _(c):
    m, y = c.r(1071, '300,00'), c.r(1072, '2.000,00')
    c.show(12 * m - y)
    return R([12 * m, y], wrong=[12 * y])

@spec('compare', 4)
def _(c):
    h, d = c.r(1070, '10,00'), c.r(1074, '30,00')
    c.show(4 * h - d)
    return R([4 * h, d])

@spec('compare', 5)
def _(c):
    s, m = c.r(898, '89,00'), c.r(930, '650,00')
    c.show(8 * s - m)
    return R([8 * s, m], wrong=[8 * c.w(906, '102,00')])

@spec('compare', 6)
def _(c):
    card, s = c.r(808, '293,00'), c.r(800, '50,00')
    c.show(10 * s - card)
    return R([card, 10 * s])

@spec('compare', 7)
def _(c):
    day, rab = c.r(382, '100,00'), c.r(383, '700,00')
    assert '2 bomløft' in LINES[F3][382 - 1] and '28 bomløft' in LINES[F3][383 - 1]
    n_day = ceil(D(20) / 2)
    c.show(n_day * day - rab)
    return R([n_day * day, rab], wrong=[20 * day])

@spec('compare', 8)
def _(c):
    wk = c.r(369, '859,00')
    m1, m2 = c.r(370, '3.203,00'), c.r(410, '3.542,00')
    c.show(4 * wk - m1, m2 - 4 * wk)
    return R([4 * wk], any=[[m1, m2]])

@spec('compare', 9)
def _(c):
    d, wk = c.r(368, '162,00'), c.r(369, '859,00')
    c.show(6 * d - wk)
    return R([6 * d, wk])

@spec('compare', 10)
def _(c):
    m3, m1 = c.r(780, '635,00'), c.r(779, '245,00')
    c.show(3 * m1 - m3)
    return R([m3, 3 * m1])

@spec('compare', 11)
def _(c):
    m3, m1 = c.r(778, '900,00'), c.r(777, '425,00')
    c.show(3 * m1 - m3)
    return R([m3, 3 * m1], wrong=[3 * c.w(774, '255,00')])

@spec('compare', 12)
def _(c):
    card, s = c.r(887, '3.300,00'), c.r(831, '87,00')
    n = breakeven(card, s)
    c.show((n - 1) * s)
    wd = c.w(820, '76,00')
    return R([n, card, n * s], wrong=[breakeven(card, wd) * wd])

@spec('compare', 13)
def _(c):
    m, f5 = c.r(861, '350,00'), c.r(841, '200,00')
    c.show(2 * f5 - m)
    return R([m, 2 * f5])

@spec('compare', 14)
def _(c):
    y, d = c.r(1072, '2.000,00'), c.r(1074, '30,00')
    n = breakeven(y, d)
    c.show((n - 1) * d)
    return R([n, y, n * d])

# ---------------------------------------------------------------- period
@spec('period', 1)
def _(c):
    return R([7 * c.r(1082, '3.284,00')], wrong=[7 * c.w(1088, '3.510,00')])

@spec('period', 2)
def _(c):
    p = c.r(1131, '2.130,00')
    assert 'i 11 mdr.' in LINES[F3][1131 - 1]
    return R([11 * p], wrong=[12 * p])

@spec('period', 3)
def _(c):
    p = c.r(1134, '482,00')
    return R([11 * p], wrong=[12 * p])

@spec('period', 4)
def _(c):
    t, f = c.r(1096, '2.102,00'), c.r(1098, '858,00')
    c.show(t + f, 5 * t, 5 * f)
    return R([5 * (t + f)], wrong=[5 * (c.w(1088, '3.510,00') + c.w(1090, '858,00'))])

@spec('period', 5)
def _(c):
    t, f = c.r(1089, '2.810,00'), c.r(1090, '858,00')
    c.show(t + f)
    return R([6 * (t + f)], wrong=[6 * (c.w(1088, '3.510,00') + f)])

@spec('period', 6)
def _(c):
    return R([9 * c.r(1123, '5.010,00')], wrong=[9 * c.w(1122, '7.992,00')])

@spec('period', 7)
def _(c):
    return R([8 * c.r(1115, '4.028,00')], wrong=[8 * c.w(1116, '2.526,00')])

@spec('period', 8)
def _(c):
    p = c.r(738, '3.917,50')
    return R([12 * p], wrong=[365 * p])

@spec('period', 9)
def _(c):
    return R([28 * c.r(737, '69,00')], wrong=[28 * c.w(736, '60,50')])

@spec('period', 10)
def _(c):
    return R([12 * c.r(997, '174,00')])

@spec('period', 11)
def _(c):
    return R([3 * c.r(426, '364,00')], wrong=[3 * c.w(425, '263,00')])

@spec('period', 12)
def _(c):
    return R([12 * c.r(474, '66,00')], wrong=[12 * c.w(473, '56,00'), 12 * c.w(475, '76,00')])

@spec('period', 13)
def _(c):
    return R([12 * c.r(991, '113,00')])

@spec('period', 14)
def _(c):
    assert '10 rater pr. skoleår' in LINES[F3][518 - 1]
    p = c.r(533, '565,00')
    return R([10 * p], wrong=[36 * p, 12 * p])

@spec('period', 15)
def _(c):
    p = c.r(1132, '1.704,00')
    return R([11 * p], wrong=[12 * p])

@spec('period', 16)
def _(c):
    assert LINES[F3][1102 - 1].strip() == '2023'
    months = 5  # august, september, oktober, november, december = 2. halvår
    return R([months * c.r(1105, '2.996,00')], wrong=[months * c.w(1104, '3.064,00')])

@spec('period', 17)
def _(c):
    leje, dep = c.r(1016, '500,00'), c.r(1007, '10.000,00')
    assert 'Nordstranden' in LINES[F3][1016 - 1] and 'Nordstranden' in LINES[F3][1007 - 1]
    c.show(4 * leje)
    return R([4 * leje + dep], wrong=[4 * c.w(1015, '1.000,00') + dep])

# ---------------------------------------------------------------- discount
def music_discount(c, line):
    t = LINES[F3][line - 1]
    assert '-25%' in t
    return 1 - D(25) / 100

@spec('discount', 1)
def _(c):
    p = c.r(532, '465,00')
    f = music_discount(c, 548)
    c.show(p * f)
    return R([p + p * f], wrong=[2 * p])

@spec('discount', 2)
def _(c):
    big, small = c.r(536, '845,00'), c.r(528, '155,00')
    f = music_discount(c, 549)
    c.show(small * f)
    return R([big + small * f], wrong=[big * f + small, big + small])

@spec('discount', 3)
def _(c):
    p = sorted([c.r(531, '380,00'), c.r(533, '565,00'), c.r(535, '745,00')])
    f = music_discount(c, 548)
    a = p[2] + (p[0] + p[1]) * f
    b = p[0] + (p[1] + p[2]) * f
    c.show(p[0] * f, p[1] * f, p[2] * f, (p[0] + p[1]) * f, (p[1] + p[2]) * f)
    return R(any=[[a, b]], wrong=[sum(p)])

def half(c):
    assert '½ pris' in LINES[F3][254 - 1] and 'under 14' in LINES[F3][254 - 1]
    return D(1) / 2

@spec('discount', 4)
def _(c):
    p = c.r(251, '20,00')
    return R([p * half(c)], wrong=[5 * p])

@spec('discount', 5)
def _(c):
    p = c.r(252, '80,00')
    c.show(2 * p * half(c))
    return R([2 * p * half(c) + p], wrong=[3 * p])

@spec('discount', 6)
def _(c):
    p = c.r(253, '200,00')
    return R([p], wrong=[p * half(c)])   # 15 is not under 14

@spec('discount', 7)
def _(c):
    ins, leje = c.r(534, '655,00'), c.r(538, '105,00')
    assert 'Gratis' in LINES[F3][526 - 1]
    return R([ins + leje], wrong=[ins + leje * music_discount(c, 549)])

@spec('discount', 8)
def _(c):
    p = c.r(337, '496,00')
    return R([p], wrong=[p / 2, p * D('0.75')])

@spec('discount', 9)
def _(c):
    a, b = c.r(1131, '2.130,00'), c.r(1132, '1.704,00')
    return R([a + b], wrong=[a + b * D('0.75'), b + a * D('0.75')])

@spec('discount', 10)
def _(c):
    p = c.r(1071, '300,00')
    return R([3 * p], wrong=[3 * p * D('0.75'), 3 * p / 2])

@spec('discount', 11)
def _(c):
    ins, mif, hl = c.r(532, '465,00'), c.r(529, '320,00'), c.r(528, '155,00')
    f = music_discount(c, 549)
    c.show(mif * f, hl * f)
    return R([ins + (mif + hl) * f], wrong=[ins + mif + hl])

@spec('discount', 12)
def _(c):
    p = c.r(754, '150,00')
    c.show(3 * p)
    return R([3 * p], wrong=[p + 2 * p * D('0.75'), 3 * p * D('0.75')])

@spec('discount', 13)
def _(c):
    assert '10 rater pr. skoleår' in LINES[F3][518 - 1]
    p = c.r(522, '205,00')
    f = music_discount(c, 548)
    per_rate = c.show(p + p * f)
    c.show(p * f)
    return R([10 * per_rate], wrong=[10 * 2 * p])

# ---------------------------------------------------------------- missing
@spec('missing', 1)
def _(c):
    rate = c.r(275, '1.070,00')
    return R(wrong=[2 * rate, 4 * rate])

@spec('missing', 2)
def _(c):
    r = RAT(c)
    return R(wrong=[800 * r, 1000 * r])

@spec('missing', 3)
def _(c):
    g = c.r(1145, '5,300')
    return R(wrong=[PM(2024, g), PM(4600, g)])

@spec('missing', 4)
def _(c):
    p = c.r(363, '194,00')
    return R(wrong=[10 * p, 11 * p])

@spec('missing', 5)
def _(c):
    p = c.r(1041, '567,00')
    return R(wrong=[2 * p, 8 * p])

@spec('missing', 6)
def _(c):
    p = c.r(997, '174,00')
    return R(wrong=[7 * p, 14 * p])

@spec('missing', 7)
def _(c):
    p = c.r(318, '250,00')
    c.r(70, '250,00', F0); c.r(76, '100,00', F0); c.r(319, '100,00')
    return R(wrong=[2 * p, 3 * p])

@spec('missing', 8)
def _(c):
    p = c.r(1047, '378,00')
    return R([2 * p], wrong=[4681 * p])

@spec('missing', 9)
def _(c):
    p = c.r(346, '123,00')
    return R([3 * p], wrong=[2024 * p])

@spec('missing', 10)
def _(c):
    p = c.r(318, '250,00')
    assert '5667 2450' in LINES[F0][22 - 1]
    return R([2 * p], wrong=[D(5667), 2 * c.w(319, '100,00')])

@spec('missing', 11)
def _(c):
    pen, child = c.r(802, '38,00'), c.r(801, '38,00')
    return R([pen + child], wrong=[67 * pen, 9 * child])

@spec('missing', 12)
def _(c):
    p = c.r(997, '174,00')
    nights = 10 - 3
    return R(any=[[nights * p, (nights + 1) * p]], wrong=[10 * p])

@spec('missing', 13)
def _(c):
    return R([2 * c.r(385, '465,00'), 2 * c.r(386, '1.415,00')])

@spec('missing', 14)
def _(c):
    return R([c.r(394, '8.287,00'), c.r(395, '8.680,00')])

@spec('missing', 15)
def _(c):
    return R([2 * c.r(370, '3.203,00'), 2 * c.r(410, '3.542,00')])

@spec('missing', 16)
def _(c):
    mode, day = c.r(625, '395,00'), c.r(625, '1.290,00')
    return R([3 * mode, 3 * day], wrong=[3 * c.w(626, '580,00')])

@spec('missing', 17)
def _(c):
    p = c.r(318, '250,00')
    return R([2 * p], wrong=[2 * c.w(319, '100,00'), 15 * p])


# ================================================================ checker
def parse_source(s):
    out = set()
    for part in s.split(';'):
        f, ranges = part.split(':', 1)
        assert f in LINES, 'unknown file in source %r' % part
        for r in ranges.split(','):
            a, _, b = r.partition('-')
            a, b = int(a), int(b or a)
            assert 1 <= a <= b <= len(LINES[f]), 'bad range %r' % r
            out.update((f, n) for n in range(a, b + 1))
    return out


def as_str(x):
    return str(x) if isinstance(x, int) else fmt(x)


def main():
    items = [json.loads(l) for l in open(HERE + '/calc.jsonl', encoding='utf-8') if l.strip()]
    errors = []
    def err(i, m): errors.append('%s: %s' % (i, m))
    ids, msgs = set(), set()
    per_kind = collections.Counter()
    expect = collections.Counter()
    usage = collections.defaultdict(list)
    seq = collections.Counter()
    for it in items:
        iid = it.get('id', '?')
        if list(it.keys()) != FIELDS and set(it.keys()) != set(FIELDS):
            err(iid, 'fields %s' % sorted(it.keys())); continue
        if iid in ids: err(iid, 'duplicate id')
        ids.add(iid)
        key = ' '.join(it['message'].lower().split())
        if key in msgs: err(iid, 'duplicate message')
        msgs.add(key)
        if it['category'] != 'calc': err(iid, 'category')
        if it['kind'] not in KINDS: err(iid, 'kind'); continue
        seq[it['kind']] += 1
        if iid != 'r9-%s-%03d' % (it['kind'], seq[it['kind']]): err(iid, 'id not r9-<kind>-NNN in sequence')
        per_kind[it['kind']] += 1
        expect[it['expect']] += 1
        if it['expect'] not in ('answer', 'clarify'): err(iid, 'expect')
        for f in ('must_contain', 'must_not_contain'):
            if not isinstance(it[f], list) or not all(isinstance(s, str) for s in it[f]): err(iid, f + ' type')
        if not all(isinstance(g, list) and g for g in it['must_contain_any']): err(iid, 'must_contain_any type')
        if iid not in S: err(iid, 'no recompute spec'); continue
        c = Ctx()
        try:
            res = S[iid](c)
        except AssertionError as e:
            err(iid, 'seed assertion: %s' % e); continue
        must = [as_str(x) for x in res['must']]
        anyg = [[fmt(x) for x in g] for g in res['any']]
        wrong = [fmt(x) for x in res['wrong']]
        # expected totals
        if sorted(must) != sorted(it['must_contain']):
            err(iid, 'must_contain %s != recomputed %s' % (it['must_contain'], must))
        if sorted(map(sorted, anyg)) != sorted(map(sorted, it['must_contain_any'])):
            err(iid, 'must_contain_any %s != recomputed %s' % (it['must_contain_any'], anyg))
        if set(wrong) != set(it['must_not_contain']) or len(wrong) != len(it['must_not_contain']):
            err(iid, 'must_not_contain %s != recomputed misreadings %s' % (it['must_not_contain'], wrong))
        # clarify / answer
        if it['expect'] == 'clarify':
            if it['must_contain'] or it['must_contain_any'] or res['must'] or res['any']:
                err(iid, 'clarify item with required totals')
            if not it['must_not_contain']: err(iid, 'clarify item without a forbidden guess')
        else:
            if not (it['must_contain'] or it['must_contain_any']): err(iid, 'answer item without totals')
        # note carries every amount
        note = it['note']
        unit = [(fmt(v), tok) for v, tok in c.prices]
        shown = [fmt(x) for x in c.shown]
        for s in must + [s for g in anyg for s in g] + wrong + shown:
            if s not in note: err(iid, 'amount %s missing from note' % s)
        for f2, tok in unit:
            if f2 not in note and tok not in note: err(iid, 'unit price %s missing from note' % tok)
        # forbidden strings never collide with what a correct answer shows
        good = set(must) | {s for g in anyg for s in g} | set(shown) | {u for u, _ in unit}
        good = {g for g in good if not g.isdigit()}
        for n in wrong:
            for g in good:
                if n == g or n in g or n.replace('.', '') in g.replace('.', ''):
                    err(iid, 'forbidden %s collides with correct amount %s' % (n, g))
        # source covers every row used
        try:
            src = parse_source(it['source'])
        except (AssertionError, ValueError) as e:
            err(iid, 'source: %s' % e); continue
        for row in c.rows:
            if row not in src: err(iid, 'row %s:%d not in source %s' % (row[0], row[1], it['source']))
        if it['expect'] == 'answer':
            for row in c.rows: usage[row].append(iid)
    for k in KINDS:
        if per_kind[k] < MINIMUM[k]: errors.append('kind %s has %d < %d' % (k, per_kind[k], MINIMUM[k]))
    if len(items) < 120: errors.append('only %d items' % len(items))
    for row, who in usage.items():
        if len(who) > 2: errors.append('row %s:%d used for expected totals %d times: %s' % (row[0], row[1], len(who), who))
    missing_items = set(S) - ids
    if missing_items: errors.append('specs without items: %s' % sorted(missing_items))
    print('items %d; per kind %s; expect %s' % (len(items), dict((k, per_kind[k]) for k in KINDS), dict(expect)))
    if errors:
        print('\n'.join(errors))
        print('FAILED: %d problems' % len(errors))
        sys.exit(1)
    print('ALL OK')


if __name__ == '__main__':
    main()
