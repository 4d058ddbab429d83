"""Campaign detection: fingerprints, simhashes stored as signed 64-bit, and grouping."""

from __future__ import annotations

import random

from sqlmodel import select

from consultations.responses import campaign
from consultations.responses.campaign import (
    MAX_DISTANCE,
    MIN_WORDS,
    distance,
    find_groups,
    normalise,
    text_signature,
    to_signed,
    to_unsigned,
)
from consultations.responses.models import Response
from tests.consultations.factories import add_question, make_consultation, respond
from tests.factories import World, make_user
from workspace.runtime import Runtime

LETTER = (
    "I am writing to support a strong zero carbon homes standard. New homes built today will "
    "still be standing in 2080, and every home built to a weak standard will need expensive "
    "retrofit later. Please keep the fabric energy efficiency standard at 39 kWh per square "
    "metre per year, require on-site carbon compliance of at least seventy per cent, and make "
    "sure allowable solutions fund real additional carbon savings rather than paper offsets. "
    "Householders deserve warm homes with low bills, and the building industry needs a clear "
    "and stable target to plan and invest. A standard that is weakened now will cost every "
    "future owner money for decades, and will make the national carbon budgets harder to "
    "meet. Local councils need the same clarity when they grant permissions, and lenders "
    "need it when they value homes. Please publish the final definition on time."
)
OTHER = (
    "The proposed carbon compliance level is too demanding for small sites and will slow "
    "housing delivery. We ask the task group to phase the standard in, starting with larger "
    "developers, and to allow a wider range of allowable solutions including heat networks."
)


def test_normalise_collapses_case_punctuation_and_whitespace() -> None:
    assert (
        normalise("  Build BETTER homes!!\n\nNow -- please.  ") == "build better homes now please"
    )
    assert normalise("snake_case, and… “quotes”") == "snake case and quotes"


def test_fingerprint_ignores_case_punctuation_and_spacing_only() -> None:
    a = text_signature([LETTER])
    b = text_signature([LETTER.upper().replace(",", " ,  ").replace(".", "!")])
    c = text_signature([LETTER.replace("strong", "weak")])
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint != c.fingerprint
    assert len(a.fingerprint) == 64


def test_no_text_has_no_signature_and_short_text_no_simhash() -> None:
    assert text_signature(["", "   ", "!!"]) == campaign.NO_TEXT
    short = text_signature(["I agree with the tiers"])
    assert short.fingerprint
    assert short.simhash == 0
    assert len(["I", "agree", "with", "the", "tiers"]) < MIN_WORDS


def test_answers_are_kept_apart_in_the_fingerprint() -> None:
    """Moving text from one answer to the next is a different response."""
    assert (
        text_signature(["one two", "three"]).fingerprint
        != text_signature(["one", "two three"]).fingerprint
    )


def test_simhash_keeps_one_word_edits_near_and_other_texts_far() -> None:
    """Simhash on a letter-length text: many one-word edits stay within the threshold
    (the rate is documented in consultations/responses/campaign.py), unrelated text never does."""
    rng = random.Random(11)
    words = LETTER.split()
    base = text_signature([LETTER]).simhash
    near = []
    for _ in range(60):
        edited = words[:]
        edited[rng.randrange(len(words))] = rng.choice(["homes", "costly", "cosy", "banks"])
        near.append(distance(base, text_signature([" ".join(edited)]).simhash))
    assert sum(d <= MAX_DISTANCE for d in near) >= 0.4 * len(near)
    vocabulary = [w for w in normalise(LETTER + " " + OTHER).split() if len(w) > 3]
    for _ in range(60):
        unrelated = " ".join(rng.choice(vocabulary) for _ in range(len(words)))
        assert distance(base, text_signature([unrelated]).simhash) > 2 * MAX_DISTANCE
    assert distance(base, text_signature([OTHER]).simhash) > 2 * MAX_DISTANCE


def test_signed_storage_round_trips_every_64_bit_value() -> None:
    for value in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, 0xDEADBEEFCAFEBABE):
        signed = to_signed(value)
        assert -(1 << 63) <= signed < (1 << 63)
        assert to_unsigned(signed) == value
    assert distance(to_signed(1 << 63), 0) == 1


def test_extreme_simhashes_survive_the_bigint_column(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    people = [make_user(rt) for _ in range(2)]
    with rt.db.write() as unit:
        for person, value in zip(people, (-(1 << 63), (1 << 63) - 1), strict=True):
            unit.session.add(
                Response(
                    consultation_id=consultation.id or 0, user_id=person.id or 0, simhash=value
                )
            )
    with rt.db.read() as session:
        stored = sorted(session.exec(select(Response.simhash)).all())
    assert stored == [-(1 << 63), (1 << 63) - 1]


def test_find_groups_counts_identical_and_near_identical_largest_first() -> None:
    letter = to_signed(0x0123_4567_89AB_CDEF)
    edited = to_signed(0x0123_4567_89AB_CDEF ^ 0b1011 << 40)  # three bits apart
    too_far = to_signed(0x0123_4567_89AB_CDEF ^ 0b1111)  # four bits apart
    rows = [
        ("letter", letter, 5),
        ("edited", edited, 2),
        ("too-far", too_far, 1),  # alone: not a campaign
        ("short", 0, 3),  # identical short text: a group by fingerprint alone
        ("other-short", 0, 1),
    ]
    groups = find_groups(rows)
    assert [(g.number, g.count, g.identical) for g in groups] == [(1, 7, False), (2, 3, True)]
    assert groups[0].fingerprints == {"letter", "edited"}
    assert groups[1].fingerprints == {"short"}
    assert groups[0].label == "7 responses share near-identical text"
    assert groups[1].label == "3 responses share identical text"


def test_near_identity_chains_within_a_group() -> None:
    """A ~ B and B ~ C put A, B and C in one group even when A and C are further apart."""
    a = 1 << 50  # (0 means "too little text")
    b = a ^ 0b111
    c = b ^ (0b111 << 20)
    groups = find_groups([("a", to_signed(a), 1), ("b", to_signed(b), 1), ("c", to_signed(c), 1)])
    assert [g.fingerprints for g in groups] == [{"a", "b", "c"}]


def test_short_texts_are_never_grouped_as_near_identical() -> None:
    a, b = text_signature(["I agree with this"]), text_signature(["I agree with that"])
    assert find_groups([(a.fingerprint, a.simhash, 1), (b.fingerprint, b.simhash, 1)]) == []


def test_grouping_many_distinct_hashes_finds_only_the_planted_pair() -> None:
    rng = random.Random(4)
    rows = [(f"fp{i}", to_signed(rng.getrandbits(64)), 1) for i in range(20_000)]
    planted = rows[0][1] ^ 0b101  # two bits away from the first
    rows.append(("planted", to_signed(to_unsigned(planted)), 1))
    groups = find_groups(rows)
    assert [g.fingerprints for g in groups] == [{"fp0", "planted"}]


def test_saved_responses_carry_their_signature(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    why = add_question(rt, consultation, "Why?", "free_text")
    scale = add_question(rt, consultation, "Agree?", "scale")
    first = respond(rt, consultation, world.users["public"], {why.id: LETTER, scale.id: "Agree"})
    second = respond(
        rt, consultation, world.users["member"], {why.id: LETTER.lower(), scale.id: "Disagree"}
    )
    none = respond(rt, consultation, world.users["chair"], {scale.id: "Agree"})
    with rt.db.read() as session:
        found = {r.id: r for r in session.exec(select(Response)).all()}
    expected = text_signature([LETTER])
    assert found[first].fingerprint == found[second].fingerprint == expected.fingerprint
    assert found[first].simhash == expected.simhash != 0
    assert (found[none].fingerprint, found[none].simhash) == ("", 0)
