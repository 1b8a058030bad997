"""Both branches of the Danish spaCy resolver (scripts/spacy_model.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import spacy_model as sm


def never(*_args, **_kwargs):
    raise AssertionError("must not be called")


def test_env_setting_wins():
    res = sm.resolve("my_model", installed_version=never, pip_install=never, reachable=never, build_offline=never)
    assert (res.model, res.kind) == ("my_model", "env")


def test_installed_official_model_is_used():
    res = sm.resolve(installed_version=lambda: "3.4.0", pip_install=never, reachable=never, build_offline=never)
    assert (res.model, res.kind) == ("da_core_news_sm", "official")


def test_wrong_minor_version_is_not_used(tmp_path):
    res = sm.resolve(
        installed_version=lambda: "3.7.0",
        offline=True,
        pip_install=never,
        reachable=never,
        build_offline=lambda: tmp_path / "offline",
    )
    assert res.kind == "offline"


def test_local_wheel_is_installed(tmp_path):
    wheel = tmp_path / "da_core_news_sm-3.4.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    calls = []
    res = sm.resolve(
        local_wheel=str(wheel),
        installed_version=lambda: None,
        pip_install=lambda target: calls.append(target) or True,
        reachable=never,
        build_offline=never,
    )
    assert res.kind == "official-local-wheel" and calls == [str(wheel)]


def test_download_is_tried_once_with_a_timeout():
    seen = []
    res = sm.resolve(
        installed_version=lambda: None,
        reachable=lambda url, timeout: seen.append((url, timeout)) or True,
        pip_install=lambda target: True,
        build_offline=never,
    )
    assert res.kind == "official-download"
    assert seen == [(sm.OFFICIAL_URL, 5.0)]


def test_offline_flag_skips_the_download(tmp_path):
    res = sm.resolve(
        installed_version=lambda: None,
        offline=True,
        reachable=never,
        pip_install=never,
        build_offline=lambda: tmp_path,
    )
    assert (res.kind, res.model) == ("offline", str(tmp_path))


def test_unreachable_download_falls_back_to_offline(tmp_path):
    res = sm.resolve(
        installed_version=lambda: None,
        reachable=lambda url, timeout: False,
        pip_install=never,
        build_offline=lambda: tmp_path,
    )
    assert res.kind == "offline"


@pytest.fixture(scope="module")
def offline_nlp(tmp_path_factory):
    import spacy

    path = sm.build_offline_pipeline(tmp_path_factory.mktemp("spacy") / sm.OFFLINE_NAME)
    return spacy.load(path)


def test_offline_pipeline_has_an_honest_name(offline_nlp):
    assert offline_nlp.meta["name"] == sm.OFFLINE_NAME
    assert "da_core_news_sm" != offline_nlp.meta["name"]
    assert offline_nlp.lang == "da"
    assert "not installable" in offline_nlp.meta["description"]


def test_offline_pipeline_tokenises_and_lemmatises_danish(offline_nlp):
    doc = offline_nlp("Hvad koster f.eks. regningerne for tre børn?")
    words = [t.text for t in doc]
    assert "f.eks." in words  # Danish tokenizer exception kept as one token
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["regningerne"] == "regning"
    assert lemmas["børn"] == "barn"
    assert doc[words.index("tre")].like_num


def test_offline_build_is_idempotent(tmp_path):
    target = tmp_path / sm.OFFLINE_NAME
    sm.build_offline_pipeline(target)
    stamp = (target / "meta.json").stat().st_mtime_ns
    sm.build_offline_pipeline(target)
    assert (target / "meta.json").stat().st_mtime_ns == stamp
