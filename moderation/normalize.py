"""Text normalisation: pure str -> str, shared by training, the reference model and the fast path.

Obfuscation should not hide words from the model, so before vectorising we
- fold Unicode look-alikes (NFKC, then Cyrillic/Greek homoglyphs and accents) to ASCII letters
  and drop invisible format characters (zero-width space and joiners, soft hyphen, BOM),
- lower-case and unescape HTML entities, mask URLs and @handles,
- rebuild masked profanity (`f*ck`, `sh!t`, `a**hole`) from a short list of the words it hides,
  only when exactly one fits the mask's length and visible letters (swears first, then
  insults: `l*s*r`), and never into a slur or an identity term (NEVER_UNMASKED): an ambiguous
  mask (`s**t`) stays unresolved,
- read leetspeak inside words that mix letters and digits (`sh1t`, `b1tch`, `idi0t`, `id!0t`),
- read words broken by inner punctuation (`st'upid`, `idi-ot`) when they spell a KNOWN_BAD word,
- join spaced-out letters (`s t u p i d`, `i.d.i.o.t`), split into known words when they spell
  several (`a s t u p i d i d i o t` -> `a stupid idiot`),
- split run-together words (`youareanidiot`, `thisarticleisstupid`) into the most probable
  words of an English word list (moderation.lexicon) when one is a bad word, a slur or a
  group's name of 4+ letters (a dynamic programme with bounded word length over chunks of at
  most MAX_REWRITE_CHUNK characters; words of the list, `cocktail`, `therapist`, and names,
  `hancock`, `matsushita`, stay whole). On the rewrites of moderation.perturb over toxic Jigsaw
  train dev rows (bench/normalize_dev.py), target words read back: with spaces removed 0.175
  -> 0.319, masked 0.333 -> 0.361 (with the insults tier above),
- cut letter runs to one letter when that spells a KNOWN_BAD word (`stuuupid`, `fuuuck`), else
  to two (`sooo` -> `soo`),
- tokenise into words, numbers and `!`/`?` runs, each cut to MAX_TOKEN characters,
- read every name of a group of people (GROUP_TERMS) as one token, GROUP_TOKEN, and every slur
  (SLURS) as SLUR_TOKEN. On dev rows (bench/rules_dev.py; a fifth of GHC train, a tenth of
  Latent Hatred and of Jigsaw train, bias probe = the intersectional bias_madlibs file),
  group names as one token: toxicity worst-term BPSN 0.641 -> 0.825, be_nice 0.399 -> 0.563,
  Latent Hatred explicit 0.823 -> 0.831, GHC hd 0.845 -> 0.844, Jigsaw be_nice 0.934 -> 0.937.
  Reasons shown to people give the words as written (`surface_words`). A model records
  which stand-ins it was trained with (`stand_ins`) and is refused if this version differs.

Every comment may be written by an attacker, so all of this runs in time linear in the text's
length: the rewrites are single left-to-right scans over runs of one character class (no
backtracking regular expressions), and only chunks of up to MAX_REWRITE_CHUNK characters are
rewritten at all (tests/test_linear_time.py holds the 64 KiB / 8 KiB time ratio under 32;
linear is 8, quadratic 64).

This module is the only place where text becomes tokens: `tokenize` (and, per chunk,
`normalize_chunk` with the spaced-letter rule `SPACED_LETTERS_MIN`, `is_spaced_letter`,
`is_single_character`) for the fast scorer (moderation.fast), `normalize` (the tokens joined by
single spaces) and `split_normalized` for the reference vectorisers (moderation.features), so
that both see the same words.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

from . import lexicon

# Letters that look like Latin ones; NFKC leaves these alone.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j",
        "ԁ": "d", "ɡ": "g", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ß": "ss", "ø": "o",
        "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "’": "'", "‘": "'", "´": "'", "`": "'",
        # more of Unicode's confusables for Latin letters (Cyrillic, Greek, IPA, Armenian)
        "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ѡ": "w", "ϲ": "c", "ς": "c", "ϳ": "j", "ɑ": "a",
        "ɩ": "i", "ʏ": "y", "ս": "u", "օ": "o", "ց": "g", "ӧ": "o", "ӓ": "a",
        "ї": "i", "ԃ": "d", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ʟ": "l", "ɴ": "n", "ʀ": "r",
    }
)

# Names of groups of people, read as one token: the training data mentions "gay" or "muslim"
# mostly in hateful rows, so a model that sees the names learns them as toxic by themselves
# and flags "I am a gay man". It still sees that some group is named, and every other word.
# Slurs are not here; neither are words with everyday other senses (black, white, straight).
MAP_GROUP_TERMS = True
GROUP_TOKEN = "identityterm"
GROUP_TERMS = frozenset(
    f"{stem}{suffix}" for stem in (
        "gay", "lesbian", "queer", "homosexual", "bisexual", "transgender", "heterosexual",
        "nonbinary", "jew", "muslim", "christian", "catholic", "buddhist", "sikh", "hindu",
        "atheist", "asian", "hispanic", "latino", "latina", "mexican", "arab", "african",
        "immigrant", "feminist", "mormon", "protestant", "lgbt", "lgbtq",
    ) for suffix in ("", "s")
) | {"jewish", "islam", "islamic", "chinese", "japanese", "taoist", "judaism"}

# Slurs for groups of people, read as one token, so that a rare slur weighs what the common
# ones taught the model (most appear a handful of times in training, some never).
MAP_SLURS = True
SLUR_TOKEN = "slurterm"
SLURS = frozenset(
    f"{stem}{suffix}" for stem in (
        "nigger", "nigga", "faggot", "fag", "kike", "spic", "chink", "gook", "wetback",
        "paki", "tranny", "dyke", "towelhead", "raghead", "beaner", "coon", "jap", "sandnigger",
        "zipperhead", "muzzie", "shitskin", "gyppo", "wog", "dago", "polack",
        "heeb", "hymie", "mudslime", "darkie", "halfbreed", "abo", "squaw",
    ) for suffix in ("", "s")
) | {"trannies", "trannys", "fagz", "niggaz", "homos"}

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "@": "a", "$": "s", "!": "i", "|": "l", "+": "t"})

# Words people mask or spell out; a masked token is rebuilt only when exactly one fits.
PROFANITY = (
    "fuck", "fucking", "fucked", "fucker", "fuckers", "motherfucker", "shit", "shitty",
    "bullshit", "bitch", "bitches", "cunt", "cunts", "dick", "dicks", "dickhead", "cock",
    "pussy", "asshole", "assholes", "ass", "bastard", "bastards", "damn", "crap", "slut",
    "sluts", "whore", "whores", "fag", "faggot", "faggots", "nigger", "niggers", "nigga",
    "retard", "retarded", "idiot", "idiots", "stupid", "moron", "morons", "twat", "wanker",
    "piss", "pissed", "tits", "rape", "kill", "hell", "suck", "sucks", "dumb", "dumbass",
)
_PROFANITY_SET = frozenset(PROFANITY)
# A mask hides profanity far more often than a slur, and a wrong guess would put a slur or an
# identity term in the comment: these are never what a mask is resolved to.
NEVER_UNMASKED = frozenset((
    "fag", "fags", "faggot", "faggots", "nigger", "niggers", "nigga", "niggas", "retard",
    "retarded", "retards", "tranny", "dyke", "spic", "kike", "chink", "gook", "wetback", "paki",
    "gay", "gays", "lesbian", "jew", "jews", "jewish", "muslim", "muslims", "islam", "black",
    "white", "asian", "arab", "arabs", "trans", "queer", "homo", "mexican", "indian", "christian",
))
# Insults beside the profanity: the words an obfuscated spelling is read back to when only a
# known word fits (inner punctuation, letter runs, run-together words).
INSULTS = (
    "loser", "losers", "pathetic", "scum", "jerk", "jerks", "ugly", "disgusting", "worthless",
    "imbecile", "coward", "cowards", "liar", "liars", "hypocrite", "ignorant", "fool", "fools",
    "clown", "trash", "garbage", "douche", "douchebag", "prick", "cocksucker", "penis",
    "idiotic", "moronic", "stupidity", "sucker", "fucks", "fuckin", "shits", "asses", "dicks",
)
KNOWN_BAD = frozenset(PROFANITY) | frozenset(INSULTS)
# What a mask is read as: a swear when exactly one fits (`f***` is `fuck`, not `fool`), else an
# insult when exactly one fits (`l*s*r`, `p*th*t*c`, `f**l`).
_UNMASK_TIERS: tuple[dict[int, tuple[str, ...]], ...] = ({}, {})
for _tier, _words in zip(_UNMASK_TIERS, (_PROFANITY_SET, frozenset(INSULTS) - _PROFANITY_SET),
                         strict=True):
    for _word in sorted(_words - NEVER_UNMASKED):
        _tier[len(_word)] = (*_tier.get(len(_word), ()), _word)
# Short common words, for splitting run-together letters (`youareanidiot`) into known words.
COMMON_WORDS = frozenset("""
a i am an and are as at be been but by can do does did for from get go got had has have he her
him his how if in into is it its just like me my no not now of off on one or our out over she
so than that the their them then there they this to too up us was we were what when who why
will with would you your yourself yours all any back big dont know more much only own people
really right see should some still such think time very way well go get shut up eat hope die
kill hate man men little piece lol wtf stfu gtfo omg ur ya yo hey oh ok
""".split()) | KNOWN_BAD
_MAX_WORD = max(len(w) for w in COMMON_WORDS)
_ONE_EACH = dict.fromkeys(COMMON_WORDS, 1.0)  # the fewest COMMON_WORDS (`_split_known`)
_RUN_TOGETHER_EXTRA = COMMON_WORDS | {"u"}  # `fucku`; not for spaced letters: `u s a` is usa
_RUN_TOGETHER_WANTED = KNOWN_BAD | SLURS | GROUP_TERMS  # preferred in a split (see `_wanted`)
_OBJECTS = frozenset(("off", "you", "yourself", "up", "u", "ya", "them", "him", "her"))
# Words that run into the insult after them (`anidiot`, `littleshit`, `whitetrash`); not `his`
# or `lay`, which would read the surnames Hiscock and Laycock as two words.
_LEADS = frozenset(("a", "an", "the", "you", "your", "youre", "ur", "u", "ya", "my", "such",
                    "so", "what", "this", "that", "total", "complete", "big", "little", "no",
                    "go", "old", "dirty", "lazy", "lying", "real", "white", "sick", "filthy"))

# Longer chunks are not one obfuscated word: they get tokens only, never the rewrites below.
MAX_REWRITE_CHUNK = 64
# Tokens are cut to this many characters (no word is longer; it bounds the work per token).
MAX_TOKEN = 64
_MASK_CHARS = frozenset("*#%!")
_MASKABLE = frozenset("abcdefghijklmnopqrstuvwxyz*#@$!%")
_LEET_CHARS = frozenset("0123456789@$|+!")
_LEETABLE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789@$|+!")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_SEPARATORS = frozenset(".-_*")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm|k|m|ish|yr|yrs|mm|cm|km|kg|lb|lbs|g|x)\Z")
_RUNS = re.compile(r"([a-z])\1{2,}")
# Words (with inner apostrophes), numbers, and runs of ! or ? (shouting is a signal).
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[!?]+")


def fold_unicode(text: str) -> str:
    """Map look-alike and accented letters to plain ASCII where one exists."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).translate(_HOMOGLYPHS)
    decomposed = unicodedata.normalize("NFKD", text).translate(_dropped_marks())
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed
                   if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")


@functools.cache
def _dropped_marks() -> dict[int, None]:
    """Combining accents and invisible format characters (zero-width space and joiners, word
    joiner, soft hyphen, BOM, bidi controls) of the Basic Multilingual Plane, as a translate
    table: `f\u200buck` is `fuck`, `café` is `cafe`. Others are dropped one by one above."""
    return {cp: None for cp in range(0x10000)
            if unicodedata.combining(chr(cp)) or unicodedata.category(chr(cp)) == "Cf"}


# The rewrites below scan a chunk once, left to right, over maximal runs of one character
# class: no regular expression with nested or overlapping quantifiers touches user text, so the
# work is linear in its length whatever an attacker types (issue 9).

def _runs(word: str, members: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of characters in `members`."""
    spans: list[tuple[int, int]] = []
    start = -1
    for i, ch in enumerate(word):
        if ch in members:
            if start < 0:
                start = i
        elif start >= 0:
            spans.append((start, i))
            start = -1
    if start >= 0:
        spans.append((start, len(word)))
    return spans


def _replace_runs(word: str, members: frozenset[str], rewrite) -> str:
    spans = _runs(word, members)
    if not spans:
        return word
    out: list[str] = []
    done = 0
    for start, end in spans:
        out.append(word[done:start])
        out.append(rewrite(word[start:end], word[start - 1] if start else ""))
        done = end
    out.append(word[done:])
    return "".join(out)


def _unmask(run: str, before: str) -> str:
    """A masked word (`f*ck`, `sh!t`, `a**hole`, `l*s*r`) rebuilt when exactly one listed word
    fits its length and visible letters, swears before insults (_UNMASK_TIERS); slurs and
    identity terms (NEVER_UNMASKED) are never candidates.

    It must start with a letter, follow no letter, digit or `_`, and hide letters behind one of
    `* # % !`. With a single letter shown (`f**`) several words could be meant, and guessing
    wrong can turn a masked swear into a slur: such a token is rebuilt only from 4 letters up."""
    if before.isalnum() or before == "_" or run[0] not in _LETTERS:
        return run
    token = run.rstrip("!")
    tail = run[len(token):]
    if not any(ch in _MASK_CHARS for ch in token[1:]):
        return run
    shown = sum(ch in _LETTERS for ch in token)
    if shown < 2 and len(token) < 4:
        return run
    for tier in _UNMASK_TIERS:
        fits = [w for w in tier.get(len(token), ())
                if all(a == b or a not in _LETTERS for a, b in zip(token, w, strict=True))]
        if fits:
            return (fits[0] + tail) if len(fits) == 1 else run
    return run


def _unleet(run: str, before: str) -> str:
    """Leetspeak read inside a word that mixes letters and digits (`sh1t`, `b1tch`): a run of
    3+ letters/digits/`@$|+` with such a character before one of its letters; plain numbers and
    ordinals (`3rd`, `10k`) are left alone."""
    if before == "_" or before.isalnum():
        return run
    read = run.translate(_LEET)
    if read in KNOWN_BAD and not run.isdigit():  # `$hit`, `!d!0t`; not `$millions`, not `455`
        return read
    lead = len(run) - len(run.lstrip("@$|+!"))  # a word starts at a letter or digit
    if lead:
        return run[:lead] + _unleet(run[lead:], "") if lead < len(run) else run
    trail = len(run) - len(run.rstrip("!"))  # `idiot!!` is shouting, `id!0t` is leet
    if trail:
        return _unleet(run[:-trail], before) + run[-trail:]
    if "!" in run:  # `id!ot`, `id!0t` are read; `great!thanks`, `noob!!one!11` are not
        read = run.translate(_LEET)
        if read in KNOWN_BAD:
            return read
        return "!".join(_unleet(part, "") if part else part for part in run.split("!"))
    if len(run) < 3:
        return run
    seen_leet = False
    for ch in run:
        if ch in _LEET_CHARS:
            seen_leet = True
        elif seen_leet:  # a letter after a leet character
            break
    else:  # leet only at the end (`id10t`): read only when that spells a known word
        read = run.translate(_LEET)
        return read if seen_leet and read in KNOWN_BAD else run
    if _ORDINAL.match(run):  # 3rd, 10k
        return run
    return run.translate(_LEET)


def _join_separated_letters(word: str) -> str:
    """`i.d.i.o.t` / `s-t-u-p-i-d` -> `idiot` / `stupid`: three or more single letters, each
    next to no other letter, joined by `. - _ *`."""
    if not any(ch in _SEPARATORS for ch in word):
        return word
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        if word[i] in _LETTERS and (i == 0 or word[i - 1] not in _LETTERS):
            j = i
            letters = [word[i]]
            while j + 2 < n and word[j + 1] in _SEPARATORS and word[j + 2] in _LETTERS:
                j += 2
                letters.append(word[j])
            if j + 1 < n and word[j + 1] in _LETTERS and len(letters) > 1:
                j -= 2  # the last letter starts a longer word: it is not one of the run
                letters.pop()
            if len(letters) >= 3:
                out.append("".join(letters))
                i = j + 1
                continue
        out.append(word[i])
        i += 1
    return "".join(out)


_INNER = frozenset("abcdefghijklmnopqrstuvwxyz.-_*',")
_INNER_MARKS = frozenset(".-_*',")
_CONTRACTIONS = ("'s", "'t", "'d", "'ll", "'re", "'ve", "'m")


def _strip_inner(run: str, before: str) -> str:
    """`st'upid`, `idi-ot`, `f'u'c'k`, `id*iot` -> the known word their letters spell
    (KNOWN_BAD only, so `he'll` and `we're` stay as they are)."""
    start, end = 0, len(run)
    while start < end and run[start] in _INNER_MARKS:
        start += 1
    while end > start and run[end - 1] in _INNER_MARKS:
        end -= 1
    core = run[start:end]
    if not any(ch in _INNER_MARKS for ch in core) or core.endswith(_CONTRACTIONS):
        return run
    letters = "".join(ch for ch in core if ch not in _INNER_MARKS)
    if letters not in KNOWN_BAD or (letters in NEVER_UNMASKED and "*" in core):
        return run  # `retar**d` may hide letters (`retarded`): never read as a slur
    return run[:start] + letters + run[end:]


def _split_known(letters: str) -> list[str] | None:
    """`youareanidiot` -> ["you", "are", "an", "idiot"]: the fewest COMMON_WORDS that spell
    `letters` exactly, or None (linear in the length; callers pass at most MAX_REWRITE_CHUNK)."""
    return lexicon.cheapest_split(letters, _ONE_EACH, _MAX_WORD)


def _collapse(run: str, keep: tuple[int, ...]) -> str:
    """`run` with its k-th run of 3+ same letters cut to keep[k] letters."""
    out: list[str] = []
    k = 0
    for start, end in _same_letter_runs(run):
        if end - start >= 3:
            out.append(run[start] * keep[k])
            k += 1
        else:
            out.append(run[start:end])
    return "".join(out)


def _same_letter_runs(run: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(run) + 1):
        if i == len(run) or run[i] != run[start]:
            spans.append((start, i))
            start = i
    return spans


def _read_letters(run: str, before: str) -> str:
    """A run of letters read as known words when it is one in disguise:
    - letters repeated 3+ times (`stuuupid`, `fuuuck`, `asssshole`): cut each such run to one
      or two letters, whichever spells a KNOWN_BAD word (otherwise they are cut to two later);
    - words run together (`youareanidiot`, `fuckoff`): split into the most probable words of
      the English lexicon (moderation.lexicon, plus COMMON_WORDS) when all of them are common
      words, one is a bad word, a slur or a group's name of 4+ letters (`_wanted`), and either
      three or more words or two as in `stupididiot`, `fuckoff`, `anidiot` or `filthyjews`; a
      word of the lexicon is never split (`cocktail`, `therapist`, `assassin`, `apathetic`,
      `overkill`)."""
    if len(run) < 4:
        return run
    long_runs = sum(end - start >= 3 for start, end in _same_letter_runs(run))
    if long_runs:
        options = [(1,) * long_runs, (2,) * long_runs]
        if long_runs <= 3:
            options = [tuple((mask >> k & 1) + 1 for k in range(long_runs))
                       for mask in range(2 ** long_runs)]
        for keep in options:
            read = _collapse(run, keep)
            if read in KNOWN_BAD:
                return read
        return run
    if len(run) < 5 or run in COMMON_WORDS or lexicon.is_word(run):
        return run
    parts = lexicon.split_words(run, _RUN_TOGETHER_EXTRA, _RUN_TOGETHER_WANTED)
    if not parts or len(parts) < 2 or not any(_wanted(p) for p in parts):
        return run
    if not all(p in _RUN_TOGETHER_EXTRA or lexicon.is_common(p) for p in parts):
        return run  # `matsushita` is a name, not `matsu shit a`
    if len(parts[-1]) == 1 and parts[-1] not in _OBJECTS:
        return run  # `asiana` is an airline, not `asian a`; `fucku` is `fuck u`
    # two words only when both are bad (`stupididiot`), a swear is followed by an object
    # (`fuckoff`), an insult by its article or pronoun (`anidiot`, `yourpathetic`), or one is
    # a group's name or a slur (`filthyjews`); `hancock` and `penistone` are names, not
    # `han cock`, `penis tone`
    if len(parts) == 2 and not (parts[1] in _OBJECTS or parts[0] in _LEADS
                                or all(p in KNOWN_BAD for p in parts)
                                or any(p in SLURS or p in GROUP_TERMS for p in parts)):
        return run
    return " ".join(parts)


def _wanted(part: str) -> bool:
    """A word worth splitting a run of letters for: a bad word, a slur or the name of a group
    (`ihatejews`), of 4+ letters (`ass`, `jew` hide in too many words: `jewison`)."""
    return len(part) >= 4 and part in _RUN_TOGETHER_WANTED


def _rewrite(word: str) -> str:
    """Masks, leet, separated letters, inner marks, then runs of letters read as words."""
    word = _replace_runs(word, _MASKABLE, _unmask)
    word = _replace_runs(word, _LEETABLE, _unleet)
    word = _join_separated_letters(word)
    word = _replace_runs(word, _INNER, _strip_inner)
    return _replace_runs(word, _LETTERS, _read_letters)


def _normalize_word(word: str, short_path: bool = True) -> list[str]:
    """Normalise one whitespace-delimited, lower-cased chunk of text into tokens
    (`short_path=False`: every chunk the long way, for the test that holds them equal)."""
    word = fold_unicode(word).lower()
    if word.startswith(("http:", "https:", "www.")):
        return ["url"]
    if word.startswith("@") and len(word) > 1:
        return ["user"]
    if "&" in word:
        word = html.unescape(word)
    if len(word) <= MAX_REWRITE_CHUNK:
        # plain lower-case letters (most chunks): masks, leet, separators and inner marks
        # each need a character that is not one, so only the last rewrite applies (a
        # property test holds the two paths equal). Not upper case: `&#88;` unescapes to `X`
        # after the chunk was lower-cased, and the long path reads around it.
        word = (_read_letters(word, "") if short_path and word.isascii() and word.isalpha()
                and word.islower() else _rewrite(word))
    word = _RUNS.sub(r"\1\1", word)
    return _grouped([token[:MAX_TOKEN] for token in _TOKEN.findall(word)])


def _grouped(tokens: list[str]) -> list[str]:
    if MAP_GROUP_TERMS:
        tokens = [GROUP_TOKEN if t in GROUP_TERMS else t for t in tokens]
    if MAP_SLURS:
        tokens = [SLUR_TOKEN if t in SLURS else t for t in tokens]
    return tokens


# Distinct chunks are few next to their occurrences (Zipf), so each is normalised once. Plain
# dict reads and writes are atomic under the GIL; the cache is cleared when it grows too large.
_WORD_CACHE: dict[str, list[str]] = {}
_WORD_CACHE_MAX = 400_000


# Spelled-out words: a run of SPACED_LETTERS_MIN or more one-letter tokens (`s t u p i d`) is
# joined into a word, and such runs are looked for only in a text with at least that many chunks
# that are each a single one-character token (moderation.fast counts those chunks per text to
# send only such texts through `tokenize` again).
SPACED_LETTERS_MIN = 3


def is_spaced_letter(token: str) -> bool:
    """A token that joins its neighbours in a run of spaced-out letters: one letter."""
    return len(token) == 1 and token.isalpha()


def is_single_character(tokens: list[str]) -> bool:
    """A chunk's tokens that count towards looking for spaced-out letters: one token of one
    character."""
    return len(tokens) == 1 and len(tokens[0]) == 1


def _joined(run: list[str]) -> list[str]:
    """SPACED_LETTERS_MIN or more spaced letters joined, and split into known words when they
    spell some (`a s t u p i d i d i o t` -> `a stupid idiot`, not `astupididiot`)."""
    if len(run) < SPACED_LETTERS_MIN:
        return run
    letters = "".join(run)
    parts = _split_known(letters) if len(letters) <= MAX_REWRITE_CHUNK else None
    return _grouped(parts if parts else [letters[:MAX_TOKEN]])


def _join_spaced_letters(tokens: list[str]) -> list[str]:
    """Join runs of spaced-out letters (`s t u p i d` -> `stupid`)."""
    out: list[str] = []
    run: list[str] = []
    for token in tokens:
        if is_spaced_letter(token):
            run.append(token)
            continue
        if run:
            out.extend(_joined(run))
            run = []
        out.append(token)
    if run:
        out.extend(_joined(run))
    return out


def normalize_chunk(chunk: str) -> list[str]:
    """The tokens of one lower-cased, whitespace-free chunk of text (cached; do not modify).

    `tokenize(text)` is these tokens for each chunk of `text.lower().split()`, concatenated,
    except that when SPACED_LETTERS_MIN or more chunks are each a single one-character token
    (`is_single_character`), runs of spaced-out letters are joined."""
    normal = _WORD_CACHE.get(chunk)
    if normal is None:
        normal = _normalize_word(chunk)
        if len(chunk) <= MAX_REWRITE_CHUNK:  # long chunks are rare in real text; an attacker
            if len(_WORD_CACHE) >= _WORD_CACHE_MAX:  # could fill the cache with them
                _WORD_CACHE.clear()
            _WORD_CACHE[chunk] = normal
    return normal


def tokenize(text: str) -> list[str]:
    """Normalise `text` and return its tokens."""
    tokens: list[str] = []
    single_letters = 0
    for word in text.lower().split():
        normal = normalize_chunk(word)
        tokens += normal
        if is_single_character(normal):
            single_letters += 1
    return _join_spaced_letters(tokens) if single_letters >= SPACED_LETTERS_MIN else tokens


def split_normalized(text: str) -> list[str]:
    """The tokens of already-normalised text (the word vectoriser's tokenizer; module-level
    so that the pipeline pickles)."""
    return text.split()


# Raised whenever a change makes the same text give other tokens: a model trained on the old
# tokens is refused (2: run-together words read with the English lexicon, masked insults;
# 3: group names and slurs read out of run-together words too).
READING_VERSION = 3


def stand_ins() -> dict[str, bool | int]:
    """Which stand-in tokens are on, and the version of the reading: saved with a model, which
    must be scored the same way."""
    return {"group_terms": MAP_GROUP_TERMS, "slurs": MAP_SLURS, "reading": READING_VERSION}


def surface_words(text: str, token: str, limit: int = 3) -> list[str]:
    """The words of `text` that normalise to `token`, as written (for reasons shown to people
    when a token stands for many words, like GROUP_TOKEN and SLUR_TOKEN)."""
    found: list[str] = []
    for chunk in text.split():
        if token in normalize_chunk(chunk.lower()):
            word = chunk.strip(_EDGE_PUNCT)[:MAX_TOKEN]
            if word and word not in found:
                found.append(word)
                if len(found) >= limit:
                    break
    return found


_EDGE_PUNCT = "\"'.,;:!?()[]{}<>*_-"


def normalize(text: str) -> str:
    """Normalise `text` to lower-case tokens joined by single spaces."""
    return " ".join(tokenize(text))
