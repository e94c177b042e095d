"""Templated contrast sentences for training, written for this project (source "contrasts").

An n-gram model that only sees hate next to group names learns the group names and the
hateful words, not the claim: it flags "X are not vermin", a reader condemning a slur they
quote, and plain statements about a group. These templates give it minimal pairs: the same
hateful words asserted of a group (identity_hate 1), and negated, condemned, reported or absent
(clean of every violation). Threats get the same treatment: a person threatened (threat 1),
and the same violent words in reported crime, sport and idiom (clean). On dev rows
(bench/rules_dev.py; measured together with slurs as one token) the threat pairs raised
dont_threaten on Jigsaw train dev rows 0.926 -> 0.940 and lowered it on GHC dev calls for
violence 0.777 -> 0.757 (about 20 positives). Fourteen more clean templates (negation in
plain "are not" form, "it's a lie that", "don't call", signs, letters and speeches reported to
condemn them) and three more hateful ones raised be_nice on held-out contrast templates 0.803
-> 0.882 and cost the real dev sets 0.001-0.003 (GHC hd 0.846 -> 0.844, Latent Hatred
explicit 0.831 -> 0.828, implicit 0.762 -> 0.760; Jigsaw be_nice 0.937 both). They are
deliberately kept apart from the evaluation checklist (data/checklist/): other wording, other
target groups, other places, and no template from it.
No real comment is here, so nothing from these rows is ever evaluated.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from .base import Example, all_clean, with_toxic

GROUPS = ("Poles", "Irish people", "Italians", "Nigerians", "Filipinos", "Somalis", "Mormons",
          "Buddhists", "atheists", "Syrians", "Haitians", "bisexual people", "Roma people",
          "Pakistanis", "Koreans", "Vietnamese people", "Ukrainians", "Baptists", "Jamaicans",
          "Tamils", "Bangladeshis", "Quakers", "deaf people", "single mothers", "Eritreans",
          "Albanians", "Afghans", "Guatemalans", "Cubans", "Iranians")
SMEARS = ("vermin", "parasites", "savages", "filth", "a cancer on society", "scum",
          "rodents", "an inferior race", "less than human", "a disease", "born criminals",
          "beasts", "leeches", "a blight", "invaders", "trash")
HATEFUL = (
    "{G} are {x}.",
    "Honestly, {g} are nothing but {x}.",
    "Get rid of the {g}, they are {x}.",
    "Everyone knows {g} are {x}.",
    "{G} are {x} and always have been.",
    "Let's be real, {g} are {x}.",
    "{G} are {x}, plain and simple.",
    "I'm sick of {g}. They are {x}.",
    "Why do we keep letting {g} in? They're {x}.",
)
CLEAN = (
    # negated
    "{G} aren't {x}; they are people like anyone else.",
    "Claiming that {g} are {x} is ugly and false.",
    "Nobody here thinks {g} are {x}.",
    "It is shameful that anyone would say {g} are {x}.",
    "{G} are neither {x} nor a threat, whatever the pamphlet says.",
    # quoted or reported in order to condemn it
    "The flyer called {g} {x}, and the police are right to look into it.",
    "At dinner my uncle said {g} were {x}, and I told him he was wrong.",
    "Graffiti calling {g} {x} was scrubbed off the {place} by volunteers.",
    "A candidate who calls {g} {x} should be dropped by the party.",
    "The trial heard that the accused had called {g} {x} online before the attack.",
    # plain and positive statements
    "{G} in our area opened a new {venue} last month.",
    "I work with a lot of {g} and they are great colleagues.",
    "The report looks at how {g} fare in the job market.",
    "Best wishes to all the {g} celebrating this week.",
    "There are roughly 40,000 {g} living in the province.",
    "A group of {g} volunteered to rebuild the {place} after the flood.",
    # more negation and condemnation, in plain "are not" form too
    "{G} are not {x}. That idea belongs in the past.",
    "My neighbours are {g}, and they are not {x} in any way.",
    "Stop pretending {g} are {x}; it was never true.",
    "It's a lie that {g} are {x}.",
    "{G} were never {x}, no matter what the forum posts claim.",
    "Don't call {g} {x}. They deserve respect.",
    "No one has the right to call {g} {x}.",
    "The idea that {g} are {x} has been debunked many times.",
    "A sign reading '{g} are {x}' was taken down after complaints.",
    "The letter writer called {g} {x}; the editor should never have printed it.",
    "Posters describing {g} as {x} were found near the {place}, and police are investigating.",
    "He posted that {g} are {x} and lost his job over it, rightly.",
    "The speaker said {g} were {x} and half the audience walked out.",
    "Anyone who calls {g} {x} should be ashamed.",
)
# Threats against a person, and the same violent words where nobody is threatened (reported
# crime, sport, idiom). Other targets and wording than the checklist's threat cases.
TARGETS = ("the coach", "that landlord", "the referee", "the principal", "this blogger",
           "the councilman", "the senator", "my neighbour", "the sheriff", "that podcaster",
           "the school trustee", "the umpire", "the developer", "the alderman", "Kevin",
           "Linda", "Mrs. Okafor", "Mr. Brennan", "the inspector", "the union boss")
THREATENING = (
    "I'm going to stab {t} the moment I catch up with them.",
    "Somebody needs to put {t} in the ground.",
    "One more decision like this and {t} gets a brick through the window.",
    "I will make {t} bleed for this.",
    "Watch your back, {t}. We have your address.",
    "I'm coming for {t} with a baseball bat.",
    "{T} should be dragged into the street and beaten.",
    "Someone ought to run {t} over with a truck.",
    "I'd gladly choke {t} until they stop breathing.",
    "{T} won't make it to the weekend if I get my hands on them.",
    "Give me five minutes alone with {t} and a tire iron.",
    "We'll torch the car of {t} tonight, see how they like that.",
)
HARMLESS = (
    "{T} was stabbed during a robbery on Friday, police said.",
    "The man accused of threatening {t} appeared in court this morning.",
    "{T} absolutely killed it in the debate last night.",
    "My back is killing me after helping {t} move.",
    "{T} says the new bylaw will choke small businesses.",
    "Hunters shot three deer near the reservoir, according to {t}.",
    "{T} got beaten badly in the election, fair and square.",
    "The fire that destroyed the garage of {t} was ruled an accident.",
    "I could murder a coffee after listening to {t} for two hours.",
    "{T} will be dragged through the courts for years over this contract.",
    "Charges were laid against the driver who ran over {t}'s dog.",
    "{T} wants tougher sentences for people who attack nurses.",
)
PLACES = ("library", "bus shelter", "arena", "underpass", "rink", "town hall")
VENUES = ("bakery", "clinic", "soccer club", "choir", "bookshop", "restaurant")
PER_TEMPLATE = 30


def load_contrasts(data_dir: Path | None = None, seed: int = 7) -> list[Example]:
    """The templated pairs (no files are read; `data_dir` only keeps the loader signature)."""
    rng = random.Random(seed)
    examples: list[Example] = []
    for templates, hateful in ((HATEFUL, True), (CLEAN, False)):
        for template in templates:
            seen: set[str] = set()
            for _ in itertools.repeat(None, PER_TEMPLATE * 5):
                if len(seen) >= PER_TEMPLATE:
                    break
                g = rng.choice(GROUPS)
                text = template.format(g=g, G=g[0].upper() + g[1:], x=rng.choice(SMEARS),
                                       place=rng.choice(PLACES), venue=rng.choice(VENUES))
                if text in seen:
                    continue
                seen.add(text)
                labels = with_toxic({"identity_hate": 1}) if hateful else all_clean()
                examples.append(Example(text, labels, "contrasts", group=template))
    for templates, threat in ((THREATENING, True), (HARMLESS, False)):
        for template in templates:
            for t in rng.sample(TARGETS, PER_TEMPLATE // 2):
                text = template.format(t=t, T=t[0].upper() + t[1:])
                labels = with_toxic({"threat": 1}) if threat else all_clean()
                examples.append(Example(text, labels, "contrasts", group=template))
    return examples
