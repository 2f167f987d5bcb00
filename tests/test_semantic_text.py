"""What of a question the e5 encoder sees: its asking end, capped (the cost grows with length)."""

from bot.semantic import QUERY_CHARS, asking_tail


def test_a_short_question_is_encoded_whole():
    assert asking_tail("Hur många klotterärenden var det 2021?") == (
        "Hur många klotterärenden var det 2021?"
    )


def test_a_long_message_is_encoded_by_its_last_sentences_within_the_cap():
    context = "Jag har bott i Skogås i tjugo år och känner mig otrygg på kvällarna. " * 4
    question = "Har kommunen satt upp kameror i Skogås?"
    tail = asking_tail(context + question)
    assert tail.endswith(question) and len(tail) <= QUERY_CHARS


def test_one_very_long_sentence_is_cut_at_a_word():
    sentence = "kameror " * 60
    tail = asking_tail(sentence.strip())
    assert len(tail) <= QUERY_CHARS and tail.endswith("kameror")
