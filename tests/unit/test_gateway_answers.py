"""Issue 20: one answer per turn (one id to rate, personal or not, source links) and the
source-passage page ``/kilde/{seed}``, which serves the seed files and nothing else."""

from __future__ import annotations

import pytest

from bot import passages
from bot.state import TURNS
from knowledge import sources
from tests.unit.test_gateway import (  # noqa: F401 - fixtures
    CSRF, T0, actions_url, chat, clock, db_url, gateway, migrated_db, origin, rasa,
)
from tests.unit.test_gateway_features import demo_citizens, demo_login

needs_seeds = pytest.mark.skipif(not sources.seeds_available(), reason="seed texts not available")


async def test_the_turn_is_one_answer_with_one_id_for_its_whole_text(gateway, rasa):
    client = await gateway(rasa.url)
    resp, body = await chat(client, "Hvordan betaler jeg?")
    answer = body["answer"]
    assert answer["personal"] is False and answer["sources"] == []
    turn = await client.server.app[TURNS].get(answer["id"], rasa.received[0]["sender"])
    assert turn.answer == "rasa svarer: Hvordan betaler jeg?\n\nMente du …?"
    resp = await client.post("/api/feedback", json={"id": answer["id"], "rating": "up"},
                             headers={**CSRF, "Origin": origin(client)})
    assert resp.status == 200


async def test_answers_given_while_logged_in_are_personal(gateway, rasa, db_url):
    client = await gateway(rasa.url)
    await demo_login(client, demo_citizens(db_url)[0].ref)
    _, body = await chat(client, "Hvad skylder jeg?")
    assert body["answer"]["personal"] is True
    await client.post("/api/logout", json={}, headers={**CSRF, "Origin": origin(client)})
    _, body = await chat(client, "Hvad skylder jeg?")
    assert body["answer"]["personal"] is False


@needs_seeds
def test_source_lines_point_at_the_records_lines():
    from core.settings import load_settings
    from knowledge.faq import load_faq, render_faq
    from knowledge.issuers import load_issuers, render_issuer

    index = passages.SourceIndex.build(load_settings().tariff_catalogue)
    entry = load_faq()["faq_portal"]
    [link] = passages.links(index, render_faq(entry), {})
    first, last = entry.source.lines
    assert link["label"].startswith("Kilde: Opkrævningen")
    assert link["href"] == f"/kilde/{entry.source.file}?linje={first}-{last}#linje-{first}"
    issuer = next(i for i in load_issuers() if i.bill_type == "Renovation")
    [link] = passages.links(index, render_issuer(issuer), {})
    assert link["href"].endswith(f"?linje={issuer.source_line}#linje-{issuer.source_line}")
    # A configured public page is used instead (with a text fragment), never a guessed one.
    pages = passages.public_pages([f"{entry.source.file}=https://www.example.org/opkraevning"])
    [link] = passages.links(index, render_faq(entry), pages)
    assert link["href"].startswith("https://www.example.org/opkraevning#:~:text=")


@needs_seeds
async def test_passage_page_shows_the_lines_with_context(gateway, rasa):
    client = await gateway(rasa.url)
    name = sources.seed_names()[0]
    resp = await client.get(f"/kilde/{name}?linje=31")
    assert resp.status == 200 and resp.content_type == "text/html"
    html = await resp.text()
    assert '<li id="linje-31" value="31" class="source-hit"><mark>' in html
    assert 'id="linje-23"' in html and 'id="linje-39"' in html and 'id="linje-22"' not in html
    assert "<script" not in html and "Content-Security-Policy" in resp.headers
    whole = await (await client.get(f"/kilde/{name}")).text()
    assert whole.count("<li ") == len(sources.seed_lines(name))


@needs_seeds
@pytest.mark.parametrize("path", [
    "/kilde/..%2F..%2Fetc%2Fpasswd",
    "/kilde/%2Fetc%2Fpasswd",
    "/kilde/README.md",  # in the seed folder, but not a seed text
    "/kilde/..%2Fmain%2FREADME.md",
    "/kilde/nope.txt",
    "/kilde/.%2F000_88859510c15c3961.txt",
    "/kilde/000_88859510c15c3961.txt%00.md",
])
async def test_passage_page_serves_only_the_seed_files(gateway, rasa, path):
    client = await gateway(rasa.url)
    resp = await client.get(path)
    assert resp.status == 404
    assert "root:" not in await resp.text()


@needs_seeds
@pytest.mark.parametrize("lines", ["0", "abc", "5-2", "99999", "1-99999", "-3", "1;2"])
async def test_passage_page_rejects_bad_line_numbers(gateway, rasa, lines):
    client = await gateway(rasa.url)
    resp = await client.get(f"/kilde/{sources.seed_names()[0]}", params={"linje": lines})
    assert resp.status == 400
