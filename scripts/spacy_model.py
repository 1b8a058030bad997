"""Resolve the Danish spaCy pipeline that Rasa's ``SpacyNLP`` loads (``${DA_SPACY_MODEL}``).

Order of preference:

1. ``DA_SPACY_MODEL`` already set to something spaCy can load → use it as is.
2. ``da_core_news_sm`` 3.4.x installed → use it (the only release that fits spaCy 3.4).
3. A local wheel named by ``DA_CORE_NEWS_SM_WHEEL`` → install it, use it.
4. spaCy's official release wheel, tried once with a short timeout (skipped when
   ``KOEGE_SPACY_OFFLINE=1``) → install it, use it.
5. Otherwise build an offline pipeline at setup time: ``spacy.blank("da")`` (Danish tokenizer
   exceptions, stop words, ``like_num``) plus a lookup lemmatizer from spacy-lookups-data.
   It is saved under ``build/spacy/`` with its own honest name and meta — it is *not*
   da_core_news_sm and never claims to be.

The chosen model (package name or path) is written to ``build/spacy_model.txt`` and printed.
``python -m scripts.spacy_model`` is what ``make`` runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
CHOICE_FILE = BUILD / "spacy_model.txt"
OFFLINE_NAME = "da_koege_blank_lookup"
OFFLINE_DIR = BUILD / "spacy" / OFFLINE_NAME
OFFLINE_VERSION = "1.0.0"  # bump to force a rebuild of the offline pipeline
OFFICIAL_NAME = "da_core_news_sm"
OFFICIAL_VERSION = "3.4.0"
OFFICIAL_URL = (
    "https://github.com/explosion/spacy-models/releases/download/"
    f"{OFFICIAL_NAME}-{OFFICIAL_VERSION}/{OFFICIAL_NAME}-{OFFICIAL_VERSION}-py3-none-any.whl"
)


@dataclass(frozen=True)
class Resolution:
    model: str  # what goes into DA_SPACY_MODEL: a package name or a directory
    kind: str  # "env", "official", "official-local-wheel", "official-download", "offline"
    reason: str


def installed_official_version() -> Optional[str]:
    """Version of an installed da_core_news_sm, or None."""
    if importlib.util.find_spec(OFFICIAL_NAME) is None:
        return None
    try:
        from importlib.metadata import version

        return version(OFFICIAL_NAME)
    except Exception:  # pragma: no cover - broken install
        return None


def _pip_install(target: str) -> bool:
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", target]
    return subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0


def _download_reachable(url: str, timeout: float) -> bool:
    try:
        req = urllib.request.Request(url, method="HEAD")
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - fixed https URL
            return resp.status < 400
    except Exception:
        return False


def build_offline_pipeline(target: Path = OFFLINE_DIR) -> Path:
    """Build ``spacy.blank('da')`` + lookup lemmatizer into ``target`` (idempotent)."""
    import spacy

    meta_file = target / "meta.json"
    if meta_file.exists():
        import json

        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if meta.get("name") == OFFLINE_NAME and meta.get("version") == OFFLINE_VERSION:
            return target
    nlp = spacy.blank("da")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the da_lemma_lookup table from spacy-lookups-data
    nlp.meta.update(
        {
            "name": OFFLINE_NAME,
            "version": OFFLINE_VERSION,
            "description": (
                "Offline Danish pipeline built at setup time: spacy.blank('da') tokenizer and "
                "a lookup lemmatizer (spacy-lookups-data da_lemma_lookup). No tagger, parser, "
                "NER or word vectors. Used because da_core_news_sm 3.4.0 was not installable."
            ),
            "author": "Køge billing bot setup (scripts/spacy_model.py)",
            "license": "MIT (lookup data: spacy-lookups-data)",
        }
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target


def resolve(
    env_model: Optional[str] = None,
    local_wheel: Optional[str] = None,
    offline: bool = False,
    *,
    installed_version: Callable[[], Optional[str]] = installed_official_version,
    pip_install: Callable[[str], bool] = _pip_install,
    reachable: Callable[[str, float], bool] = _download_reachable,
    build_offline: Callable[[], Path] = build_offline_pipeline,
    download_timeout: float = 5.0,
) -> Resolution:
    """Decide which Danish pipeline to use; side effects are injectable for tests."""
    if env_model:
        return Resolution(env_model, "env", "DA_SPACY_MODEL was set")
    version = installed_version()
    if version and version.startswith("3.4."):
        return Resolution(OFFICIAL_NAME, "official", f"{OFFICIAL_NAME} {version} is installed")
    if local_wheel:
        if Path(local_wheel).is_file() and pip_install(local_wheel):
            return Resolution(OFFICIAL_NAME, "official-local-wheel", f"installed from {local_wheel}")
    if not offline and reachable(OFFICIAL_URL, download_timeout) and pip_install(OFFICIAL_URL):
        return Resolution(OFFICIAL_NAME, "official-download", "installed spaCy's release wheel")
    path = build_offline()
    why = "da_core_news_sm 3.4.0 is not installed and could not be installed here"
    return Resolution(str(path), "offline", why)


def main(argv: Optional[list] = None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    started = time.monotonic()
    res = resolve(
        env_model=os.environ.get("DA_SPACY_MODEL") or None,
        local_wheel=os.environ.get("DA_CORE_NEWS_SM_WHEEL") or None,
        offline=os.environ.get("KOEGE_SPACY_OFFLINE", "") in {"1", "true", "yes"},
    )
    CHOICE_FILE.parent.mkdir(parents=True, exist_ok=True)
    CHOICE_FILE.write_text(res.model + "\n", encoding="utf-8")
    if not args.quiet:
        print(f"spaCy pipeline: {res.model} ({res.kind}: {res.reason}) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
