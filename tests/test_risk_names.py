"""Person names in business text: the wider lexicon, the context rules and the words that are not names.

Sentences are written by hand. "Vrelitha", "Quonsby", "Tirrowen" and "Brannaugh" are made-up names that
no name list holds, so the tests that use them show what the context alone finds.
"""

from __future__ import annotations

import importlib.util

import pytest

from humangate.risk import find_pii
from humangate.risk._lexicon import load_lexicon, transliterate

needs_lexicon = pytest.mark.skipif(
    importlib.util.find_spec("faker") is None or importlib.util.find_spec("gender_guesser") is None,
    reason="the name lexicon comes from the faker and gender-guesser packages, which are not installed",
)

INVENTED = ("Vrelitha", "Quonsby", "Tirrowen", "Brannaugh")


def names(text: str) -> list[str]:
    return [m.text for m in find_pii(text) if m.entity == "PERSON"]


@needs_lexicon
def test_invented_names_are_in_no_name_list() -> None:
    lex = load_lexicon()
    assert not any(lex.knows(w) or lex.broad(w) for w in INVENTED)


def test_transliteration_gives_the_spellings_english_text_uses() -> None:
    assert transliterate("Ефимов") == {"yefimov", "efimov"}
    assert {"dmitriy", "dmitry", "dmitri"} <= transliterate("Дмитрий")
    assert transliterate("Παπαδόπουλος") == {"papadopoulos"}
    assert "shevardnadze" in transliterate("შევარდნაძე")
    assert "hovhannisyan" in transliterate("Հովհաննիսյան")
    assert transliterate("Smith") == set()


@needs_lexicon
def test_lexicon_holds_romanized_transliterated_and_dictionary_names() -> None:
    lex = load_lexicon()
    assert lex.knows("Takahashi")  # faker's romanized Japanese surnames
    assert lex.knows("Yegorov") and lex.knows("Egorov")  # faker's Russian surnames, transliterated
    assert lex.broad("Aadu")  # gender-guesser's Estonian given names
    assert not lex.broad("Cool")  # English words are kept out of the broad list


@needs_lexicon
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please loop in Hiroshi Takahashi before Friday.", "Hiroshi Takahashi"),
        ("The refund was approved by Egorov yesterday.", "Egorov"),
        ("Aadu Brannaugh will join the call at 3 pm.", "Aadu Brannaugh"),
    ],
)
def test_names_from_the_wider_lexicon_are_found(text: str, name: str) -> None:
    assert name in names(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please ask Mr. Quonsby about the invoice.", "Quonsby"),  # a title
        ("Hi Vrelitha, the invoice is attached.", "Vrelitha"),  # a greeting
        ("Quonsby explained the delay to the client.", "Quonsby"),  # a person verb after
        ("Our producer Tirrowen Brannaugh joined in May.", "Tirrowen Brannaugh"),  # a role noun before
        ("Please follow up with Quonsby next week.", "Quonsby"),  # a verb done to a person
        ("I have copied Tirrowen on this thread.", "Tirrowen"),
        ("Vrelitha Quonsby, the logistics coordinator, said the truck is late.", "Vrelitha Quonsby"),
        ("Vrelitha Quonsby, the freight packager, said the truck is late.", "Vrelitha Quonsby"),
        ("Tirrowen from Northwind is the keynote speaker.", "Tirrowen"),  # a role as predicate
        ("Quonsby's laptop needs a new battery.", "Quonsby"),  # a personal possession
        ("Tirrowen and I reviewed the draft.", "Tirrowen"),
        ("Quonsby, can you send the file again?", "Quonsby"),  # addressed at the start
        ("Are you coming to the review, Vrelitha?", "Vrelitha"),  # addressed at the end
        ("The form lists Vrelitha T. Quonsby as the owner.", "Vrelitha T. Quonsby"),  # a middle initial
        ("Ship to: Vrelitha Quonsby\n12 Harbour Road\nPortsmouth", "Vrelitha Quonsby"),  # a labelled line
        ("What's the name on the account? User: Tirrowen Brannaugh", "Tirrowen Brannaugh"),
        ("It's under my partner's name Tirrowen Brannaugh.", "Tirrowen Brannaugh"),
        ("The film was directed by Tirrowen Brannaugh.", "Tirrowen Brannaugh"),
    ],
)
def test_context_finds_names_no_list_holds(text: str, name: str) -> None:
    assert name in names(text)


def test_a_name_found_once_is_found_again_by_its_surname() -> None:
    found = names("Vrelitha T. Quonsby joined in May; since then Quonsby has led the team.")
    assert found == ["Vrelitha T. Quonsby", "Quonsby"]


@needs_lexicon
def test_names_listed_after_a_plural_role_are_names() -> None:
    found = set(names("Northwind was started by our 3 founders: Tirrowen, Brannaugh and Maria."))
    assert {"Tirrowen", "Brannaugh", "Maria"} <= found


@pytest.mark.parametrize(
    "text",
    [
        "I moved to Estonia last year.",  # a country
        "The English version is ready for review.",  # a nationality
        "Cool, what's the plan for Monday?",  # an English word at the start of a sentence
        "Capitalized words like Wisdom and Discipline are not names.",
        "Please follow up with Procurement next week.",  # a department
        "Hey Folks, lunch is here.",
        "Status: Approved by Procurement",
        "Reminder: the report is due on Friday.",  # a field label, not a speaker
        "She moved to Can Capital last spring.",
        "Patient is a 38-year-old male with a history of headaches.",
        "12 Harbour Road\nLondon",  # the town line of an address
        "the server is down again.",
    ],
)
def test_words_that_look_like_names_are_not_names(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Contact Smith, Jones and Brown LLP about the lease.", []),  # a company form after the list
        ("Smith, Jones and Brown, Inc. sent the invoice.", []),
        ("Our auditors at Ernst & Young signed off.", []),  # a firm cue before it
        ("The firm Wachtell, Lipton, Rosen and Katz advised the board.", []),
        ("Our counsel at Baker, Hostetler and Smith replied on Monday.", []),
        ("I spoke with Anna Kowalski at Baker, Hostetler and Smith LLP today.", ["Anna Kowalski"]),
        ("Please ask Smith and Jones LLP for the file, and cc Maria Lopez.", ["Maria Lopez"]),
    ],
)
def test_surnames_that_name_a_firm_are_not_people(text: str, people: list[str]) -> None:
    assert names(text) == people


@needs_lexicon
def test_surnames_listed_without_a_firm_cue_are_still_people() -> None:
    assert {"Smith", "Jones"} <= set(names("Invite Smith, Jones and Brown to the meeting."))
    assert names("We partner with Vrelitha, Quonsby and Smith on the pilot.") != []


def test_a_job_title_line_in_a_signature_is_not_a_name() -> None:
    found = names("Best regards,\nTirrowen Brannaugh\nSenior Accountant")
    assert found == ["Tirrowen Brannaugh"]


@needs_lexicon
def test_names_in_lower_case_text_need_the_lexicon_or_a_cue() -> None:
    assert names("please forward this to maria kowalczyk by friday.") == ["maria kowalczyk"]
    assert names("my name is vrelitha quonsby.") == ["vrelitha quonsby"]
    assert names("we will meet the new supplier on monday.") == []


@needs_lexicon
def test_names_in_all_capitals_text_are_found() -> None:
    assert names("PLEASE CALL JOHN SMITH TOMORROW.") == ["JOHN SMITH"]
    assert names("MEETING WITH FINANCE ON MONDAY.") == []


def test_runs_starting_at_once_read_the_name_lists_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several resumes starting together in a fresh process used to each build the lists (0.7 s of CPU apiece)."""
    import threading
    import time

    from humangate.risk import _lexicon

    reads = 0
    real = _lexicon._from_faker

    def slow_faker() -> tuple[set[str], set[str], set[str]]:
        nonlocal reads
        reads += 1
        time.sleep(0.2)  # long enough for every thread to miss the cache without the lock
        return real()

    _lexicon._read_lexicon.cache_clear()
    monkeypatch.setattr(_lexicon, "_from_faker", slow_faker)
    try:
        found: list[object] = []
        threads = [threading.Thread(target=lambda: found.append(load_lexicon())) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert reads == 1 and len({id(x) for x in found}) == 1
    finally:
        _lexicon._read_lexicon.cache_clear()
