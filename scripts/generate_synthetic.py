"""Write a synthetic but valid knowledge directory of N entries, deterministic for a seed.

    python scripts/generate_synthetic.py --entries 100000 --out /tmp/kb --seed 1

The text mixes real Swedish words with generated pseudo-words (about N/4 of them, plus
inflected forms and compounds), so the vocabulary grows with N the way a real archive's
would. Every quote is copied verbatim into its document's source file and every digit of an
answer comes from its quote, so `python -m bot validate DIR` passes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.models import ENTRY_KINDS, ENTRY_STATUSES

AREAS = ("Ökad trygghet", "Ökad delaktighet", "Ökad jämlikhet", "God omsorg för individen")

ENTRIES_PER_FILE = 2000
# Small documents keep the validator's quote-in-span check cheap at 100k entries.
ENTRIES_PER_DOCUMENT = 250
PSEUDO_PER_ENTRY = 0.2
# Share of topics named by a compound (pseudo-word + head noun), the rest by the bare word.
COMPOUND_SHARE = 0.3
GAP_SHARE = 0.03
KINDS = [kind for kind in ENTRY_KINDS if kind != "gap"]

NOUNS = """
trygghet delaktighet jämlikhet omsorg skola bibliotek förening ungdom kultur idrott park
belysning klotter polis fritidsgård demokrati integration folkhälsa samverkan nämnd
förvaltning rapport uppdrag insats projekt satsning utredning enkät möte seminarium dialog
bostad område centrum torg gångväg cykelväg hållplats lekplats simhall badplats konsthall
utemiljö skadegörelse brottsprevention föräldraskap språkstöd läxhjälp sommarjobb
mötesplats medborgarlöfte trygghetsvandring kartläggning handlingsplan uppföljning
nätverk utbildning kampanj festival utställning bokcirkel konsert workshop träffpunkt
""".split()
GROUPS = """
invånare elever ungdomar föräldrar pensionärer föreningar medarbetare volontärer
företagare studenter barn familjer hyresgäster deltagare ledamöter
""".split()
GROUPS_EN = dict(
    zip(
        GROUPS,
        """residents pupils young-people parents pensioners associations employees volunteers
        business-owners students children families tenants participants members""".split(),
        strict=True,
    )
)
VERBS = [
    ("genomförde", "carried out"),
    ("startade", "started"),
    ("utvärderade", "evaluated"),
    ("planerade", "planned"),
    ("följde upp", "followed up"),
    ("redovisade", "reported on"),
    ("anordnade", "organised"),
    ("finansierade", "funded"),
]
ACTIVITIES = [
    ("möten", "meetings"),
    ("träffar", "gatherings"),
    ("dialoger", "dialogues"),
    ("vandringar", "walks"),
    ("kurser", "courses"),
    ("insatser", "measures"),
    ("samtal", "conversations"),
]
ADJECTIVES = "ökad trygg ny gemensam lokal digital förebyggande social öppen hållbar".split()
PLACES = """
Flemingsberg Vårby Skogås Fullersta Trångsund Grantorp Segeltorp Sjödalen Österhagen Länna
Stuvsta Snättringe Visättra Glömsta Masmo Sörskogen Gladö Balingsta
""".split()
PEOPLE = """
Anna Lindqvist|Erik Johansson|Maria Nilsson|Karl Berg|Sara Ekström|Johan Holm|Lena Åberg|
Mikael Sjöberg|Fatima Hassan|Ali Yilmaz|Ingrid Dahl|Per Strand
""".replace("\n", "").split("|")
ORGANISATIONS = [
    "Polisen",
    "Huddinge Samhällsfastigheter",
    "Studieförbundet Vuxenskolan",
    "Röda korset",
    "Fryshuset",
    "Stockholms läns region",
]
MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()
MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()
FILLERS = [
    "Arbetet ska följas upp i nästa verksamhetsberättelse",
    "Beredningen ser behov av fortsatt samverkan med civilsamhället",
    "Insatsen bedöms ha ökat tryggheten och delaktigheten i området",
    "Resultatet har redovisats för kommunstyrelsen och berörda nämnder",
    "Erfarenheterna tas tillvara i det fortsatta arbetet med {p}",
    "Flera {g} har efterfrågat liknande aktiviteter i andra kommundelar",
]
FILLERS_EN = "The work will be followed up; the committee wants to keep working with partners."
ONSETS = (
    "b d f g h j k l m n p r s t v sk st tr kr gr bl fl sp sj kv br dr fr gl pl sm sn sv"
).split()
VOWELS = list("aaeeiioouyåäö")
CODAS = ["", "", "n", "r", "l", "s", "t", "ng", "nd", "rd", "lk", "st", "ck", "m", "rn", "ll"]
# The bare form dominates, as in prose; the endings add word forms that share a stem.
INFLECTIONS = ["", "", "", "", "", "", "en", "ar", "na", "er", "et", "s"]
COMPOUND_HEADS = "projekt arbete satsning dialog plan grupp miljö träff".split()


def pseudo_words(count: int, rng: random.Random) -> list[str]:
    """`count` distinct Swedish-looking nonsense words of two or three syllables."""
    real = set(NOUNS)
    found: dict[str, None] = {}
    while len(found) < count:
        syllables = rng.choice((2, 2, 3))
        word = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables)
        )
        if word not in real:
            found.setdefault(word, None)
    return list(found)


@dataclass(frozen=True)
class Topic:
    """The words one entry is about; `compound` is often pseudo-word + head noun, Swedish style."""

    p1: str
    p2: str
    noun: str
    place: str
    group: str
    compound: str


def pick_topic(vocabulary: list[str], rng: random.Random) -> Topic:
    def skewed() -> str:
        # Squaring skews towards the front: a few frequent words and a long tail, as in prose.
        return vocabulary[int(len(vocabulary) * rng.random() ** 2)]

    p1, p2 = skewed(), skewed()
    noun = rng.choice(NOUNS)
    compound = p1 + rng.choice(COMPOUND_HEADS) if rng.random() < COMPOUND_SHARE else p1
    return Topic(
        p1=p1 + rng.choice(INFLECTIONS),
        p2=p2 + rng.choice(INFLECTIONS),
        noun=noun,
        place=rng.choice(PLACES),
        group=rng.choice(GROUPS),
        compound=compound,
    )


def make_entry(number: int, document: str, vocabulary: list[str], rng: random.Random) -> dict:
    """One entry record in the knowledge schema; digits only in the quote and the answers."""
    t = pick_topic(vocabulary, rng)
    year, month = rng.choice((2020, 2021, 2021, 2021, 2022)), rng.randrange(12)
    count, people = rng.randint(2, 60), rng.randint(5, 900)
    verb, verb_en = rng.choice(VERBS)
    activity, activity_en = rng.choice(ACTIVITIES)
    quote = (
        f"I {MONTHS[month]} {year} {verb} beredningen {count} {activity} om {t.compound} i "
        f"{t.place}, och {people} {t.group} deltog i arbetet med {t.p2}."
    )
    first, second = rng.sample(FILLERS, 2)
    filler = f"{first}. {second}".format(p=t.p2, g=t.group)
    answer = (
        f"Beredningen {verb} {count} {activity} om {t.compound} i {t.place} i {MONTHS[month]} "
        f"{year}. Arbetet gällde också {t.p2}, och {people} {t.group} deltog. {filler}."
    )
    answer_en = (
        f"In {MONTHS_EN[month]} {year} the committee {verb_en} {count} {activity_en} on "
        f"{t.compound} in {t.place}; {people} {GROUPS_EN[t.group]} took part in the work on "
        f"{t.p2}. {FILLERS_EN}"
    )
    title = rng.choice(
        [
            f"{rng.choice(ADJECTIVES).capitalize()} {t.compound} i {t.place}",
            f"{t.noun.capitalize()} om {t.p1} och {t.p2}",
            f"{t.compound.capitalize()} för {t.group} i {t.place}",
        ]
    )
    record = {
        "id": f"syn-{number:06d}",
        "kind": "gap" if rng.random() < GAP_SHARE else rng.choice(KINDS),
        "title": title,
        "title_en": f"{t.compound.capitalize()} in {t.place}",
        "answer": answer,
        "answer_en": answer_en,
        "questions": entry_questions(t, title, verb),
        "keywords": [t.p1, t.p2, t.compound, t.noun, t.place.casefold()],
        "source": {"document": document, "section": f"Avsnitt {t.noun}", "quote": quote},
        "area": rng.choice(AREAS),
        "status": rng.choice(ENTRY_STATUSES),
        "dates": [f"{year}-{month + 1:02d}"],
        "places": [t.place],
    }
    if rng.random() < 0.3:
        record["priority"] = rng.randint(1, 13)
    if rng.random() < 0.2:
        record["people"] = [rng.choice(PEOPLE)]
    if rng.random() < 0.2:
        record["organisations"] = [rng.choice(ORGANISATIONS)]
    return record


def entry_questions(t: Topic, title: str, verb: str) -> list[str]:
    return [
        f"Vad {verb.split()[0]} beredningen kring {t.compound} i {t.place}?",
        f"Hur många {t.group} deltog i arbetet med {t.p2}?",
        f"Berätta om {title[0].lower()}{title[1:]}",
        f"vad hände med {t.p1} i {t.place.casefold()}",
    ]


# -- writing ------------------------------------------------------------------------------
# Hand-written YAML with JSON-quoted scalars (valid YAML): yaml.dump is far too slow at 100k.


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(value) for value in values) + "]"


def entry_yaml(record: dict) -> str:
    lines = [f"- id: {record['id']}", f"  kind: {record['kind']}"]
    for name in ("title", "title_en", "answer", "answer_en"):
        lines.append(f"  {name}: {_q(record[name])}")
    lines.append("  questions:")
    lines += [f"    - {_q(question)}" for question in record["questions"]]
    lines.append(f"  keywords: {_flow(record['keywords'])}")
    source = record["source"]
    lines += [
        "  source:",
        f"    document: {source['document']}",
        f"    section: {_q(source['section'])}",
        f"    quote: {_q(source['quote'])}",
        f"  area: {_q(record['area'])}",
        f"  status: {record['status']}",
    ]
    if "priority" in record:
        lines.append(f"  priority: {record['priority']}")
    for name in ("dates", "places", "people", "organisations"):
        if name in record:
            lines.append(f"  {name}: {_flow(record[name])}")
    return "\n".join(lines) + "\n"


def document_record(number: int) -> dict:
    return {
        "id": f"delrapport-{number:04d}",
        "title": f"Delrapport {number} om trygghet och delaktighet",
        "title_en": f"Part report {number} on safety and participation",
        "kind": "report",
        "date": "2022-02-17",
        "period": "2021",
        "areas": list(AREAS),
        "body": "Trygghets- och delaktighetsberedningen",
        "reference": f"KS-2022/{number}.915",
        "source_file": f"sources/delrapport-{number:04d}.txt",
        "starts_with": f"DELRAPPORT {number} BÖRJAR",
        "ends_with": f"Slut på delrapport {number}.",
    }


def source_text(document: dict, quotes: list[str]) -> str:
    """The source file of one document: its markers around all its entries' quotes."""
    paragraphs = [document["starts_with"], *quotes, document["ends_with"]]
    return "\n\n".join(paragraphs) + "\n"


def glossary(vocabulary: list[str]) -> dict:
    return {
        "synonyms": {
            "kameror": ["trygghetskameror"],
            "graffiti": ["klotter"],
            **{vocabulary[i + 1]: [vocabulary[i]] for i in range(0, min(len(vocabulary), 400), 8)},
        },
        "abbreviations": {"KS": "kommunstyrelsen", "TU": "tjänsteutlåtande"},
        "english": {"safety": "trygghet", "participation": "delaktighet", "library": "bibliotek"},
        "districts": PLACES,
        "parties": {"S": ["Socialdemokraterna"], "V": ["Vänsterpartiet"], "MP": ["Miljöpartiet"]},
        "outside_places": ["botkyrka", "södertälje", "nacka", "göteborg", "malmö"],
    }


def generate(entries: int, out: Path, seed: int = 1) -> None:
    """Write documents.yaml, glossary.yaml, entries/part-*.yaml and sources/*.txt under out."""
    rng = random.Random(seed)
    vocabulary = pseudo_words(max(200, int(entries * PSEUDO_PER_ENTRY)), rng)
    (out / "entries").mkdir(parents=True, exist_ok=True)
    (out / "sources").mkdir(exist_ok=True)
    documents = []
    for number, chunk in enumerate(_chunks(entries, ENTRIES_PER_DOCUMENT), start=1):
        document = document_record(number)
        records = [make_entry(n, document["id"], vocabulary, rng) for n in chunk]
        quotes = [record["source"]["quote"] for record in records]
        (out / document["source_file"]).write_text(source_text(document, quotes), "utf-8")
        part = (chunk[0] - 1) // ENTRIES_PER_FILE + 1
        with (out / "entries" / f"part-{part:04d}.yaml").open("a", encoding="utf-8") as file:
            file.write("".join(entry_yaml(record) for record in records))
        documents.append(document)
    _dump(out / "documents.yaml", documents)
    _dump(out / "glossary.yaml", glossary(vocabulary))


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(1, total + 1, size):
        yield range(start, min(start + size, total + 1))


def _dump(path: Path, data: object) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, required=True, help="number of entries")
    parser.add_argument("--out", type=Path, required=True, help="directory to write (new)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.entries < 1:
        parser.error("--entries must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} exists and is not empty")
    generate(args.entries, args.out, args.seed)
    print(f"Wrote {args.entries} entries to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
