"""Text normalisation: pure str -> str, shared by training, the reference model and the fast path.

Obfuscation should not hide words from the model, so before vectorising we
- fold Unicode look-alikes (NFKC, then Cyrillic/Greek homoglyphs and accents) to ASCII letters,
- lower-case and unescape HTML entities, mask URLs and @handles,
- rebuild masked profanity (`f*ck`, `sh!t`, `a**hole`) from a short list of the words it hides,
- read leetspeak inside words that mix letters and digits (`sh1t`, `b1tch`, `idi0t`),
- join spaced-out letters (`s t u p i d`, `i.d.i.o.t`) and cap letter runs at two (`stuuupid`),
- tokenise with nltk's TweetTokenizer rules, keeping words, numbers and `!`/`?` runs.

The output is the tokens joined by single spaces, so that the word and char_wb vectorisers and
the fast featuriser (moderation.fast) all see the same words.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Letters that look like Latin ones; NFKC leaves these alone.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j",
        "ԁ": "d", "ɡ": "g", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ß": "ss", "ø": "o",
        "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "’": "'", "‘": "'", "´": "'", "`": "'",
    }
)

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
_PROFANITY_BY_LEN: dict[int, tuple[str, ...]] = {}
for _word in PROFANITY:
    _PROFANITY_BY_LEN[len(_word)] = (*_PROFANITY_BY_LEN.get(len(_word), ()), _word)

_MASKED = re.compile(r"(?<![\w*#@$!%])[a-z][a-z*#@$!%.]*[*#%!][a-z*#@$!%]*")
_LEETABLE = re.compile(r"\b(?=[a-z0-9@$|+]*[0-9@$|+][a-z0-9@$|+]*[a-z])[a-z0-9@$|+]{3,}")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm|k|m|ish|yr|yrs|mm|cm|km|kg|lb|lbs|g|x)\Z")
_SPACED = re.compile(r"(?<![a-z])(?:[a-z][.\-_*]){2,}[a-z](?![a-z])")
_SPACE_SEP = re.compile(r"[.\-_*]")
_RUNS = re.compile(r"([a-z])\1{2,}")
# Words (with inner apostrophes), numbers, and runs of ! or ? (shouting is a signal).
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[!?]+")


def fold_unicode(text: str) -> str:
    """Map look-alike and accented letters to plain ASCII where one exists."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).translate(_HOMOGLYPHS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _unmask(match: re.Match[str]) -> str:
    token = match.group(0).rstrip(".!")
    tail = match.group(0)[len(token):]
    candidates = _PROFANITY_BY_LEN.get(len(token), ())
    fits = [w for w in candidates
            if all(a == b or not a.isalpha() for a, b in zip(token, w, strict=True))]
    return (fits[0] + tail) if len(fits) == 1 else match.group(0)


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.isdigit() or _ORDINAL.match(token):
        return token
    return token.translate(_LEET)


def _unspace(match: re.Match[str]) -> str:
    return _SPACE_SEP.sub("", match.group(0))


def _normalize_word(word: str) -> list[str]:
    """Normalise one whitespace-delimited, lower-cased chunk of text into tokens."""
    word = fold_unicode(word).lower()
    if word.startswith(("http:", "https:", "www.")):
        return ["url"]
    if word.startswith("@") and len(word) > 1:
        return ["user"]
    if "&" in word:
        word = html.unescape(word)
    word = _MASKED.sub(_unmask, word)
    word = _LEETABLE.sub(_unleet, word)
    word = _SPACED.sub(_unspace, word)
    word = _RUNS.sub(r"\1\1", word)
    return _TOKEN.findall(word)


# Distinct chunks are few next to their occurrences (Zipf), so each is normalised once. Plain
# dict reads and writes are atomic under the GIL; the cache is cleared when it grows too large.
_WORD_CACHE: dict[str, list[str]] = {}
_WORD_CACHE_MAX = 400_000


def _join_spaced_letters(tokens: list[str]) -> list[str]:
    """Join runs of three or more one-letter tokens (`s t u p i d` -> `stupid`)."""
    out: list[str] = []
    run: list[str] = []
    for token in tokens:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            out.extend(["".join(run)] if len(run) >= 3 else run)
            run = []
        out.append(token)
    if run:
        out.extend(["".join(run)] if len(run) >= 3 else run)
    return out


def normalize_chunk(chunk: str) -> list[str]:
    """The tokens of one lower-cased, whitespace-free chunk of text (cached; do not modify).

    `tokenize(text)` is these tokens for each chunk of `text.lower().split()`, concatenated,
    except that when three or more chunks are each a single one-character token, runs of
    one-letter tokens are joined."""
    normal = _WORD_CACHE.get(chunk)
    if normal is None:
        normal = _normalize_word(chunk)
        if len(_WORD_CACHE) >= _WORD_CACHE_MAX:
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
        if len(normal) == 1 and len(normal[0]) == 1:
            single_letters += 1
    return _join_spaced_letters(tokens) if single_letters >= 3 else tokens


def normalize(text: str) -> str:
    """Normalise `text` to lower-case tokens joined by single spaces."""
    return " ".join(tokenize(text))
