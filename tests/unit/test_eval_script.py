"""Scoring rules of scripts.eval (tests/eval/README.md), without a running bot."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from scripts import eval as ev


def item(**kw) -> ev.Item:
    return ev.Item.from_json({"id": "faq-001", "category": "faq", "message": "x", **kw})


def test_case_and_whitespace_insensitive():
    it = item(must_contain=["Mit  Betalingsoverblik", "5667 2450"])
    assert ev.score(it, "Log ind på mit\nbetalingsoverblik eller ring 5667 2450.")["passed"]


def test_numbers_match_with_spaces_or_dots_between_digits():
    assert ev.contains("Ring til Affaldskontoret på tlf. 56672432", "5667 2432")
    assert ev.contains("Prisen er 1070,00 kr.", "1.070,00")
    assert not ev.contains("Prisen er 1.070,00 kr.", "2.070,00")


def test_must_contain_any_needs_one_of_each_group():
    it = item(must_contain_any=[["3.203,00", "3.542,00"], ["måned", "md."]])
    assert ev.score(it, "Gæsteplads: 3.542,00 kr. pr. måned")["passed"]
    result = ev.score(it, "Gæsteplads: 3.542,00 kr.")
    assert not result["passed"] and result["missing_any"] == [["måned", "md."]]


def test_must_not_contain_fails_an_answer_that_states_the_wrong_row():
    it = item(must_contain=["893,00"], must_not_contain=["381,00"])
    assert ev.score(it, "Pas 18-64 årige: 893,00 kr.")["passed"]
    result = ev.score(it, "Pas 18-64 årige: 893,00 kr., fra 65 år: 381,00 kr.")
    assert not result["passed"] and result["forbidden"] == ["381,00"]


def test_an_unknown_must_say_the_texts_do_not_give_it():
    it = item(expect="unknown", must_contain=["5667 2450"])
    assert ev.score(it, "Prislisten oplyser ikke renten. Ring til Opkrævningen på 5667 2450.")["passed"]
    assert not ev.score(it, "Renten er lav. Ring til Opkrævningen på 5667 2450.")["passed"]


def test_an_invented_amount_fails_but_a_line_of_working_does_not():
    ev._SEED_AMOUNTS = {"893,00", "150,00"}  # the seeds' amounts, fixed for the test
    try:
        it = item(must_contain=["1.043,00"])
        assert ev.score(it, "Pas: 893,00 kr. og 150,00 kr.\n893,00 + 150,00 = 1.043,00 kr.")["passed"]
        result = ev.score(it, "I alt 1.043,00 kr., og et ekstra gebyr på 75,00 kr.")
        assert not result["passed"] and result["invented"] == ["75,00 kr"]
    finally:
        ev._SEED_AMOUNTS = None


def test_bot_text_joins_texts_but_not_buttons():
    messages = [{"text": "Mente du …?", "buttons": [{"title": "Renter", "payload": "/faq_interest"}]},
                {"text": "Ellers ring"}]
    assert ev.bot_text(messages) == "Mente du …?\nEllers ring"
    assert ev.button_titles(messages) == ["Renter"]


def test_summary_per_category():
    results = [{"category": "faq", "passed": True}, {"category": "faq", "passed": False},
               {"category": "issuer", "passed": True}]
    summary = ev.summarise(results)
    assert summary["per_category"]["faq"] == {"passed": 1, "total": 2, "accuracy": 0.5}
    assert summary["overall"]["accuracy"] == round(2 / 3, 4)


def test_main_against_a_fake_rest_channel(tmp_path, capsys):
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            reply = [{"recipient_id": body["sender"], "text": "Ring til Opkrævningen på tlf. 5667 2450."}]
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "faq-001", "category": "faq", "message": "tlf?", "must_contain": ["5667 2450"]},
        {"id": "oos-001", "category": "out_of_scope", "message": "vejret?", "must_contain": ["NemKonto"]},
    ]), encoding="utf-8")
    out = tmp_path / "eval.json"
    try:
        code = ev.main(["--url", f"http://127.0.0.1:{server.server_port}", "--questions", str(questions),
                        "--out", str(out), "--min-accuracy", "0.5"])
    finally:
        server.shutdown()
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["overall"] == {"passed": 1, "total": 2, "accuracy": 0.5}
    senders = [b["sender"] for b in seen[1:]]
    assert len(set(senders)) == 2  # a fresh conversation per question
    assert "FAIL oos-001" in capsys.readouterr().out
