"""The Danish patterns and keywords the query parser (:mod:`knowledge.tariffs.query`) applies.

Every pattern works on folded text with canonical numbers ("aa" for å, "1200000" for
"1,2 mio"); see :mod:`knowledge.tariffs.query_numbers`. ``RULES`` run in order, and each one consumes
the text it matched, so the order matters: money before sizes, emptyings ("hver 14. dag")
before durations ("3 dage"), lesson minutes ("30 min om ugen") before plain minutes, and so on.
``KEYWORDS`` maps single words to an attribute; words in ``KEEP_AS_WORD`` also stay search words.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Pattern, Tuple

from knowledge.tariffs.query_numbers import NUM

Handler = Callable[[re.Match, Dict[str, Any]], Optional[str]]
MAX_AGE = 110


def _dec(match: re.Match, group: int = 1) -> Decimal:
    return Decimal(match.group(group))


def _set(name: str, value: Any, found: Dict[str, Any]) -> None:
    found.setdefault(name, value)


def _setter(name: str, as_int: bool = False, value: Any = None) -> Handler:
    def handler(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
        if value is not None:
            _set(name, value, found)
        else:
            number = _dec(match)
            _set(name, int(number) if as_int else number, found)
        return None

    return handler


def _hours_minutes(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
    hours = _dec(match, 1)
    minutes = Decimal(match.group(2)) if match.group(2) else Decimal(0)
    _set("minutes", int(hours * 60 + minutes), found)
    return None


def _quarters(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
    _set("minutes", int(_dec(match) * 15), found)
    return None


def _age(offset: int = 0) -> Handler:
    def handler(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
        number = _dec(match)
        if number != number.to_integral_value() or not 0 <= number + offset <= MAX_AGE:
            return match.group(0)  # not an age: leave the text for other rules
        _set("age", int(number) + offset, found)
        return None

    return handler


def _age_range(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
    low, high = int(match.group(1)), int(match.group(2))
    if not 0 <= low < high <= MAX_AGE:
        return match.group(0)
    _set("age", low, found)
    _set("age_max", high, found)
    return None


def _count(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
    number = _dec(match)
    if number == number.to_integral_value() and number > 0:
        _set("count", int(number), found)
    return None


def _card_months(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
    months = _dec(match)
    period = {Decimal(1): "month", Decimal(3): "quarter", Decimal(6): "half_year",
              Decimal(12): "year"}.get(months)
    if period:
        _set("period", period, found)
    _set("months", int(months), found)
    return None


def _years(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
    years = _dec(match)
    if years == 1:
        _set("period", "year", found)
    elif years == Decimal("0.5"):
        _set("period", "half_year", found)
    _set("months", int(years * 12), found)
    return None


WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "loerdag", "soendag")
DAY_PARTS = ("morgen", "formiddag", "middag", "eftermiddag", "aften", "nat", "kl\\.? \\d+")


SPAN_DAYS = "span_days"  # days counted from "fredag til mandag", used when no number is given


def _day_span(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
    first, last = WEEKDAYS.index(match.group(1)), WEEKDAYS.index(match.group(2))
    # Counted days of a span; a number of days the user states ("altså 3 døgn") wins.
    _set(SPAN_DAYS, (last - first) % 7 + 1, found)
    if first <= last <= 4:
        _set("day", "weekday", found)  # "mandag til fredag": only weekdays
    elif 5 <= first <= last:
        _set("day", "weekend", found)
    return None


def _big_money(match: re.Match, found: Dict[str, Any]) -> Optional[str]:
    _set("money", _dec(match), found)
    return None


N = r"(" + NUM + r")"
_UNIT_AFTER = (r"(?!\s?(?:m|m2|m3|m²|m³|liter|l|kr|timer|time|dage|dag|stk|tons|ture|kvm|min|"
               r"voksne|voksen|boern|barn|personer|pensionister|unge|billetter|dagkort|doegn)\b)")

# Nouns for children that, next to a discount word, count siblings.
_CHILD_NOUNS = r"(?:boern|boernene|unger|drenge|piger|soenner|doetre|elever|kids|children)\b"

# "minutter" as typed: minuter, minutter, minutt, minut, min, mnt, minutes.
MINUTE_WORDS = r"minut+(?:t?er)?s?|minutes|mins?|mnt"

_RULE_SPECS: List[Tuple[str, Handler]] = [
    # money first: "2500000 kr", "kr. 450000"
    (r"\b" + N + r"\s?(?:kr|kroner|dkk|,-)(?![a-z])\.?", _setter("money")),
    (r"\b(?:kr|dkk)\.?\s?" + N + r"\b", _setter("money")),
    # emptyings per year
    (r"\b" + N + r"\s?(?:toemninger|toemning|toemn|tomninger|afhentninger|afhentning)\b\.?",
     _setter("emptyings")),
    (r"\b(?:2 gange om ugen|2 gange ugentlig\w*|to gange om ugen)\b", _setter("emptyings", value=Decimal(104))),
    (r"\b(?:hver uge|ugentlig toemning|1 gang om ugen|en gang om ugen|1 gang ugentlig\w*)\b",
     _setter("emptyings", value=Decimal(52))),
    (r"\bhver (?:14\.?|fjortende) dag\b|\bhver (?:anden|2\.?) uge\b|\b14\.? dagligt?\b",
     _setter("emptyings", value=Decimal(26))),
    (r"\bhver (?:4\.?|fjerde) uge\b|\bhver maaned\b", _setter("emptyings", value=Decimal(13))),
    (r"\bhver (?:8\.?|ottende) uge\b", _setter("emptyings", value=Decimal("6.5"))),
    (r"\b" + N + r" gange (?:om|pr\.?|per|i) aaret\b|\b" + N + r" gange aarligt\b",
     lambda m, f: _set("emptyings", Decimal(m.group(1) or m.group(2)), f)),
    # day-care hours and music lessons before plain durations
    (r"\b" + N + r"\s?(?:ugentlige timer|timer om ugen|timer ugentligt|timer pr\.? uge|t/uge|"
     r"timers? pasning)\b", _setter("weekly_hours", as_int=True)),
    (r"\b" + N + r"\s?(?:min\.?|minutter|minutters|minutes)\s(?:om ugen|ugentlig\w*|pr\.? uge|"
     r"per uge|lektion\w*|undervisning)\b", _setter("lesson_minutes", as_int=True)),
    (r"\b" + N + r"\s?minutters\b(?=\s\w*(?:undervisning|lektion|time))",
     _setter("lesson_minutes", as_int=True)),
    # "en hel måned", "en hel uge", "hele måneden"
    (r"\b(?:en|et|1) hel[te]? (?:maaned|kalendermaaned)\b|\bhele maaneden\b",
     lambda m, f: (_set("months", 1, f), _set("period", "month", f))[0]),
    (r"\b(?:en|1) hel uge\b|\bhele ugen\b", lambda m, f: (_set("weeks", 1, f),
                                                           _set("period", "week", f))[0]),
    (r"\b(?:et|1) helt doegn\b", lambda m, f: (_set("days", 1, f), _set("period", "day", f))[0]),
    # a span of days: "fra fredag middag til lørdag aften" = 2 started days
    (r"\b(?:fra\s)?(" + "|".join(WEEKDAYS) + r")(?:\s(?:" + "|".join(DAY_PARTS) + r"))?\s?(?:til|-)\s?("
     + "|".join(WEEKDAYS) + r")\b(?:\s(?:" + "|".join(DAY_PARTS) + r"))?", _day_span),
    (r"\b(?:paa )?fuld tid\b|\bfuldtidsplads\w*", _setter("weekly_hours", value=48)),
    (r"\b(?:paa )?(?:deltid|halv tid)\b", _setter("weekly_hours", value=30)),
    # durations with a bound ("under en time", "mere end 5 timer") before plain durations
    (r"\b(?:under|mindre end|op til|max\.?|maks\.?|hoejst|ikke over|kortere end)\s" + N +
     r"\s?(?:timer|time)\b", lambda m, f: (_set("minutes", int(_dec(m) * 60), f),
                                        f.setdefault("extras", set()).add("below"))[0]),
    (r"\b(?:over|mere end|laengere end|udover)\s" + N + r"\s?(?:timer|time)\b",
     lambda m, f: (_set("minutes", int(_dec(m) * 60), f),
                   f.setdefault("extras", set()).add("above"))[0]),
    # durations
    (r"\b" + N + r"\s?(?:timers|timer|time|hours?|hrs?|t(?=\s?(?:og\s)?\d+\s?min))\b\.?"
     r"(?:\s?(?:og|,)?\s?" + N + r"\s?(?:" + MINUTE_WORDS + r"|m)\b\.?)?", _hours_minutes),
    (r"\b" + N + r"\s?kvarter\b", _quarters),
    (r"\b" + N + r"\s?(?:" + MINUTE_WORDS + r")\b\.?", _setter("minutes", as_int=True)),
    (r"\b" + N + r"\s?(?:maaneders|mdrs?|md|mnd)\.?\s?(?=\w*kort\b|medlemskab)", _card_months),
    (r"\b0\.5\s?aars?\b(?=\s?\w*kort)", _setter("period", value="half_year")),
    (r"\b" + N + r"\s?(?:maaneder|maaned|mdr|md|mnd|months?)\b\.?", _card_months),
    (r"\b" + N + r"\s?(?:dage|dag|doegn|days?)\b", _setter("days", as_int=True)),
    (r"\b" + N + r"\s?(?:uger|uge|weeks?)\b", _setter("weeks", as_int=True)),
    (r"\b(?:i|for|per|pr\.?)\s" + N + r"\s?(?:aar|years?)\b(?!\s?(?:gam|old))", _years),
    # sizes
    (r"\b" + N + r"\s?(?:liter|litre|liters|ltr|l)\b\.?", _setter("liters")),
    (r"\b" + N + r"\s?(?:m3|m³|kubikmeter|kubik|cbm)(?!\w)", _setter("m3")),
    # the plot's area first: the rat-control fee is "pr. kvadratmeter af ejendommens areal"
    (r"\b(?:grund|grunden|grundareal|grundarealet|matrikel|matriklen)\s(?:paa|er|af|med|\w+\s)?\s?" + N +
     r"\s?(?:m2|m²|kvm|kvadratmeter)(?!\w)", lambda m, f: (f.__setitem__("m2", _dec(m)), "grund")[1]),
    (r"\b" + N + r"\s?(?:m2|m²|kvm|kvadratmeter|kvadratmeters|sqm|square meters?)(?!\w)", _setter("m2")),
    (r"\b" + N + r"\s?(?:tons|ton|tonnage)\b", _setter("tons")),
    (r"\b" + N + r"\s?(?:ture|turs|tur|klip|trips?|turskort|turkort|klippekort)\b", _setter("trips", as_int=True)),
    (r"\b" + N + r"\.?\s?(?:klasse|kl)\b\.?", _setter("grade", as_int=True)),
    (r"\b" + N + r"\s?(?:meter|meters|m|fod)\b\.?(?:\s?(?:lang|langt|lange|long))?", _setter("boat_length")),
    # ages: a range first ("0-3 år", "12-17-årige": the band of a row), then one age
    (r"\b(\d{1,2})\s?-\s?(\d{1,3})\s?(?:aar|aarig|aarige|years?)\b", _age_range),
    (r"\b" + N + r"\s?-?\s?(?:aarig|aarige|aarsbarn|aar gammel|aar gamle|years?[\s-]old|yo)\b", _age()),
    # "min søn (9)", "far (67 år)": an age in brackets right after a person
    (r"\b(?:soen|soennen|datter|datteren|dreng|drengen|pige|pigen|barn|barnet|barnebarn|mor|far|moster|"
     r"faster|onkel|bror|soester|nevoe|niece|farmor|farfar|mormor|morfar|bedstemor|bedstefar|kone|mand|"
     r"kaereste|veninde|ven|mig|jeg)\s?\(" + N + r"(?:\s?aar)?\)", _age()),
    (r"\b" + N + r"\s?aars\b(?!\s?\w*kort|\s?gyldighed|\s?medlemskab)", _age()),
    (r"\b" + N + r"\s?\+", _age()),
    (r"\b(?:over)\s" + N + r"(?:\s?aar)?\b" + _UNIT_AFTER, _age(1)),
    (r"\b(?:under)\s" + N + r"\s?aar\b", _age(-1)),
    (r"\b(?:paa|er|fylder|fyldt|bliver|alder|age|aged|is)\s" + N + r"\b(?:\s?aar\b)?" + _UNIT_AFTER, _age()),
    (r"\b" + N + r"\s?aar\b", _age()),
    # counts
    (r"\b" + N + r"\s?(?:stk|styk|styks|stykker|pcs)\b\.?", _count),
    (r"\b" + N + r"\s(?=a[345]\b)", _count),
    (r"\b" + N + r"\s?(?:soeskende|soskende|siblings)\b", _setter("children", as_int=True)),
    # "to børn … søskenderabat" / "søskenderabat for to børn": the children named are the siblings
    (r"\b" + N + r"\s" + _CHILD_NOUNS + r"(?=.*\b(?:soeskende\w*|rabat\w*)\b)",
     _setter("children", as_int=True)),
    (r"(?P<pre>\b(?:soeskende|rabat)\w*\b.*?)\b(?P<n>" + NUM + r")\s" + _CHILD_NOUNS,
     lambda m, f: (_set("children", int(Decimal(m.group("n"))), f), m.group("pre"))[1]),
    # (keep the words between "rabat … begge": "rabat i musikskolen hvis begge" names the school)
    (r"\bbegge\b(?=.*\b(?:soeskende\w*|rabat\w*)\b)|\b(?:soeskende\w*|rabat\w*)\b(?P<mid>.*)\bbegge\b",
     lambda m, f: (_set("children", 2, f), "soeskenderabat " + (m.group("mid") or ""))[1]),
    (r"\b" + N + r"\s?(?:fag|instrumenter)\b", _setter("subjects", as_int=True)),
    (r"\b" + N + r"\s(?=(?:voksne|voksen\w*|boern\w*|barn|pensionist\w*|personer|person|"
     r"billet\w*|tickets?|adults?|children|kids|sider|kopier|kopi|print\w*|udskrift\w*|ark|"
     r"saekke|saek|ekstra|magnetkort|kort|dagkort|dagskort|dagsbilletter|dagsbillet|hold|moduler|modul|tilskuer\w*|gus|baner|bane|"
     r"loeft|bomloeft|rater|eksemplarer|boeger|bog|ruser|familie\w*|unge|studerende|gange)\b)", _count),
    # phrases
    (r"\bhele dagen\b|\b(?:en|1) (?:hel|enkelt) dag\b|\bheldag\w*|\bhele dage\b|\bwhole day\b|\bpr\.? dag\b"
     r"|\bper dag\b|\bom dagen\b", lambda m, f: (_set("per", "day", f), _set("period", "day", f))[0]),
    (r"\b(?:1|et) moede\b|\bpr\.? moede\b|\bper moede\b|\bet par timer\b|\bfor en aften\b",
     _setter("per", value="meeting")),
    (r"\bfast(?:e)? (?:lejer|lejere|plads|pladsholder)\b|\bfastligger\w*\b|\bhar (?:en )?plads\b",
     _setter("party", value="resident")),
    (r"\bhele familien\b|\bfor familien\b", _setter("household", value="familie")),
    (r"\bkun mig\b|\ben person\b|\b1 person\b", _setter("household", value="personlig")),
    (r"\bom maaneden\b|\bpr\.? maaned\b|\bper maaned\b|\bpr\.? md\b\.?|\bpr\.? mdr\b\.?",
     _setter("period", value="month")),
    (r"\bom aaret\b|\bpr\.? aar\b|\bper aar\b|\bhele aaret\b|\bet helt aar\b|\b1 helt aar\b|\b1 aar\b",
     _setter("period", value="year")),
    (r"\bhalvt aar\b|\bhalve aar\b|\b0\.5 aar\b", _setter("period", value="half_year")),
    (r"\b(?:hele|for|pr\.?|per) (?:saesonen|saeson|vintersaesonen|sommersaesonen)\b",
     _setter("period", value="season")),
    (r"\bpr\.? doegn\b|\bper doegn\b|\bet doegn\b", _setter("period", value="day")),
    (r"\bpr\.? uge\b|\bper uge\b|\bom ugen\b|\ben uge\b|\bper week\b|\ba week\b|\bweekly\b",
     _setter("period", value="week")),
    (r"\bper day\b|\ba day\b|\bdaily\b", _setter("period", value="day")),
    (r"\bper hour\b|\ban hour\b|\bhourly\b|\bpr\.? time\b|\bper time\b|\bi timen\b",
     _setter("period", value="hour")),
    (r"\bper month\b|\ba month\b", _setter("period", value="month")),
    (r"\bper year\b|\ba year\b|\byearly\b", _setter("period", value="year")),
    (r"\bmed mast\b", lambda m, f: f.setdefault("extras", set()).add("mast")),
    (r"\buden mast\b", lambda m, f: f.setdefault("extras", set()).add("no_mast")),
    (r"\b(?:1\.|foerste) halvaar\b", lambda m, f: f.setdefault("extras", set()).add("half_year_1")),
    (r"\b(?:2\.|andet) halvaar\b", lambda m, f: f.setdefault("extras", set()).add("half_year_2")),
    (r"\bover 11 meter\b", lambda m, f: f.setdefault("extras", set()).add("mast")),
    # whatever big number is left is an amount of money ("ejendomsværdi på 2500000")
    (r"\b(\d{4,}(?:\.\d+)?)\b", _big_money),
]

RULES: List[Tuple[Pattern[str], Handler]] = [(re.compile(p), h) for p, h in _RULE_SPECS]

# word -> (attribute, value) -------------------------------------------------------------
_KW: Dict[Tuple[str, Any], str] = {
    ("day", "weekday"): "hverdag hverdage hverdagen mandag mandage mandagen tirsdag tirsdage "
    "tirsdagen onsdag onsdage onsdagen torsdag torsdage torsdagen fredag fredage fredagen ugedag "
    "ugedage weekday weekdays hverdagsbillet monday tuesday wednesday thursday friday",
    ("day", "weekend"): "weekend weekenden weekender loerdag loerdage loerdagen soendag soendage "
    "soendagen saturday sunday weekendbillet",
    ("day", "holiday"): "helligdag helligdage helligdagen juledag juleaften nytaarsdag paaskedag "
    "pinsedag holiday helligdagsbillet",
    ("day", "school_holiday"): "skoleferie skoleferien sommerferie sommerferien vinterferie "
    "vinterferien efteraarsferie efteraarsferien juleferie juleferien paaskeferie ferie ferien",
    ("category", "barn"): "barn boern boernene barnet child children kid kids unger ungerne",
    ("category", "ung"): "ung unge ungdom ungdommen teenager teenagere youth studerende student "
    "studenter students",
    ("category", "voksen"): "voksen voksne adult adults",
    ("category", "pensionist"): "pensionist pensionister folkepensionist senior seniorer pensioner "
    "pensioneret pensionisten",
    ("category", "institution"): "institution institutioner institutionen skoleklasse skoleklassen "
    "ledsager",
    ("minor", True): "soen soenner datter doetre dreng drenge pige piger barnebarn son daughter",
    ("household", "familie"): "familie familien familiekort family",
    ("household", "personlig"): "personligt personlig enkeltperson alene single",
    ("per", "meeting"): "moede moedet moeder meeting",
    ("party", "guest"): "gaest gaester gaestebaad gaestebaade gaestesejler gaestesejlere guest "
    "guests besoegende gaesteplads gaestepladser",
    ("party", "resident"): "fastligger fastliggere resident",
    ("season", "summer"): "sommer sommeren sommersaeson summer sommerhalvaaret",
    ("season", "winter"): "vinter vinteren vintersaeson winter vinterhalvaaret vinteropbevaring "
    "vinteropbevaringen",
    ("period", "month"): "maanedskort maanedlig maanedligt monthly maanedslicens maanedslicenser",
    ("period", "year"): "aarskort aarlig aarligt yearly annual aarslicens aarslicenser",
    ("period", "quarter"): "kvartalskort kvartal",
    ("period", "half_year"): "halvaarskort halvaarligt",
    ("period", "day"): "dagskort dagkort dagsbillet dagbillet",
    ("period", "week"): "ugekort ugentligt",
    ("weekly_hours", 48): "fuldtid fuldtidsplads heltid",
    ("weekly_hours", 30): "deltid deltidsplads",
    ("grade", 0): "boernehaveklasse",
    ("age", 0): "baby babyer babyen spaedbarn nyfoedt",
    ("children", 2): "tvillinger tvillingerne tvillingepar",
    ("children", 3): "trillinger trillingerne",
    ("age", 1): "vuggestue vuggestuen vuggestueplads vuggestuebarn",
}
KEYWORDS: Dict[str, Tuple[str, Any]] = {
    word: key for key, words in _KW.items() for word in words.split()
}
# Attribute words that also name things in the price list, so they stay search words.
KEEP_AS_WORD = frozenset(
    "vuggestue vuggestuen vuggestueplads boernehave boernehaven boernehaveplads kindergarten "
    "institution institutioner institutionen gaesteplads gaestepladser gaestebaad gaestebaade "
    "vinteropbevaring vinteropbevaringen maanedskort aarskort dagkort dagskort dagsbillet "
    "dagbillet kvartalskort halvaarskort familiekort ugekort ledsager skoleklasse maanedslicens "
    "maanedslicenser aarslicens aarslicenser".split()
)
CATEGORY_SPLIT_RE = re.compile(
    r"^(voksen|boerne|barne|pensionist|ungdoms|familie|senior|student|personlig)"
    r"(billet|billetter|billetten|kort|kortet|pris|priser|takst|pas|passet|pris)$"
)
_CATEGORY_PREFIX = {
    "boerne": "barn", "barne": "barn", "ungdoms": "ung", "senior": "pensionist", "student": "ung",
}
for _prefix, _category in _CATEGORY_PREFIX.items():
    KEYWORDS.setdefault(_prefix, ("category", _category))

INCOME_CONTEXT_WORDS = frozenset(
    "indkomst indkomsten indtaegt indtaegten loen loenning aarsloen tjener tjene skattepligtig "
    "skattepligtige personskat kirkeskat kommuneskat income salary earn earns".split()
)
VALUE_CONTEXT_WORDS = frozenset(
    "vurdering grundvaerdi ejendomsvaerdi vaerdi grundskyld daekningsafgift".split()
)
_QUESTION_WORDS = frozenset(
    """hvad hvor meget koster kost koste kostede pris prisen priser prise takst taksten takster det
    foer inden den der de at en et i paa til for med af om og eller er jeg vi min mit mine vores han hun man
    skal kan vil gerne have har faa betale betaler betales betalt hvis naar som mig os dig du ved
    fra efter hos per pr ca cirka lige bare lidt kr kroner dkk hej tak venligst please what how
    much does do cost costs the of is it to in on at an and or my we our saa ogsaa noget nogen
    sig sin sit sine hans hendes deres dem ham hende vide godt hvordan hvilken hvilket hvilke hvem
    hvornaar mon nu her dette denne disse aar aaret kommune kommunen gerne hvorfor spoerge
    spoerger sporge bruge brug bruger skulle kunne ville mange mere mest alt alle
    dag dage dagen uge ugen maaned maaneden gang gange ny nyt nye kun faaet fik
    hvormeget mellem over under op ned ind ud price prices fee fees charge much many
    hello hi hey ok okay hva va hvaa hvormange koege koeges mor far mormor farmor morfar farfar bedstemor bedstefar
    mand kone kaereste fornyet forny fornye fornys ligge staa holde tage faa toemt toemme
    toemmes hente hentet afhentet
    bliver blive blev blevet kommer komme kom kommet tog tager taget varer varede vare
    kooster kosster kostr koste kosterr koser kster kostet ka skulde hvd hvda hvormeget hvor
    sige siger vaere vaeret hver hvert begge rabat rabatten rabatter soeskenderabat
    soeskenderabatten soeskende gaar gik gaa gaaet hel vist nok omkring maaske maske ungefaer cirka sikkert regner tror faar""".split()
)
FILLER_WORDS_PATH = Path(__file__).resolve().parents[1] / "data" / "filler_words.txt"


def _filler_words(path: Path = FILLER_WORDS_PATH) -> FrozenSet[str]:
    """Chat words of ``knowledge/data/filler_words.txt`` (``#`` starts a comment)."""
    words: List[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words.extend(line.split("#", 1)[0].split())
    return frozenset(words)


# Words of a question that never decide a row: question words and chat filler.
STOPWORDS = _QUESTION_WORDS | _filler_words()
