"""The source text as passages: sections found in extracted-PDF text, passages within them,
each passage indexed once."""

from bot.passages import (
    document_passages,
    joined_lines,
    passages_of,
    raw_span,
    sentences,
    split_sections,
)

PROTOCOL = """\
Exempel kommun            PROTOKOLL      1 (3)

Exempelberedningen
Sammanträdesdatum 2023-05-04

§ 7
Belysning i parken
Dnr KS-2023/1.1

Beredningens beslut
Beredningen godkänner förslaget om 12 nya armaturer.

Sammanfattning
Parken upplevs som mörk. Det är ett problem för elever som går
till skolan. Kostnaden beräknas till 1,2 mnkr.

Exempel kommun            PROTOKOLL      2 (3)

Beslutet ska skickas till
Kommunstyrelsen

§ 8
Remisser
Beredningen har fått följande remisser:
Fler hjärtstartare
Detaljplan för Österhagen

Bilaga 1
Reservation
§ 7 Belysning i parken
Vi anser att arbetet ska börja i december.

För Vänsterpartiet
Yasmin Farah
"""


def headings(text: str) -> list[str]:
    return [section.heading for section in split_sections(text, title="Titel")]


def test_numbered_and_paragraph_headings_start_sections_and_page_headers_are_dropped():
    found = headings(PROTOCOL)
    assert "§ 7 Belysning i parken" in found
    assert "Sammanfattning" in found
    assert not any("PROTOKOLL" in heading for heading in found)


def test_sub_headings_of_a_paragraph_are_labelled_with_it():
    sections = {s.heading: s for s in split_sections(PROTOCOL, title="Titel")}
    assert sections["Sammanfattning"].label == "§ 7 Belysning i parken, Sammanfattning"


def test_lines_of_a_list_and_a_line_after_a_heading_are_text():
    sections = {s.heading: s for s in split_sections(PROTOCOL, title="Titel")}
    remisser = sections["§ 8 Remisser"].text
    assert "Fler hjärtstartare Detaljplan för Österhagen" in remisser
    assert "Dnr KS-2023/1.1" in sections["§ 7 Belysning i parken"].text
    assert "Kommunstyrelsen" in sections["Sammanfattning"].text


def test_an_appendix_keeps_its_references_and_its_signature():
    appendix = next(s for s in split_sections(PROTOCOL, title="Titel") if s.heading == "Bilaga 1")
    assert appendix.label == "Bilaga 1, Reservation"
    assert "§ 7 Belysning i parken" in appendix.text
    assert appendix.signed == "För Vänsterpartiet Yasmin Farah"


def test_words_broken_at_a_line_end_are_joined_but_suspended_compounds_are_not():
    assert joined_lines(["åren 2019–", "2023 och 100-", "årsjubileet"]) == (
        "åren 2019–2023 och 100-årsjubileet"
    )
    assert joined_lines(["barn-", "och ungdomar"]) == "barn- och ungdomar"


def test_abbreviations_do_not_end_a_sentence_and_bullets_start_one():
    assert sentences("Catarina Klockerud, bitr. säkerhetschef, talade. Sedan kom S.") == [
        "Catarina Klockerud, bitr. säkerhetschef, talade.",
        "Sedan kom S.",
    ]
    assert sentences("Punkter: • Ett. • Två.") == ["Punkter:", "• Ett.", "• Två."]


def test_a_sentence_leaning_on_the_one_before_is_kept_with_it():
    section = next(
        s for s in split_sections(PROTOCOL, title="Titel") if s.heading == "Sammanfattning"
    )
    assert passages_of(section)[0] == (
        "Parken upplevs som mörk. Det är ett problem för elever som går till skolan."
    )


def test_a_passage_repeated_in_a_document_is_kept_once():
    text = "Rubrik\nEn mening om klotter.\n\nAnnan rubrik\nEn mening om klotter.\n"
    assert [p.text for p in document_passages(text, title="T")] == ["En mening om klotter."]


def test_a_span_is_found_in_the_raw_text_whatever_the_line_breaks():
    text = "Början\nFörslag till\nbeslut här.\nSlut på delen.\nNästa"
    assert raw_span(text, "Förslag till beslut", "Slut på delen.") == (
        "Förslag till\nbeslut här.\nSlut på delen."
    )
    assert raw_span(text, "Saknas", None) is None


def test_the_index_holds_each_passage_of_the_report_once(engine):
    rows = engine.db.execute(
        "select document, section from passages where text like '415 klotterärenden%'"
    ).fetchall()
    assert [tuple(row) for row in rows] == [("verksamhetsberattelse", "3. Ren och trygg utemiljö")]


def _described(engine, question: str, text_start: str):
    (number,) = engine.db.execute(
        "select n from passages where text like ? limit 1", (text_start + "%",)
    ).fetchone()
    query = engine.searcher.analyse(question, "sv")
    return engine.passages.describe(query, engine.passages.passage(number))


def test_a_passage_lacking_the_kind_of_fact_asked_cannot_answer_it(engine):
    # The winners' names give no reason and no number: "why" and "how many" stay unmet.
    winners = "Beredningen beslutade att demokratipriset skulle tilldelas"
    assert "why" in _described(engine, "Varför fick Eva Ganters demokratipriset?", winners).unmet
    assert "count" in _described(engine, "Hur många fick demokratipriset?", winners).unmet
    # The graffiti passage has its number: the count is met.
    graffiti = "415 klotterärenden"
    assert not _described(engine, "Hur många klotterärenden kom in?", graffiti).unmet


def test_a_question_naming_what_the_material_never_uses_gets_no_passage(engine):
    budget = "Andra tillskott som Vänsterpartiet gjorde"
    assert "unknown" in _described(engine, "Vilka öppettider har simhallen?", budget).unmet
    assert "unknown" in _described(engine, "Vad var valdeltagandet 2018?", "Vänsterpartiet").unmet
    answer = engine.answer("vilka öppettider har simhallen i huddinge på söndagar?")
    assert answer.kind != "passage", answer.text
    # A stated figure is a premise, not an unknown thing: the passage may still correct it.
    hosts = "I mitten av september anställdes tre personer"
    question = "Varför anställde kommunen fem trygghetsvärdar i september?"
    assert "unknown" not in _described(engine, question, hosts).unmet


def test_the_municipality_itself_is_no_name_that_answers_what_someone_is_called(engine):
    hosts = "I mitten av september anställdes tre personer"
    assert "name" in _described(engine, "Vad heter trygghetsvärdarna?", hosts).unmet
    answer = engine.answer("vad heter de tre trygghetsvärdarna som anställdes?")
    assert answer.status != "answer" and "inte några namn" in answer.text, answer.text


def test_a_passage_of_another_year_than_the_asked_one_cannot_answer_it(engine):
    hosts = "I mitten av september anställdes tre personer"
    assert "year" in _described(engine, "Hur många trygghetsvärdar anställdes 2022?", hosts).unmet
    assert "year" not in _described(engine, "Hur många trygghetsvärdar anställdes?", hosts).unmet


def test_the_letterhead_is_no_passage(engine):
    rows = engine.db.execute("select text from passages where text = upper(text)").fetchall()
    assert not [text for (text,) in rows if not any(c.isdigit() for c in text)]


def test_a_passage_holding_only_the_place_of_the_question_is_about_something_else(engine):
    analysis = "En trygghetsanalys har genomförts runt Skogås centrum"
    question = "Finns det beslut om trygghetskameror i Skogås centrum?"
    assert "topic" in _described(engine, question, analysis).unmet
    assert "topic" not in _described(engine, "När presenteras trygghetsanalysen?", analysis).unmet
