"""Latency benchmark for the tariff search and answers: ``python -m knowledge.tariffs.bench``.

Runs about 100 citizen-style questions over the whole catalogue (after one warm-up pass that
builds the index) and prints p50/p95/max per query for the search alone and for the full
answer (parse, search, choose, calculate, render). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Callable, List, Sequence

from knowledge.tariffs.answer import answer_price_question
from knowledge.tariffs.query import parse_query
from knowledge.tariffs.search import get_index

QUERIES: Sequence[str] = (
    "hvad koster et pas til min datter på 12", "pas til voksen", "nyt sundhedskort",
    "legitimationskort pris", "folkeregisteroplysning", "rykkergebyr", "hvad er retsafgiften",
    "skraldespand 240 liter", "rest mad affald 370 l", "ekstra sæk skrald", "storskrald 12 afhentninger",
    "haveaffald", "genbrugsplads sommerhus", "farligt affald", "tekstil affald",
    "pap 660 liter 26 tømninger", "glas container 240 liter hver 14. dag", "metal 400 liter 13 tømninger",
    "madaffald 240 liter", "fejlsorteret beholder", "nedgravet container ekstra tømning",
    "anvisning af erhvervsaffald 3 timer", "flytning af jord anmeldelse", "bøde bibliotek",
    "for sent aflevert bog", "kopi a4", "print a3", "scan til mail", "kasserede bøger",
    "byggesag 2 timer og 10 min", "byggetilladelse carport", "nedrivning", "drivhus", "udhus",
    "fiskekort badesøen", "årskort fiskeri dalby sø", "ruse kimmerslev", "kajak kimmerslev dagkort",
    "bådplads", "gæsteplads pr døgn", "gæsteplads en uge", "vinteropbevaring 5 tons med mast",
    "søsætning fast lejer", "kranløft gæst", "magnetkort", "slæbested dagkort", "sejlerskur leje",
    "el i havnen", "varmt vand bad", "havnebadet sæsonkort", "vand pr m3 marina",
    "musikskole guitar 30 min", "babymusik", "kor musikskole", "instrumentleje",
    "hørelære", "talentakademi", "knallertbevis ungdomsskole", "billedskole", "leje tapperiet salen",
    "køreprøve", "køreprøve bus", "fornyelse kørekort", "internationalt kørekort", "mistet kørekort",
    "knallert kørekort", "ombytte udenlandsk kørekort", "leje af hal i borup weekend",
    "ejby medborgerhus store sal hverdag", "gymnastiksal skole lørdag", "spejderhus hele huset",
    "teatersalen", "administrationsgebyr lokale", "mad til ældre hovedret", "plejehjem mad pr måned",
    "café dagens menu", "omsorgstandpleje", "tøjvask", "aflastningsophold", "kørsel til træning",
    "varmtvandsbassin familie", "varmtvandsbassin timeleje", "herfølge svømmehal børnebillet",
    "svømmeland voksen lørdag", "svømmeland årskort pensionist", "10 turs kort svømning barn",
    "sauna gus", "tilskuer billet", "babysvømning", "vanddisco", "grønne arealer festival depositum",
    "leje af torvet til marked", "madvogn pr kvm", "stadeplads torvet", "udeservering",
    "parkering 3 timer", "p-billet dag", "beboerlicens parkering", "dagpleje pris",
    "børnehave fuldtid", "vuggestue 30 timer", "sfo 0. klasse", "juniorklub", "personskat",
    "kirkeskat af 400000 kr i indkomst", "grundskyld af 1.200.000 kr", "dækningsafgift offentlige",
    "rottebekæmpelse 150 m2",
)


def _timings(run: Callable[[str], object], queries: Sequence[str], rounds: int,
             clock: Callable[[], float] = time.perf_counter) -> List[float]:
    """Milliseconds per call; the garbage collector is paused while timing (as timeit does).

    With ``clock=time.process_time`` the figures are CPU time, which a busy machine does not
    inflate; each query is then run ``rounds`` times in a row and averaged (the CPU clock is
    too coarse for one call).
    """
    samples: List[float] = []
    gc.collect()
    gc.disable()
    try:
        if clock is time.perf_counter:
            for _ in range(rounds):
                for query in queries:
                    start = clock()
                    run(query)
                    samples.append((clock() - start) * 1000.0)
        else:
            for query in queries:
                start = clock()
                for _ in range(rounds):
                    run(query)
                samples.append((clock() - start) * 1000.0 / rounds)
    finally:
        gc.enable()
    return samples


def _report(name: str, samples: List[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (f"{name:<8} n={len(samples):4d}  p50={statistics.median(ordered):6.3f} ms  "
            f"p95={p95:6.3f} ms  max={ordered[-1]:6.3f} ms")


def main(rounds: int = 5) -> None:
    """Warm up (builds the index), then time search and full answers."""
    start = time.perf_counter()
    index = get_index()
    print(f"index built in {(time.perf_counter() - start) * 1000:.0f} ms "
          f"({len(index.catalogue.rows)} rows, {len(index.terms)} terms)")
    for query in QUERIES:  # warm caches (stems, fuzzy look-ups)
        answer_price_question(query)
    print(f"{len(QUERIES)} queries x {rounds} rounds")
    search = lambda q: index.search(parse_query(q).words)  # noqa: E731
    print("wall clock (perf_counter):")
    print(_report("search", _timings(search, QUERIES, rounds)))
    print(_report("answer", _timings(answer_price_question, QUERIES, rounds)))
    print(f"CPU time (process_time, mean of {4 * rounds} runs per query):")
    print(_report("search", _timings(search, QUERIES, 4 * rounds, time.process_time)))
    print(_report("answer", _timings(answer_price_question, QUERIES, 4 * rounds, time.process_time)))


if __name__ == "__main__":
    main()
