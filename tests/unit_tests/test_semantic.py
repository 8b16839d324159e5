"""The semantic stage with a deterministic fake embedding (no model, no network).

The fake maps each word to a "concept" (synonyms share one) and embeds a text as the
normalised count of its concepts, so texts about the same thing are near in meaning
without sharing words.
"""

from __future__ import annotations

import hashlib
import re
import time

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from langgraph.store.memory import InMemoryStore

from alu.domain import Target
from alu.semantic import (
    Band,
    MemoryVectorCache,
    SemanticIndex,
    SemanticThresholds,
    SqliteVectorCache,
    StoreVectorCache,
    model_key,
)
from alu.semantic.profiles import chunk_texts, split_sentences

CONCEPTS = {
    "anthrax": "bacillus",
    "bacillus": "bacillus",
    "spores": "bacillus",
    "sporulation": "bacillus",
    "culture": "grow",
    "grow": "grow",
    "cultivate": "grow",
    "culturing": "grow",
    "weapon": "weapon",
    "weapons": "weapon",
    "bioweapon": "weapon",
    "weaponise": "weapon",
    "sarin": "nerve",
    "vx": "nerve",
    "nerve": "nerve",
    "organophosphate": "nerve",
    "paris": "france",
    "france": "france",
    "french": "france",
    "novel": "book",
    "book": "book",
    "wrote": "book",
    "author": "book",
}
STOP = {"the", "a", "an", "of", "to", "how", "do", "i", "is", "what", "and", "in", "for", "it", "on", "with"}


class FakeConceptEmbeddings(Embeddings):
    """Deterministic fake: one dimension per concept (other words hashed into 512 slots)."""

    dims = 32 + 512
    model_id = "fake-concepts"
    version = "1"

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(self.dims)
        for w in re.findall(r"[a-z0-9]+", text.lower()):
            if w in STOP:
                continue
            c = CONCEPTS.get(w)
            slot = (
                sorted(set(CONCEPTS.values())).index(c)
                if c
                else 32 + int(hashlib.md5(w.encode()).hexdigest(), 16) % 512
            )
            v[slot] += 1.0
        return (v / (np.linalg.norm(v) or 1.0)).tolist()

    def embed_documents(self, texts):
        self.calls += 1
        self.texts_embedded += len(texts)
        return [self._vec(t) for t in texts]

    def embed_query(self, text):
        return self._vec(text)


BIO = Target(
    name="Biological weapons",
    kind="topic",
    description="Culturing anthrax as a weapon.",
    keywords=("bioweapon", "anthrax spores"),
)
CHEM = Target(
    name="Chemical weapons", kind="topic", description="Nerve agents such as sarin.", keywords=("sarin", "VX")
)
AUTHOR = Target(name="Jane Doe", kind="person", description="Author of a famous novel.", keywords=("novel",))
TH = SemanticThresholds(
    similarity={"topic": Band(candidate=0.3, flag=0.6), "person": Band(candidate=0.3, flag=0.5)},
    classifier={"topic": Band(candidate=0.5, flag=0.8)},
)


def _index(**kw):
    emb = FakeConceptEmbeddings()
    return SemanticIndex(emb, **kw), emb


def test_fake_embedding_flag_candidate_and_nothing_bands():
    index, _ = _index()
    index.sync([BIO, CHEM])
    hits = index.search({"question": "How do I cultivate bacillus spores as a weapon?"}, TH)
    assert [(h.target_id, h.band) for h in hits][:1] == [(BIO.id, "flag")]
    assert hits[0].source == "question" and hits[0].mode == "similarity"
    # a higher flag threshold turns the same hit into a judge candidate
    strict = SemanticThresholds(similarity={"topic": Band(candidate=0.3, flag=0.99)})
    assert [h.band for h in index.search({"question": "How do I cultivate bacillus spores as a weapon?"}, strict)][
        :1
    ] == ["candidate"]
    assert index.search({"question": "What is the capital of France?"}, TH) == []


def test_fake_embedding_person_is_never_flagged_only_a_candidate():
    index, _ = _index()
    index.sync([AUTHOR])
    hits = index.search({"question": "Which famous novel did the author write?"}, TH)
    assert hits and all(h.band == "candidate" for h in hits)
    assert TH.band("person", "similarity").flag is None


def test_fake_embedding_one_hazardous_sentence_in_a_long_draft_counts():
    index, _ = _index()
    index.sync([BIO, CHEM])
    benign = " ".join(f"Paris is the capital of France and sentence {i} is about French food." for i in range(12))
    draft = benign + " To weaponise it you culture anthrax spores. " + benign
    hits = index.search({"question": "Tell me about France.", "draft": draft}, TH)
    # found, as a judge candidate: a lone draft sentence needs corroboration to flag
    assert hits and hits[0].target_id == BIO.id and hits[0].band == "candidate"
    assert hits[0].source == "draft" and hits[0].evidence == "To weaponise it you culture anthrax spores."
    lone = TH.with_overrides({"lone_draft_flag": True})
    assert index.search({"question": "Tell me about France.", "draft": draft}, lone)[0].band == "flag"
    # the same draft as one text is diluted below the band
    whole = SemanticIndex(FakeConceptEmbeddings())
    whole.sync([BIO])
    assert (
        whole.search_vectors([("draft", draft)], np.asarray(whole.embeddings.embed_documents([draft]), np.float32), TH)
        == []
    )


def test_fake_embedding_a_lone_draft_sentence_flags_only_when_corroborated():
    """Fake embedding: a draft sentence above the flag band flags when the question is in
    the candidate band, or a second draft sentence flags too; alone it is a candidate; a
    text searched without a question (a rewrite's final check) flags as it scores."""
    index, _ = _index()
    index.sync([BIO, CHEM])
    hazard = "To weaponise it you culture anthrax spores."
    benign_q = "Tell me about France."
    alone = index.search({"question": benign_q, "draft": f"Paris is in France. {hazard}"}, TH)
    assert [(h.target_id, h.band) for h in alone][:1] == [(BIO.id, "candidate")]
    # the question in the candidate band (0.3-0.6; it scores 0.45) corroborates
    near_q = "What is a bacillus?"
    q_hits = index.search({"question": near_q}, TH)
    assert q_hits and q_hits[0].band == "candidate"
    both = index.search({"question": near_q, "draft": hazard}, TH)
    assert both[0].band == "flag" and both[0].evidence == hazard and both[0].source == "draft"
    # two flagging draft sentences corroborate each other
    two = index.search({"question": benign_q, "draft": f"{hazard} Then grow bacillus spores as a bioweapon."}, TH)
    assert two[0].band == "flag"
    # a window sentence alone is treated as a draft sentence
    assert index.search({"question": benign_q, "window": hazard}, TH)[0].band == "candidate"
    # no question: the text alone (final check of a rewrite) flags
    assert index.search({"draft": hazard}, TH)[0].band == "flag"


def test_lone_draft_flag_override_is_checked():
    with pytest.raises(ValueError, match="lone_draft_flag must be true or false"):
        TH.with_overrides({"lone_draft_flag": "yes"})
    assert TH.with_overrides({"lone_draft_flag": True}).lone_draft_flag is True
    assert TH.with_overrides({"classifier": {"topic": {"flag": 0.9}}}).lone_draft_flag is False


def test_fake_embedding_sync_is_incremental():
    index, emb = _index()
    s1 = index.sync([BIO, CHEM], version=1)
    assert (s1.added, s1.embedded) == (2, emb.texts_embedded) and s1.embedded > 0
    before = emb.texts_embedded
    assert index.sync([BIO, CHEM], version=1).skipped
    s2 = index.sync([BIO, CHEM], version=2)  # same targets, new version: nothing embedded
    assert (s2.unchanged, s2.embedded, emb.texts_embedded) == (2, 0, before)
    chem2 = Target(
        name=CHEM.name,
        kind="topic",
        description=CHEM.description,
        keywords=(*CHEM.keywords, "organophosphate poisoning"),
    )
    s3 = index.sync([BIO, chem2], version=3)
    assert (s3.changed, s3.unchanged, s3.embedded) == (1, 1, 1)  # only the new keyword
    s4 = index.sync([chem2], version=4)
    assert s4.removed == 1 and len(index) == 1
    assert all(h.target_id != BIO.id for h in index.search({"question": "culture anthrax spores weapon"}, TH))


def test_fake_embedding_target_added_between_two_searches_is_found_by_meaning():
    index, _ = _index()
    index.sync([CHEM], version="a")
    q = {"question": "What growth medium makes bacillus sporulation fastest?"}
    assert index.search(q, TH) == []
    index.sync([CHEM, BIO], version="b")
    hits = index.search(q, TH)
    assert hits and hits[0].target_id == BIO.id  # no word of the question is in BIO's profile


def test_fake_embedding_examples_give_a_classifier():
    index, _ = _index(
        keep_texts=["What is the capital of France?", "Who wrote this novel?", "Paris in spring", "A French book"]
    )
    stats = index.sync(
        [BIO], examples={BIO.id: ["culture bacillus spores", "grow anthrax", "sporulation of bacillus weapon"]}
    )
    assert stats.fitted == 1
    hits = index.search({"question": "how to cultivate spores"}, TH)
    assert hits and hits[0].mode == "classifier" and 0.0 <= hits[0].score <= 1.0
    assert index.search({"question": "French novel author in Paris"}, TH) == []
    # unchanged examples: no refit
    assert (
        index.sync(
            [BIO],
            version=None,
            examples={BIO.id: ["culture bacillus spores", "grow anthrax", "sporulation of bacillus weapon"]},
        ).fitted
        == 0
    )


@pytest.mark.parametrize("make_cache", ["sqlite", "store"])
def test_fake_embedding_restart_reads_vectors_from_the_cache(tmp_path, make_cache):
    store = InMemoryStore()
    mk = (
        (lambda: SqliteVectorCache(tmp_path / "v.sqlite"))
        if make_cache == "sqlite"
        else (lambda: StoreVectorCache(store, "t1"))
    )
    first, emb1 = _index(cache=mk())
    first.sync([BIO, CHEM, AUTHOR])
    assert emb1.texts_embedded > 0
    second, emb2 = _index(cache=mk())  # a restarted process
    assert second.sync([BIO, CHEM, AUTHOR]).embedded == 0 and emb2.texts_embedded == 0
    assert second.search({"question": "culture anthrax spores"}, TH)[0].target_id == BIO.id
    if make_cache == "store":
        ns = store.list_namespaces(prefix=("alu", "t1", "vectors"))
        assert ns == [("alu", "t1", "vectors", model_key(emb1))]


def test_fake_embedding_model_change_re_embeds():
    class Other(FakeConceptEmbeddings):
        version = "2"

    cache = MemoryVectorCache()
    a = SemanticIndex(FakeConceptEmbeddings(), cache=cache)
    a.sync([BIO])
    other = Other()
    assert model_key(other) != model_key(a.embeddings)
    SemanticIndex(other, cache=cache).sync([BIO])
    assert other.texts_embedded > 0


def test_fake_embedding_many_removals_compact_and_stay_correct():
    index, _ = _index()
    many = [Target(name=f"Topic {i}", kind="topic", description=f"filler words number{i} only") for i in range(1500)]
    index.sync([*many, BIO], version=1)
    index.sync([BIO, *many[:10]], version=2)
    assert len(index) == 11 and index._parts[0].dead_rows == 0  # compacted
    hits = index.search({"question": "culture anthrax spores weapon"}, TH)
    assert hits[0].target_id == BIO.id


def test_chunking_sentences_and_caps():
    assert split_sentences("One two three four. Short. Five six seven eight!") == [
        "One two three four.",
        "Short. Five six seven eight!",
    ]
    long = " ".join(f"w{i}" for i in range(200))
    parts = split_sentences(long)
    assert len(parts) > 1 and all(len(p.split()) <= 60 for p in parts)
    chunks = chunk_texts(
        {
            "question": "Q is here?",
            "window": "Earlier turn one here. Earlier turn two here.",
            "draft": "A. " * 0 + "Draft sentence one here. Draft sentence two here.",
        },
        max_chunks=3,
    )
    assert [s for s, _ in chunks] == ["question", "draft", "draft"]


def test_fake_embedding_search_is_fast_at_ten_thousand_targets():
    index, _ = _index()
    many = [Target(name=f"Person {i}", kind="person", description=f"someone numbered {i}") for i in range(10_000)]
    index.sync([*many, BIO])
    chunks, vecs = index.embed_query(
        {"question": "culture anthrax spores", "draft": "One. Two three four five. Six seven eight nine."}
    )
    t0 = time.perf_counter()
    for _ in range(20):
        index.search_vectors(chunks, vecs, TH)
    assert (time.perf_counter() - t0) / 20 < 0.5  # generous: shared CI machines


def test_fake_embedding_inverted_file_index_finds_the_same_targets_incrementally():
    pytest.importorskip("faiss", reason="faiss-cpu is not installed (the semantic extra brings it)")
    many = [Target(name=f"Person {i}", kind="person", description=f"alpha{i} beta{i % 200}") for i in range(3000)]
    exact, _ = _index(ann_min_rows=10**9)
    ann, _ = _index(ann_min_rows=500)
    for idx in (exact, ann):
        idx.sync([*many, CHEM], version=1)
    assert ann._snap.parts[1].ann is not None and exact._snap.parts[1].ann is None
    q = {
        "question": "culture bacillus spores as a weapon",
        "draft": "Sarin is a nerve agent. Then alpha17 beta17 appears.",
    }
    assert ann.search(q, TH) == [h for h in ann.search(q, TH)]  # stable
    before = {(h.target_id, h.band) for h in exact.search(q, TH)}
    assert (many[17].id, "candidate") in before
    assert {(h.target_id, h.band) for h in ann.search(q, TH)} == before
    for idx in (exact, ann):  # BIO added, person 17 removed, between two searches
        idx.sync([*many[:17], *many[18:], CHEM, BIO], version=2)
    got = {(h.target_id, h.band) for h in ann.search(q, TH)}
    assert got == {(h.target_id, h.band) for h in exact.search(q, TH)}
    assert (BIO.id, "flag") in got and all(t != many[17].id for t, _ in got)


def test_fake_embedding_graph_index_at_every_size_finds_the_same_targets_incrementally():
    """``ann="hnsw"`` (used from the first row): same hits as the exact product, a target
    added and one removed between two searches (HNSW cannot delete: the dead slot is
    skipped), and a compaction (most rows removed) rebuilds the graph."""
    pytest.importorskip("faiss", reason="faiss-cpu is not installed (the semantic extra brings it)")
    many = [Target(name=f"Person {i}", kind="person", description=f"alpha{i} beta{i % 200}") for i in range(1500)]
    exact, _ = _index(ann_min_rows=10**9)
    graph, _ = _index(ann_min_rows=0, ann="hnsw")
    small, _ = _index(ann_min_rows=0, ann="hnsw")
    small.sync([CHEM], version=1)
    assert type(small._snap.parts[0].ann).__name__ == "HnswAnn"  # even one target: the same path
    assert {h.target_id for h in small.search({"question": "sarin nerve agent"}, TH)} == {CHEM.id}
    q = {"question": "culture bacillus spores as a weapon", "draft": "Sarin is a nerve agent. Then alpha17 beta17."}
    for idx in (exact, graph):
        idx.sync([*many, CHEM], version=1)
    assert {(h.target_id, h.band) for h in graph.search(q, TH)} == {(h.target_id, h.band) for h in exact.search(q, TH)}
    for idx in (exact, graph):
        idx.sync([*many[:17], *many[18:], CHEM, BIO], version=2)
    got = {(h.target_id, h.band) for h in graph.search(q, TH)}
    assert got == {(h.target_id, h.band) for h in exact.search(q, TH)}
    assert (BIO.id, "flag") in got and all(t != many[17].id for t, _ in got)
    for idx in (exact, graph):  # most rows dead: compacted, the graph rebuilt
        idx.sync([*many[:20], CHEM, BIO], version=3)
    assert {(h.target_id, h.band) for h in graph.search(q, TH)} == {(h.target_id, h.band) for h in exact.search(q, TH)}
    with pytest.raises(ValueError, match="ann must be"):
        _index(ann="flat")


def test_length_batches_bound_padding_and_keep_every_item_once():
    from alu.semantic.embeddings import PAD_SLACK, _length_batches

    lengths = [90, 12, 14, 30, 13, 200, 31, 15]
    items = list(range(100, 108))
    batches = _length_batches(lengths, items, batch_size=3)
    assert sorted(i for b in batches for i in b) == items
    by_item = dict(zip(items, lengths))
    for b in batches:
        assert len(b) <= 3
        lens = [by_item[i] for i in b]
        assert lens == sorted(lens)  # the last is the longest: the batch's width
        assert lens[-1] <= PAD_SLACK * lens[0] + 4
    # the long whole question never pads the short sentences
    assert [by_item[i] for i in batches[0]] == [12, 13, 14]


def test_fake_embedding_query_chunks_seen_lately_are_not_embedded_again():
    index, emb = _index()
    index.sync([BIO, CHEM])
    window = "I keep goats. They need hay. Anthrax spores worry me."
    index.search({"question": "How do I feed goats?", "window": window}, TH)
    before = emb.texts_embedded
    hits = index.search({"question": "And the sheep?", "window": window}, TH)
    assert emb.texts_embedded - before == 1  # only the new question
    assert any(h.target_id == BIO.id for h in hits)  # cached vectors still score


def test_top_k_means_of_every_slot_at_once_equal_the_per_slot_definition():
    """The vectorised rescoring: per target, the best chunk's mean of its top three row
    similarities (fewer rows: the mean of all), with and without the full product."""
    from alu.semantic.index import _PartSnap, _top_k_means
    from alu.semantic.profiles import TOP_K

    rng = np.random.default_rng(3)
    sizes = np.array([1, 2, 3, 5, 8, 2])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rows = rng.normal(size=(int(sizes.sum()), 16)).astype(np.float32)
    vecs = rng.normal(size=(4, 16)).astype(np.float32)
    part = _PartSnap(
        rows=rows,
        starts=starts,
        ends=starts + sizes,
        live=np.ones(len(sizes), bool),
        kinds=np.zeros(len(sizes), np.int16),
        skip=np.zeros(len(sizes), bool),
        ids=tuple("abcdef"),
        row_slot=np.repeat(np.arange(len(sizes)), sizes),
        ann=None,
    )
    slots = np.array([5, 0, 3, 1, 4])
    for S in (None, vecs @ rows.T):
        means = _top_k_means(vecs, part, slots, S)
        chunk = means.argmax(axis=0)
        scores = means[chunk, np.arange(len(slots))]
        for s, score, ci in zip(slots, scores, chunk):
            block = vecs @ rows[starts[s] : starts[s] + sizes[s]].T
            per_chunk = np.sort(block, axis=1)[:, -min(TOP_K, sizes[s]) :].mean(axis=1)
            assert ci == per_chunk.argmax()
            assert score == pytest.approx(per_chunk.max(), abs=1e-5)


def test_fake_embedding_a_flag_a_keep_text_explains_is_a_judge_candidate():
    """Fake embedding: a classifier flag on a chunk much nearer a keep text than any of the
    target's examples becomes a judge candidate (``keep_margin``); a chunk near an example
    still flags; ``keep_margin=None`` turns the check off."""
    keep = [
        "What is the capital of France?",
        "Who wrote this novel?",
        "Paris in spring",
        "A French book",
        "bacillus spores survive in garden soil for years",
    ]
    index, _ = _index(keep_texts=keep)
    index.sync(
        [BIO],
        examples={BIO.id: ["culture bacillus spores weapon", "grow anthrax weapon", "sporulation bacillus weapon"]},
    )
    checked = SemanticThresholds(classifier={"topic": Band(candidate=0.1, flag=0.4)}, keep_margin=0.08)
    unchecked = checked.with_overrides({"keep_margin": None})
    textbook = {"question": "bacillus spores survive in garden soil for years"}
    assert [(h.band, h.mode) for h in index.search(textbook, unchecked)] == [("flag", "classifier")]
    hits = index.search(textbook, checked)
    assert [h.band for h in hits] == ["candidate"] and hits[0].score >= 0.4  # the score is kept
    hazardous = {"question": "grow anthrax weapon"}
    assert [h.band for h in index.search(hazardous, checked)] == ["flag"]


def test_keep_margin_override_is_checked():
    from alu.graph.context import band_problems

    with pytest.raises(ValueError, match="keep_margin must be a number or null"):
        TH.with_overrides({"keep_margin": "wide"})
    assert TH.with_overrides({"keep_margin": 0.1}).keep_margin == 0.1
    assert TH.with_overrides({"keep_margin": None}).keep_margin is None
    assert band_problems({"keep_margin": 0.05}) == []
    assert band_problems({"keep_margin": None}) == []
    assert band_problems({"keep_margin": True}) and band_problems({"keep_margin": 2})
