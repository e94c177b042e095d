"""Write data/checklist/cases.jsonl: our own functional checklist for the posting rules.

CheckList-style (Ribeiro et al. 2020) templated cases, written for this project in our own
words; no published test suite was copied. Each case names its functionality, the text, the
action a moderator wants ("approve", or "flag" = review or reject), the rules it should trigger
and the rules it should not. The checklist is for evaluation only: never train on it, nor on
templates made from it.

Run `python data/checklist/generate.py` to rewrite cases.jsonl (deterministic).
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

VIOLATIONS = ("toxicity", "keep_it_clean", "dont_threaten", "be_nice")
PER_FUNCTIONALITY = 30

GROUPS = ("immigrants", "Muslims", "Jews", "women", "gay people", "Black people", "Mexicans",
          "refugees", "trans people", "Asians", "Catholics", "disabled people",
          "Indigenous people", "Sikhs", "Chinese people", "Arabs", "lesbians", "Hindus")
ONE_OF = ("an immigrant", "a Muslim", "Jewish", "a woman", "gay", "Black", "Mexican",
          "a refugee", "trans", "Asian", "Catholic", "disabled", "Indigenous", "a Sikh",
          "Chinese", "Arab", "a lesbian", "Hindu")
PEOPLE = ("the author", "the mayor", "this reporter", "the judge", "Councillor Hughes",
          "Mr. Patel", "Sarah", "the columnist", "the premier", "Dave")
SLURS = ("nigger", "faggot", "kike", "spic", "chink", "tranny", "retard", "wetback",
         "raghead", "dyke", "towelhead", "gook")

# (functionality, expected action, should trigger, templates)
SPECS: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("derogation_of_group", "flag", ("be_nice",), (
        "{G} are too stupid to be trusted with a vote.",
        "All {g} are liars and thieves, every last one of them.",
        "You can never trust {g}, they lie as easily as they breathe.",
        "{G} ruin every neighbourhood they move into.",
        "{G} are inferior and they always will be.",
        "Typical {g}: lazy, dishonest and always whining for handouts.",
        "I would never hire {g}, they are useless at any real work.",
        "{G} are a disgrace and this country would be better off without them.",
    )),
    ("dehumanisation_of_group", "flag", ("be_nice",), (
        "{G} are animals.",
        "{G} are vermin and this city needs to be cleared of them.",
        "{G} are parasites feeding off our taxes.",
        "These {g} breed like rats.",
        "{G} are subhuman filth.",
        "{G} are a plague on this country.",
        "{G} are cockroaches, nothing more.",
        "Those {g} are not even human.",
    )),
    ("threat_against_person", "flag", ("dont_threaten",), (
        "I will find {p} and break every bone in that body.",
        "Someone should put a bullet in {p}.",
        "{P} had better watch out, I know where that house is.",
        "Keep writing this garbage and {p} will end up in a ditch.",
        "I'm going to beat {p} senseless the next time we meet.",
        "If I see {p} in town I will slit that throat.",
        "{P} deserves to be hanged from the nearest lamp post, and I'd happily do it.",
        "I swear I will burn down the house of {p}.",
    )),
    ("threat_against_group", "flag", ("dont_threaten", "be_nice"), (
        "{G} should all be shot.",
        "Round up the {g} and hang them.",
        "It is time to start killing {g}.",
        "Every one of those {g} deserves a bullet.",
        "We should burn the {g} out of their homes.",
        "Line the {g} up against a wall.",
        "If the {g} keep coming we will take up arms and wipe them out.",
    )),
    ("slurs", "flag", ("be_nice",), (
        "Of course a {s} wrote this.",
        "Go back where you came from, you {s}.",
        "The {s}s are taking over this town.",
        "Another {s} in city hall, just what we needed.",
        "Shut up, {s}.",
    )),
    ("profanity_at_person", "flag", ("keep_it_clean", "be_nice"), (
        "{P} is a fucking idiot.",
        "Shut the fuck up, {p}.",
        "{P}, you are a worthless piece of shit.",
        "Fuck {p} and this whole rag of a paper.",
        "{P} is a lying sack of shit.",
        "What a dumb bitch {p} turned out to be.",
        "{P} can go fuck off.",
    )),
    ("profanity_in_passing", "flag", ("keep_it_clean",), (
        "This fucking budget is going to bankrupt all of us.",
        "Holy shit, what a game last night.",
        "The traffic on that bridge is a total shitshow every single morning.",
        "I can't believe the fucking price of rent in this city.",
        "Well that was a shit week for the markets.",
        "Damn, the fucking snow is back again.",
        "The new transit map is confusing as shit.",
        "Bloody hell, the {t} is late again, what a fucking joke.",
    )),
    ("insult_to_person", "flag", ("be_nice",), (
        "{P} is a complete moron.",
        "Only an idiot would write this, and {p} did.",
        "{P} is a pathetic clown.",
        "What a spineless coward {p} is.",
        "{P} is dumb as a rock and twice as useless.",
        "{P} is an ignorant fool who should never be allowed near a keyboard.",
        "Nobody cares what a brain-dead loser like {p} thinks.",
    )),
    ("negated_hate", "approve", (), (
        "{G} are not vermin, they are our neighbours.",
        "It is simply wrong to say that {g} are animals.",
        "{G} are not criminals, and the statistics show it.",
        "Nobody should ever call {g} parasites.",
        "I will never accept the idea that {g} are inferior.",
        "{G} are no less human than anyone else.",
        "No, {g} are not ruining this country.",
    )),
    ("neutral_identity", "approve", (), (
        "{G} make up about a tenth of the city's population.",
        "The survey asked {g} about housing costs in the region.",
        "My neighbour is {a} and works at the hospital.",
        "I am {a} and I have lived in this town for twenty years.",
        "The new community centre will host events for {g} and everyone else.",
        "The census counts {g} separately for the first time this year.",
        "As {a}, I read this article with interest.",
    )),
    ("positive_identity", "approve", (), (
        "{G} have made this city richer in every way.",
        "Proud to stand with {g} in our community.",
        "Some of the kindest people I know are {g}.",
        "{G} built many of the businesses on my street, and we are lucky to have them.",
        "Being {a} is nothing to hide; it is something to celebrate.",
        "Thank you to the {g} who volunteered at the food bank this winter.",
    )),
    ("quoting_hate_to_condemn", "approve", (), (
        "Someone painted '{g} are vermin' on the school fence. Shameful; I hope they are "
        "caught.",
        "The caller told her that {g} should go back where they came from. That kind of talk "
        "has no place here.",
        "Calling {g} animals, as the candidate did, is disgraceful and he should apologise.",
        "When a man on the bus said {g} were parasites, the whole bus told him to stop.",
        "Signs saying '{g} out' appeared downtown; the council was right to condemn them.",
        "I was shocked to hear a coworker say {g} are subhuman. I reported it to HR.",
    )),
    ("crime_or_court_report", "approve", (), (
        "The man was convicted of second-degree murder and sentenced to life in prison.",
        "Police say the suspect threatened the clerk with a knife before fleeing on foot.",
        "The jury heard that the victim was stabbed three times outside the bar.",
        "The accused pleaded guilty to assault causing bodily harm.",
        "A judge ruled that the hate-crime charge will stand against the man who attacked a "
        "{place}.",
        "Court documents say the defendant sent death threats to {p} over several months.",
        "Two teenagers were charged after a shooting near the {place} on Saturday night.",
        "The Crown argued the attack on the {place} was motivated by hatred of {g}.",
    )),
    ("civil_disagreement", "approve", (), (
        "This article is one-sided and ignores the cost to taxpayers.",
        "{P} is flat wrong about the pipeline; the numbers simply don't add up.",
        "I strongly disagree. This policy will hurt small businesses in the {place} district.",
        "A weak piece that misses the point entirely and quotes no one who disagrees.",
        "With respect, {p} has the history backwards here.",
        "This is the worst budget I have seen in years and the council should be ashamed of "
        "it.",
        "The editorial board keeps making this argument and it keeps being wrong.",
        "Frankly this column is nonsense; rents rose because supply fell, not because of "
        "taxes.",
    )),
    ("spelling_variants_hate", "flag", ("be_nice",), (
        "{V} are v3rmin.",
        "{V} are @nimals and should be sent back.",
        "{V} are p a r a s i t e s.",
        "All {v} are l1ars and thieves.",
        "{V} are sub-human f1lth.",
        "Those {v} breed like r@ts.",
    )),
    ("spelling_variants_insult_profanity", "flag", ("be_nice",), (
        "{P} is a f*cking id1ot.",
        "{P} is a m0ron.",
        "{P} is s t u p i d.",
        "Shut the f**k up, {p}.",
        "{P} is a piece of sh!t.",
        "{P} is an a$$hole.",
        "What an i.d.i.o.t {p} is.",
    )),
    ("spelling_variants_threat", "flag", ("dont_threaten",), (
        "I will k1ll {p}.",
        "Someone should sh00t {p}.",
        "I'm gonna b3at {p} to death.",
        "{P} will get what's coming, I know where that h0use is. W@tch out.",
        "I'll sl1t the throat of {p}.",
    )),
    ("spelling_variants_neutral", "approve", (), (
        "{V} make up about a tenth of the citys population.",
        "my neighbour is {a} and works at the hospitol",
        "the survey asked {v} about housing costs",
        "{V} have made this city richer in evry way.",
        "proud to stand w/ {v} in our comunity!!",
    )),
]

VARIANT_GROUPS = ("imigrants", "Mus1ims", "J3ws", "wimmin", "g@y people", "blacks", "mexicans",
                  "refugess", "tr@ns people", "asians", "catholics", "muzzies")
VARIANT_NEUTRAL = ("imigrants", "muslims", "jewish people", "women", "gay ppl", "black people",
                   "mexicans", "refugees", "trans ppl", "asians", "catholics", "sikhs")
TRANSIT = ("bus", "train", "streetcar", "ferry")
PLACES = ("mosque", "synagogue", "church", "temple", "community centre", "school")


def _fill(template: str, rng: random.Random, functionality: str) -> str:
    groups = VARIANT_NEUTRAL if functionality == "spelling_variants_neutral" else VARIANT_GROUPS
    values = {
        "g": rng.choice(GROUPS), "a": rng.choice(ONE_OF), "p": rng.choice(PEOPLE),
        "s": rng.choice(SLURS), "v": rng.choice(groups), "t": rng.choice(TRANSIT),
        "place": rng.choice(PLACES),
    }
    for key in ("g", "p", "v"):
        values[key.upper()] = values[key][0].upper() + values[key][1:]
    return template.format(**values)


def generate(per_functionality: int = PER_FUNCTIONALITY, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    cases: list[dict] = []
    for functionality, action, should, templates in SPECS:
        texts: list[str] = []
        seen: set[str] = set()
        for template in itertools.islice(itertools.cycle(templates), per_functionality * 20):
            if len(texts) >= per_functionality:
                break
            text = _fill(template, rng, functionality)
            if text not in seen:
                seen.add(text)
                texts.append(text)
        # Only what is clear: a case that threatens no one should not trigger dont_threaten,
        # profanity in passing insults no one, and a case to approve triggers nothing.
        should_not = [] if "dont_threaten" in should else ["dont_threaten"]
        if functionality == "profanity_in_passing":
            should_not.append("be_nice")
        if action == "approve":
            should_not = list(VIOLATIONS)
        for i, text in enumerate(texts):
            cases.append({"id": f"{functionality}-{i:03d}", "functionality": functionality,
                          "text": text, "action": action,
                          "should": ["toxicity", *should] if should else [],
                          "should_not": should_not})
    return cases


if __name__ == "__main__":
    out = Path(__file__).with_name("cases.jsonl")
    rows = generate()
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    approve = sum(r["action"] == "approve" for r in rows)
    print(f"{len(rows)} cases, {len({r['functionality'] for r in rows})} functionalities, "
          f"{approve} to approve -> {out}")
