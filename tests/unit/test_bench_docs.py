"""The generated blocks of docs/bench.md (scripts/docblock.py) and the profile's table
(scripts/profile.py): arithmetic and layout only, never a timing."""

from __future__ import annotations

from types import SimpleNamespace

from scripts.docblock import write_block
from scripts.profile import NESTED, node_step, table


def test_a_block_is_replaced_and_the_text_around_it_kept(tmp_path):
    doc = tmp_path / "bench.md"
    doc.write_text("intro\n<!-- bench:begin -->\nold\n<!-- bench:end -->\noutro\n", encoding="utf-8")
    write_block(doc, "bench", "new table", "Results")
    assert doc.read_text(encoding="utf-8") == "intro\n<!-- bench:begin -->\nnew table\n<!-- bench:end -->\noutro\n"


def test_a_missing_block_is_appended_under_its_heading(tmp_path):
    doc = tmp_path / "bench.md"
    doc.write_text("# Bench\n", encoding="utf-8")
    write_block(doc, "profile", "rows", "Profile")
    write_block(doc, "profile", "rows again", "Profile")
    text = doc.read_text(encoding="utf-8")
    assert text.count("## Profile") == 1 and "rows again" in text and "rows\n" not in text


def test_graph_nodes_are_named_by_kind():
    class RulePolicy: ...
    class SpacyNLP: ...
    assert node_step(SimpleNamespace(_node_name="run_RulePolicy0", _component_class=RulePolicy)) == "policy: RulePolicy"
    assert node_step(SimpleNamespace(_node_name="run_SpacyNLP1", _component_class=SpacyNLP)) == "nlu: SpacyNLP"
    assert node_step(SimpleNamespace(_node_name="select_prediction")) == "policy: ensemble choice"
    assert node_step(SimpleNamespace(_node_name="domain_provider")) == "graph: domain_provider"


def test_the_table_gives_medians_and_a_rest_without_counting_nested_steps_twice():
    inner = NESTED[1]  # the HTTP request, inside the action round trip
    turns = [{"nlu: A": 0.002, "action: server round trip": 0.010, inner: 0.008, "total": 0.020},
             {"nlu: A": 0.004, "action: server round trip": 0.012, inner: 0.009, "total": 0.024},
             {"nlu: A": 0.003, "action: server round trip": 0.011, inner: 0.007, "total": 0.022}]
    text = table(["nlu: A", "action: server round trip", inner], {"FAQ": turns}, {})
    rows = {line.split(" | ")[0].strip("|* "): line.split(" | ")[1].strip(" |*") for line in text.splitlines()[2:]}
    assert rows["nlu: A"] == "3.0"
    assert rows["action: server round trip"] == "11.0"
    assert rows[inner] == "8.0"
    # rest per turn: 20-2-10=8, 24-4-12=8, 22-3-11=8 -> median 8.0 (the nested 8 ms not subtracted)
    assert rows["rest of Rasa's turn (events, session checks, …)"] == "8.0"
    assert rows["in-process turn"] == "22.0"
