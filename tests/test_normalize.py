import pytest

from moderation.normalize import fold_unicode, normalize, tokenize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("You f*ck1ng idi0t!!!", "you fucking idiot !!!"),
        ("sh1t happens", "shit happens"),
        ("what a b1tch", "what a bitch"),
        ("sh!t", "shit"),
        ("a**hole", "asshole"),
        ("s t u p i d people", "stupid people"),
        ("i.d.i.o.t", "idiot"),
        ("stuuuuupid", "stupid"),  # a known word: runs cut to one letter
        ("sooooo", "soo"),  # not one: runs cut to two
        ("Ｆｕｃｋ you", "fuck you"),  # fullwidth
        ("уоu аrе аn idiot", "you are an idiot"),  # Cyrillic look-alikes
        ("Café naïve", "cafe naive"),
        ("see http://example.com/x and @someone", "see url and user"),
        ("Tom &amp; Jerry", "tom jerry"),
    ],
)
def test_obfuscations_are_undone(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["I was born in 1985, the 3rd of 4 kids", "I have 2 kids and 10k in savings", "a b"],
)
def test_ordinary_numbers_and_short_words_survive(raw):
    out = normalize(raw)
    for token in ("1985", "3rd", "2", "10k", "a"):
        if token in raw.lower().split() or f" {token} " in f" {raw.lower()} ":
            assert token in out.split()


def test_masking_is_rebuilt_only_when_one_word_fits():
    # "f**" could be several words: leave it alone rather than guess
    assert "fuck" not in normalize("f** that")


def test_tokens_are_single_space_joined_and_cached_consistently():
    text = "Hello,   World!!  hello\tworld"
    first, second = normalize(text), normalize(text)
    assert first == second == "hello world !! hello world"
    assert tokenize(text) == first.split()


def test_fold_unicode_leaves_ascii_alone():
    assert fold_unicode("plain ascii") == "plain ascii"


def test_tokenize_is_its_chunks_normalised_then_spaced_letters_joined():
    from moderation.normalize import normalize_chunk

    for text in ["You f*ck1ng idi0t!!!", "I am a b c d person", "a x b", "s t u p i d people",
                 "x y z and a. b. c.", "Tom &amp; Jerry", "I, a, b"]:
        chunks = [token for chunk in text.lower().split() for token in normalize_chunk(chunk)]
        singles = sum(len(normalize_chunk(c)) == 1 and len(normalize_chunk(c)[0]) == 1
                      for c in text.lower().split())
        if singles < 3:
            assert tokenize(text) == chunks
        else:
            assert "".join(tokenize(text)) == "".join(chunks)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("f\u200buck y\u00adou", "fuck you"),  # zero-width space, soft hyphen
        ("\ufeffid\u2060iot i\u200cd\u200di\u200bot", "idiot idiot"),  # BOM, joiners
        ("$hit happens", "shit happens"),
        ("$100 and 3rd", "100 and 3rd"),
    ],
)
def test_invisible_characters_and_leading_leet(raw, expected):
    assert normalize(raw) == expected


def test_a_one_letter_mask_is_never_rebuilt_into_a_slur():
    assert normalize("f** that") == "f that"
    assert normalize("f*** that") == "fuck that"  # four letters: only one word fits


# Real evasion spellings (issue 12) and what they must read as.
EVASIONS = [
    ("f u c k off", "fuck off"),
    ("you are a s t u p i d i d i o t", "you are a stupid idiot"),  # spaced words kept apart
    ("id1ot", "idiot"),
    ("id!0t", "idiot"),
    ("1d10t", "idiot"),
    ("sh!t", "shit"),
    ("st'upid", "stupid"),
    ("idi-ot", "idiot"),
    ("f'u'c'k", "fuck"),
    ("id*iot", "idiot"),
    ("stuuuupid", "stupid"),
    ("assssshole", "asshole"),
    ("fuuuuck", "fuck"),
    ("youareanidiot", "you are an idiot"),
    ("fuckoff", "fuck off"),
    ("ѕτupіd", "stupid"),  # Cyrillic dze and i, Greek tau
    ("𝐢𝐝𝐢𝐨𝐭 ｉｄｉｏｔ", "idiot idiot"),  # mathematical bold, fullwidth
    ("һеӏӏ", "hell"),  # Cyrillic shha, ie, palochka
    ("id\u2060i\u200bo\u00adt", "idiot"),
    ("StUpId IDIOT", "stupid idiot"),
    ("f*** that", "fuck that"),
    ("a**hole", "asshole"),
    ("l*s*r", "loser"),  # no swear fits: the one insult that does
    ("p*th*t*c", "pathetic"),
    ("f**l", "fool"),
    ("whatanidiotyouare", "what an idiot you are"),  # any English words around the insult
    ("thisarticleisstupidandbiased", "this article is stupid and biased"),
    ("littleshit", "little shit"),
    ("amoron", "a moron"),  # not `amor on`
    ("thefucku", "the fuck u"),
    ("ihatejews", "i hate identityterm"),  # group names are read out of runs too
    ("filthymuslims", "filthy identityterm"),
    ("editor!mrpenguin20", "editor ! mrpenguin20"),  # `!` between words is not leet
    ("noob!!!!!!!!one!11", "noob !!!!!!!! one ! 11"),
]
# Real words and names that must come out as they went in (lower-cased), Scunthorpe-style.
SURVIVORS = [
    "class", "assess", "dick cheney", "cocktail", "therapist", "scunthorpe", "assassin",
    "penistone", "shitake", "cumulative", "hello", "shell", "skilled", "classic", "passage",
    "he'll", "we're", "i'd", "sleep", "cool", "good", "someone", "without", "butterfly",
    "great !! thanks", "version 2", "covid 19", "3rd", "mp3", "b2b", "soo", "apathetic",
    "overkill", "scummy", "riprick", "hancock", "hiscock", "laycock", "glasscock",
    "matsushita", "shuttlecock", "cocktails", "pussycat", "bassist", "titsworth", "cockburn",
    "grapevine", "shellfish", "cumbersome", "arsenal", "jewison", "asiana", "gaylord",
    "jewelry", "spicy", "raccoon", "pakistan",
    "noob !!!!!!!! one ! 11",
]


@pytest.mark.parametrize(("raw", "expected"), EVASIONS)
def test_real_evasion_spellings_are_read(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("word", SURVIVORS)
def test_real_words_survive_untouched(word):
    assert normalize(word) == word


@pytest.mark.parametrize("masked", ["f** that", "f*g", "f****t", "n****r", "n***a", "r*****d",
                                    "g*y", "j*w", "m*sl*m", "bl*ck", "qu**r", "tr*nny"])
def test_a_mask_is_never_resolved_into_a_slur_or_an_identity_term(masked):
    from moderation.normalize import NEVER_UNMASKED

    assert not set(normalize(masked).split()) & NEVER_UNMASKED


def test_an_ambiguous_mask_stays_a_mask():
    assert normalize("s**t") == "s t"  # shit or slut: not guessed


def test_no_identity_term_of_the_bias_weighting_can_be_a_mask_reading():
    from moderation.corpus import IDENTITY_TERMS
    from moderation.normalize import _UNMASK_TIERS

    readings = {w for tier in _UNMASK_TIERS for words in tier.values() for w in words}
    assert readings and not readings & set(IDENTITY_TERMS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I am a gay man", "i am a identityterm man"),
        ("Jews, Muslims and Sikhs", "identityterm identityterm and identityterm"),
        ("the f@ggots and k1kes", "the slurterm and slurterm"),
        ("g a y", "identityterm"),  # spaced letters are joined first
        # words with everyday senses stay themselves
        ("black coffee, white house, straight answer", "black coffee white house straight answer"),
        ("a slippery slope", "a slippery slope"),
    ],
)
def test_group_names_and_slurs_read_as_one_token(raw, expected):
    assert normalize(raw) == expected


def test_surface_words_give_the_stand_ins_back_as_written():
    from moderation.normalize import GROUP_TOKEN, SLUR_TOKEN, surface_words
    text = "Those (Muslims) and the f@ggots, muslims again"
    assert surface_words(text, GROUP_TOKEN) == ["Muslims", "muslims"]
    assert surface_words(text, SLUR_TOKEN) == ["f@ggots"]
    assert surface_words(text, "absent") == []
