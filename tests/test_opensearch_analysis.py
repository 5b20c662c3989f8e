"""Acceptance 1: OpenSearch's analyzer, generated from indexer.analysis, gives the project's terms.

Every distinct word of the bundled report and of the second report goes through ``_analyze``
(a few batched calls) and must give exactly ``analysis.analyze(word)``: the same term, or no
term for a stop word.
"""

from __future__ import annotations

import re

import httpx
import pytest

from indexer.analysis import FAST_FRENCH_ANALYZER, WORD_PATTERN, analyze
from indexer.opensearch_template import ANALYZER, index_template
from tests.conftest import CORPUS, FIXTURES
from tests.opensearch_support import node_url

PROBE = "congres-analysis-probe"
BATCH = 4000  # words per _analyze call (the node's limit is 10 000 tokens)
SOURCES = [CORPUS / "san-jose-2025.txt", FIXTURES / "second_report.txt"]
#: Words written every way the analysis must meet: accents, ligatures, capitals, elisions.
WRITTEN = ["L’Œuvre", "qu'il", "jusqu’à", "CRIMINALITÉS", "organisées", "données", "Données", "aujourd’hui",
           "traite", "traitement", "d’État", "ÉTATS-UNIS", "cœur", "lorsqu'elles", "organisee", "donnee"]


def _vocabulary() -> list[str]:
    words = set(WRITTEN)
    for path in SOURCES:
        words.update(re.findall(WORD_PATTERN, path.read_text(encoding="utf-8")))
    return sorted(words)


@pytest.fixture(scope="module")
def probe():
    url = node_url()
    template = index_template()["template"]
    client = httpx.Client(base_url=url, timeout=60)
    client.delete(f"/{PROBE}")
    client.put(f"/{PROBE}", json={"settings": template["settings"]}).raise_for_status()
    yield client
    client.delete(f"/{PROBE}")
    client.close()


def _opensearch_terms(client, words: list[str]) -> dict[str, list[str]]:
    """Each word's tokens: the words are sent one per line and told apart by the tokens' offsets."""
    terms: dict[str, list[str]] = {}
    for start in range(0, len(words), BATCH):
        batch = words[start:start + BATCH]
        text, spans = "", []
        for word in batch:
            spans.append((len(text), len(text) + len(word), word))
            text += word + "\n"
        response = client.post(f"/{PROBE}/_analyze", json={"analyzer": ANALYZER, "text": text})
        response.raise_for_status()
        tokens = iter(response.json()["tokens"])
        token = next(tokens, None)
        for begin, end, word in spans:
            found = terms.setdefault(word, [])
            while token is not None and token["start_offset"] < end:
                assert token["start_offset"] >= begin, token
                found.append(token["token"])
                token = next(tokens, None)
    return terms


def test_every_word_of_the_vocabulary_gives_the_project_terms(probe):
    words = _vocabulary()
    assert len(words) > 2000  # both reports' vocabularies, not a sample
    got = _opensearch_terms(probe, words)
    differing = {word: (got[word], analyze(word)) for word in words if got[word] != analyze(word)}
    assert differing == {}


@pytest.mark.parametrize("text", [
    "L’Assemblée générale a décidé qu'il fallait lutter contre la criminalité organisée.",
    "Les données des organisations de la société civile",
    "jusqu’à l'Office des Nations Unies contre la drogue et le crime (ONUDC)",
    "Qu’il s’agisse de la lutte contre la traite, elles l'ont dit et c'est ainsi qu'elles agissent.",
    "La Conférence, LE Congrès et Les États d'Afrique ; l'un d'eux",
])
def test_a_sentence_gives_the_project_terms_in_order_at_the_project_positions(probe, text):
    """Positions too: Whoosh numbers the terms one after the other, stop words left out, and
    phrases (with their slop) are matched on those positions."""
    response = probe.post(f"/{PROBE}/_analyze", json={"analyzer": ANALYZER, "text": text})
    tokens = response.json()["tokens"]
    whoosh = [(t.text, t.pos) for t in FAST_FRENCH_ANALYZER(text, positions=True)]  # one Token, reused
    first = whoosh[0][1]
    assert [(t["token"], t["position"]) for t in tokens] == [(term, pos - first) for term, pos in whoosh]
    assert [t["token"] for t in tokens] == analyze(text)
