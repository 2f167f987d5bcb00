"""Wrong premises are corrected, one check per kind; a premise the question does not state
is never corrected."""

import pytest

from bot.premises import states_it_is_missing, told_part_answers
from bot.query import stated_figures
from bot.text import detect_language


@pytest.mark.parametrize(
    ("question", "correction"),
    [
        ("Varför ökade antalet klotterärenden från 2020 till 2021?", "minskning, inte en ökning"),
        ("Demokratipriset delades ut i december 2021, vilket datum exakt?", "inte december"),
        ("Varför skrev Miljöpartiet att de motsatte sig skattesänkningen på 30 öre?", "inte MP"),
        ("Varför anställdes fem trygghetsvärdar?", "inte 5"),
        ("Det anställdes ju fem trygghetsvärdar, vad gör de?", "inte 5"),  # 'ju' claims
        ("Varför nådde kampanjen på kvinnodagen bara 1 400 personer?", "14 000, inte 1 400"),
        ("V lade en motion 2019 om valdeltagandet, vad föreslog den?", "2017, inte 2019"),
        # a signatory's name also names her party: still a winner claimed
        ("Pran Malhotra fick väl demokratipriset 2021?", "inte Pran Malhotra"),
    ],
)
def test_each_kind_of_wrong_premise_is_corrected(engine, question, correction):
    answer = engine.answer(question)
    assert answer.status == "answer"
    assert correction in (answer.notice or ""), answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Avslog beredningen verksamhetsberättelsen för 2021?",
        "Varför röstade beredningen ner verksamhetsberättelsen för 2021 i februari?",
    ],
)
def test_a_decision_said_to_be_rejected_is_corrected_as_approved(engine, question):
    answer = engine.answer(question)
    assert answer.status == "answer"
    assert "godkändes det, det avslogs inte" in (answer.notice or ""), answer.text


@pytest.mark.parametrize(
    ("question", "correction"),
    [
        # The question's other words rank the tjänsteutlåtande's view first; the vote the
        # question invents ranks a gap about votes first: the decision corrects both.
        ("Varför återremitterade beredningen verksamhetsberättelsen?", "återremitterades inte"),
        ("Varför röstade beredningen nej till verksamhetsberättelsen för 2021?", "avslogs inte"),
        (
            "Så beredningen röstade ner verksamhetsberättelsen den 17 februari, vad händer nu?",
            "avslogs inte",
        ),
        ("Varför bordlades verksamhetsberättelsen?", "bordlades inte"),
    ],
)
def test_a_decision_said_to_have_gone_otherwise_is_answered_by_the_decision(
    engine, question, correction
):
    answer = engine.answer(question)
    assert answer.status == "answer", answer.text
    assert f"godkändes det, det {correction}" in (answer.notice or ""), answer.text


def test_a_party_said_to_have_dissented_is_told_it_wrote_a_note_instead(engine):
    answer = engine.answer("Varför reserverade sig Vänsterpartiet mot beslutet?")
    assert answer.status == "answer", answer.text
    assert "reserverade sig ingen" in (answer.notice or ""), answer.text
    assert "Vänsterpartiet (V) anmälde en protokollsanteckning" in answer.notice


def test_whether_anyone_dissented_is_answered_without_a_correction(engine):
    answer = engine.answer("Reserverade sig något parti mot beslutet om verksamhetsberättelsen?")
    assert answer.status == "answer" and answer.notice is None, answer.text
    assert "ingen reservation" in answer.answer


def test_another_decision_said_to_be_rejected_is_not_corrected_by_this_one(engine):
    answer = engine.answer("Avslogs V:s motion om valdeltagandet?")
    assert "godkändes det" not in answer.text


def test_a_wrong_day_of_the_right_month_is_corrected(engine):
    answer = engine.answer("Delades demokratipriset ut den 25 oktober?")
    assert answer.status == "answer", answer.text
    assert "23 oktober 2021, inte 25 oktober" in (answer.notice or ""), answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Were Huddinge's 2021 Democracy Days held on 18 and 19 November?",
        "Hölls demokratidagarna den 18 november?",
    ],
)
def test_a_day_the_material_dates_only_by_its_month_is_not_confirmed(engine, question):
    answer = engine.answer(question)
    assert answer.status == "abstain", answer.text
    assert "november" in answer.text.casefold()  # what it does say


def test_the_wrong_winner_of_the_prize_is_corrected(engine):
    answer = engine.answer("Kraftbyrån fick demokratipriset 2021, eller hur?")
    assert answer.status == "answer"
    assert "Eva Ganters" in answer.answer
    assert "inte Kraftbyrån" in (answer.notice or "")


def test_a_party_that_wrote_no_note_is_said_to_have_written_none(engine):
    answer = engine.answer("Vad skrev Moderaterna i sin protokollsanteckning?")
    assert answer.status == "answer"
    assert answer.answer.startswith("Obs: Moderaterna (M) lämnade ingen protokollsanteckning")
    for party in ("Socialdemokraterna (S)", "Vänsterpartiet (V)", "Miljöpartiet de gröna (MP)"):
        assert party in answer.answer


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("Skrev Catarina Klockerud också en protokollsanteckning?", "Catarina Klockerud"),
        ("Vad stod i Ingalill Söderbergs protokollsanteckning?", "Ingalill Söderberg"),
    ],
)
def test_a_person_who_signed_no_note_is_said_to_have_written_none(engine, question, person):
    answer = engine.answer(question)
    assert answer.status == "answer"
    assert answer.answer.startswith(f"Obs: {person} lämnade ingen protokollsanteckning")
    assert "Louise Rollins" in answer.answer


def test_a_signatory_of_a_note_gets_that_note(engine):
    answer = engine.answer("Vad skrev Britt Flodetorp i protokollsanteckningen?")
    assert answer.answer.startswith("Socialdemokraterna (S)")


def test_what_a_party_without_a_note_thought_is_a_gap(engine):
    answer = engine.answer("Vad tyckte Sverigedemokraterna om verksamhetsberättelsen?")
    assert (answer.status, answer.reason) == ("abstain", "gap")


@pytest.mark.parametrize(
    "question",
    [
        "jag bor i Flemingsberg. vem fick demokratipriset?",
        "Vad hände i oktober 2021?",
        "Who won Allsvenskan in 2021?",
        "Jag bor i Skogås, när delades demokratipriset ut?",
        "Are the safety hosts out at ten in the evening?",  # a time of day, not a count
        # a year asked about, or told before the question, is no premise about the year
        "Hur många klotterärenden var det 2020?",
        "Who got the democracy award the year before, in 2020?",
        "Beredningen diskuterade gängen i februari 2022. Vad skrev S om skjutningarna?",
        # the entry's date is of what was to come (its presentation), not of the analysis
        "Blev trygghetsanalysen kring Skogås centrum gjord redan under 2021?",
    ],
)
def test_a_premise_the_question_does_not_state_is_not_corrected(engine, question):
    assert engine.answer(question).notice is None


@pytest.mark.parametrize(
    ("question", "answer", "missing"),
    [
        # what the question asks for by name is what the entry says is not given
        ("Vilken leverantör valdes?", "En leverantör. Leverantörens namn anges inte.", True),
        ("Vad sa Catarina Klockerud?", "Hon talade. Protokollet anger inte vad hon sa.", True),
        # the asked thing is named, and something else about it is not given
        ("Vilken studie nämns?", "Studien Liv. Vi redovisar inte studiens resultat.", False),
        ("Vilken leverantör valdes?", "Kommunen valde leverantören Kamerabolaget.", False),
        ("Vilka är de tre nätverken?", "Tre nätverk finns. Vilka nätverken är anges inte.", True),
        # the kind of fact asked (a count, a result) is the kind said not to be given
        ("Hur många kameror sattes upp?", "Kameror sattes upp. Antalet kameror anges inte.", True),
        ("Vad visade analysen?", "En analys gjordes; resultaten redovisas inte.", True),
        # the details of a finding (where, whom, how many) go with the result
        (
            "Vad kom analysen fram till – vilka platser upplevs som otryggast?",
            "En analys gjordes; resultaten finns inte i rapporten.",
            True,
        ),
        # ... of another thing than the question names
        ("Hur många nätverk finns?", "Tre nätverk. Något antal skjutningar anges inte.", False),
        # one kind asked is given ('when'), another is not
        ("När kommer resultatet?", "Den presenteras i mars; resultaten redovisas inte.", False),
    ],
)
def test_an_entry_saying_the_asked_thing_is_not_given_is_known(engine, question, answer, missing):
    query = engine.searcher.analyse(question, "sv")
    assert states_it_is_missing(query, {"title": "Trygghetskameror", "answer": answer}) is missing


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("pa motet den 17 februari 2022", set()),
        ("on february 17 there were 12 cameras", {12}),
        ("anstalldes 5 trygghetsvardar i september", {5}),
        ("ar de ute vid tio", set()),
        ("vad handlade arende 12 om", set()),  # a case's number is a reference
        ("cirka 14 000 personer och 1 400 till", {14000, 1400}),  # grouped in thousands
        ("held on 18 and 19 november", set()),  # two days of a month
        ("varfor anstalldes 12 vakter i arendet", {12}),
    ],
)
def test_a_date_a_time_or_a_case_number_is_no_stated_figure(text, figures):
    assert stated_figures(text) == figures


@pytest.mark.parametrize(
    "question, correction",
    [
        ("Did Nujin Alacabek co-sign the Social Democrats' note?", "Left Party (V), not S"),
        ("Miljöpartiets anteckning är undertecknad av Nujin Alacabek, vad står i den?", "inte MP"),
    ],
)
def test_a_signatory_put_under_another_party_s_note_is_corrected(engine, question, correction):
    answer = engine.answer(question)
    assert answer.status == "answer" and correction in answer.text, answer.text


def test_a_signatory_s_correction_names_who_signed_the_note_asked_about(engine):
    answer = engine.answer("Nujin Alacabek skrev väl under för Miljöpartiet?")
    assert answer.status == "answer", answer.text
    assert "MP:s anteckning undertecknades av Louise Rollins" in (answer.notice or ""), answer.text


def test_a_signatory_named_with_her_own_party_is_no_wrong_premise(engine):
    answer = engine.answer("Vad skrev Nujin Alacabek (V) och Rasmus Lenefors (S)?")
    assert "undertecknade anteckningen från" not in answer.text, answer.text


GAP = {
    "title": "Bibliotekens namn anges inte",
    "answer": "Två bibliotek har utnämnts av Statens kulturråd till romska läsambassadörer. "
    "Vilka bibliotek det är anges inte.",
    "organisations": '["Statens kulturråd"]',
    "people": "[]",
}


@pytest.mark.parametrize(
    ("question", "answers"),
    [
        ("Vem gjorde biblioteken till romska läsambassadörer?", True),  # who: told
        ("Vilka två bibliotek blev romska läsambassadörer?", False),  # the libraries: not
        ("När blev biblioteken romska läsambassadörer?", False),  # no date is told
        ("Vem gjorde biblioteken i Vårby till läsambassadörer?", False),  # nor that place
    ],
)
def test_a_gap_answers_what_its_told_part_gives(engine, question, answers):
    query = engine.searcher.analyse(question, "sv")
    assert told_part_answers(query, GAP) is answers


SENT_ON = {
    "title": "Kommunstyrelsens behandling anges inte",
    "answer": "Protokollsutdraget säger att beslutet ska skickas till Kommunstyrelsen. "
    "När kommunstyrelsen behandlar det anges inte.",
    "organisations": '["Kommunstyrelsen"]',
    "people": "[]",
}


@pytest.mark.parametrize(
    ("question", "answers"),
    [
        ("Till vilket organ ska beslutet skickas?", True),  # a body: the told part names it
        ("När behandlar kommunstyrelsen beslutet?", False),  # the date is not told
    ],
)
def test_a_gap_names_the_body_asked_for(engine, question, answers):
    query = engine.searcher.analyse(question, "sv")
    assert told_part_answers(query, SENT_ON) is answers


SHOOTINGS = {
    "title": "Skjutningar och kriminella nätverk",
    "answer": "Huddinge drabbades av flera skjutningar, och tre tungt kriminella nätverk är "
    "etablerade i kommunen. Något antal skjutningar anges inte.",
}


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Hur många tungt kriminella nätverk finns det, och varför sker skjutningarna?", False),
        ("Hur många skjutningar var det i Huddinge?", True),
        ("How many shootings were there in Huddinge according to S?", True),  # its sv terms
        ("How many criminal networks are there according to S?", False),
    ],
)
def test_a_count_is_missing_only_for_the_thing_counted(engine, question, missing):
    query = engine.searcher.analyse(question, detect_language(question))
    assert states_it_is_missing(query, SHOOTINGS) is missing


@pytest.mark.parametrize(
    "question",
    [
        "Hur många skjutningar drabbades Huddinge av under 2021 enligt S protokollsanteckning?",
        "How many shootings were there in Huddinge in 2021 according to the Social Democrats?",
    ],
)
def test_a_count_the_source_gives_only_vaguely_is_answered_by_no_passage(engine, question):
    # The note's passage says 'flera skjutningar' beside 'tre tungt kriminella nätverk'.
    answer = engine.answer(question)
    assert answer.status != "answer", answer.text


def test_the_count_of_the_networks_is_answered_beside_shootings_never_counted(engine):
    answer = engine.answer(
        "hur manga tungt kriminella natverk finns det enligt S, och vad beror skjutningarna pa?"
    )
    assert answer.status == "answer", answer.text
    assert "tre tungt kriminella nätverk" in answer.answer


SUPPLIER = {
    "title": "Leverantör av trygghetskameror",
    "answer": "Kommunen har fått till en leverantör som möjliggör installation. "
    "Leverantörens namn anges inte.",
}
APP = {
    "title": "Appens namn anges inte",
    "answer": "Kommunen gör en app om finska platser tillsammans med Skogsfinska museet. "
    "Appens namn anges inte.",
}


@pytest.mark.parametrize(
    ("question", "row", "missing"),
    [
        ("Vilket företag blev leverantör av kamerorna?", SUPPLIER, True),  # its name: untold
        ("Har kommunen fått en leverantör?", SUPPLIER, False),  # that there is one: told
        ("Vilket museum gör kommunen appen med?", APP, False),  # the museum is told
    ],
)
def test_a_which_question_is_missing_when_the_entry_says_the_name_is_not_given(
    engine, question, row, missing
):
    query = engine.searcher.analyse(question, "sv")
    assert states_it_is_missing(query, row) is missing


@pytest.mark.parametrize(
    "question",
    [
        "Vad sa Ingalill Söderberg när hon yttrade sig i ärendet?",
        "What did deputy security chief Catarina Klockerud tell the committee?",
        "What exactly did Catarina Klockerud tell the committee during the item?",
        "Vad var det Ingalill Söderberg (DP) sa när ärendet diskuterades?",
        "Vad stod i yttrandet om SOU 2021:46?",  # what the committee answered
        "Vilken handläggare har skrivit tjänsteutlåtandet?",  # a person asked by role
    ],
)
def test_what_someone_said_or_who_wrote_it_is_not_answered_by_who_spoke(engine, question):
    answer = engine.answer(question)
    assert answer.status != "answer", answer.text


def test_a_name_asked_of_one_who_spoke_is_answered(engine):
    answer = engine.answer("vad heter bitr säkerhetschefen som yttrade sig på mötet")
    assert answer.status == "answer", answer.text
    assert "Catarina Klockerud" in answer.answer


def test_who_spoke_is_still_answered(engine):
    answer = engine.answer("Hur många personer yttrade sig under överläggningen och vilka var de?")
    assert answer.status == "answer", answer.text
    assert "Louise Rollins" in answer.answer


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Does the 2021 report have financial consequences?", set()),  # the report's name
        ("Vad står i verksamhetsberättelsen för 2021 om kameror?", set()),
        ("Vad står i verksamhetsberättelsen 2019 om kameror?", {"2019"}),  # no such report
        ("Hur många klotterärenden fanns 2021?", {"2021"}),  # a time asked about
    ],
)
def test_a_year_naming_the_report_is_no_time_asked_about(engine, question, asked):
    query = engine.searcher.analyse(question, "sv")
    assert query.years_asked(engine.searcher.report_periods) == asked


def test_a_question_naming_the_2021_report_is_answered_from_a_2022_document(engine):
    answer = engine.answer(
        "Does approving the 2021 report have any financial or legal consequences?"
    )
    assert answer.status == "answer", answer.text
    assert "ekonomiska eller juridiska" in answer.text


def test_who_named_the_libraries_is_answered_not_declined(engine):
    answer = engine.answer("Vem gav två bibliotek i Huddinge titeln romska läsambassadörer?")
    assert answer.status == "answer", answer.text
    assert "Statens kulturråd" in answer.answer


def test_a_role_whose_holder_the_material_does_not_name_is_a_gap(engine):
    answer = engine.answer("Vad heter samordnaren för Samverkan i Huddinge i Flemingsberg?")
    assert (answer.status, answer.reason) == ("abstain", "gap"), answer.text
    assert "inte några namn på personer för" in answer.text  # said once, not 'namn eller …'


@pytest.mark.parametrize(
    "question",
    [
        "What are the names of the three safety hosts (trygghetsvärdar) hired in September?",
        "What's the name of the community police officer who briefed the committee?",
        "What is the name of the official who drafted the tjänsteutlåtande?",
        # 'jobbar för' does not make a name question a broad request
        "vad heter den operativa samordnaren som jobbar för samverkan i huddinge?",
    ],
)
def test_people_asked_for_by_role_are_not_answered_without_their_names(engine, question):
    answer = engine.answer(question)
    assert answer.status == "abstain", answer.text


@pytest.mark.parametrize(
    "question", ["Vem vann Melodifestivalen 2021?", "Who won the chess tournament in Huddinge?"]
)
def test_a_win_of_something_the_material_never_names_is_declined(engine, question):
    answer = engine.answer(question)
    assert (answer.status, answer.reason) == ("abstain", "unknown_words"), answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Vem vann demokratipriset i fjol och var delades det ut?",
        "Vem vann Melodifestivalen och demokratipriset?",  # asks the prize too
    ],
)
def test_the_winners_of_the_prize_are_still_answered(engine, question):
    answer = engine.answer(question)
    assert answer.status == "answer" and "Eva Ganters" in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "vart ska jag ringa om jag ser klotter",
        "Hur bokar man en sagostund på romani på biblioteket?",
        "När går nästa buss från Huddinge station till Flemingsberg?",
        "Vilka öppettider har shoppingcentret i Kungens kurva?",
        "What's the phone number for the Kraftbyrån youth helpline?",
        "när töms återvinningsstationen vid skogås centrum? den är alltid full",
        "när jobbar trygghetsvärdarna, typ vilka tider kan man stöta på dom på stan?",
    ],
)
def test_a_practical_detail_of_a_service_is_not_answered_by_the_report(engine, question):
    answer = engine.answer(question)
    assert answer.status != "answer", answer.text


def test_a_missing_service_detail_is_said_with_what_the_material_does_say(engine):
    answer = engine.answer("vart ska jag ringa om jag ser klotter")
    assert (answer.status, answer.reason) == ("abstain", "gap"), answer.text
    assert "praktiska uppgifter" in answer.text
    assert "415" in answer.text  # the graffiti figures it does give


def test_hours_a_party_wants_longer_are_its_proposal_not_a_service_detail(engine):
    answer = engine.answer("Ville Vänsterpartiet ha längre öppettider på biblioteken?")
    assert answer.status == "answer", answer.text
    assert "Vänsterpartiet" in answer.answer


def test_findings_asked_of_an_analysis_whose_results_are_not_given_are_a_gap(engine):
    answer = engine.answer("Vilka brister hittade trygghetsanalysen runt Skogås centrum?")
    assert answer.status == "abstain", answer.text
    assert "första kvartalet 2022" in answer.text  # when it is to be presented


@pytest.mark.parametrize(
    "question",
    [
        "What was the voter turnout in Vårby in the last election?",
        "Hur högt var valdeltagandet i Skogås?",
        "Vad hade Eva Ganters och Stefan Karlsson gjort för att få demokratipriset?",  # why
    ],
)
def test_a_turnout_or_the_reason_for_a_win_is_not_given(engine, question):
    answer = engine.answer(question)
    assert answer.status == "abstain", answer.text


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("Beredningen träffades den 11 februari 2021 och 22 april 2021.", False),
        ("Ärendet behandlades under § 12.", False),
        ("Under 2021 hanterades 415 klotterärenden.", True),
        ("Tre trygghetsvärdar anställdes.", True),
    ],
)
def test_a_date_or_a_paragraph_is_no_figure_that_counts(text, counts):
    from bot.search import holds_figure

    assert holds_figure(text) is counts
