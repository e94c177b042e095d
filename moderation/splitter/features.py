"""Per-line features for the two passes of the splitter.

First pass (one line alone, plus its blank-line surroundings): the line's words for TF-IDF
(`line_text`, digits folded to 0 so "(12) comments" and "(2) comments" are one token sequence)
and a small dense vector (`line_features`): length, punctuation, case, first/second person,
quotes, dates and relative times, URLs, function-word share (sentences vs menus and furniture),
"said"-style attribution and datelines (article cues), contractions and lower-case starts
(comment cues), posting-rule lines (a short imperative title such as "Stay civil." or "No
spam:" and its explanation, or a "Welcome to the discussion" / "Community guidelines" header),
and how many empty lines sit above and below it. `page_lines` computes a line's own features
once per distinct text on the page (the blank-line columns vectorised after), which with
word-set cues and patterns run only on lines that can match keeps a 1 MB page fast.

Second pass (`context_features`): the first pass's class probabilities of lines i-k..i+k, their
means over near and far windows above and below and over everything above / below, the line's
position in the page, whether and how far above a comment-section header sits, how much body and
comment text lies above, how many rules-like lines lie below and nearby, and its own dense
features. That is what lets a one-line remark under a comments header read as a comment while
the same words in an article would not.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"[A-Za-z']+")
_QUOTE = re.compile(r"[\"“”«»]|\B[‘’']|[‘’']\B")  # quote marks, not the apostrophe in "don’t"
_AGO = re.compile(r"\b\d+\s*(s|sec|m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?|"
                  r"months?|y|years?)\s*(ago)?\b", re.I)
# _DATE, _URL, _LOWER_WORD, _CONTRACTION, _SAYS and _CLOCK run on the lower-cased line, so
# they need no re.I (case-folding regexes are slower); the others see the line as written
_DATE = re.compile(r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d\d-\d\d|(?:jan|feb|mar|apr|"
                   r"may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}:\d\d)")
_URL = re.compile(r"https?://|www\.|\.com\b|@\w+\.")
_SENT_END = re.compile(r"[.!?][\"”’)]?(?:\s|$)")
_LOWER_WORD = re.compile(r"[a-z]+")
# function words: sentences (article or comment) are full of them, menus and furniture are not
_STOP = frozenset("""a an the and or but if of to in on at by for with from as is are was were be
been being it its this that these those there here he she they them his her their i you we me
my your our us not no so do does did have has had will would can could should just than then
what who why how when where which all about up out into over after because very too""".split())

_NUMERIC = re.compile(r"[\d\s.,:()+#▲▼|-]+")
_COMMENT_HEADER = re.compile(r"^\W*(\(?\d+\)?\s*)?(comments?|responses?|replies|reactions|"
                             r"discussion|conversation|thoughts)\b|\b\d+\s*comments?\W*$|"
                             r"^(join|start|leave|add|post|view|show|see|load)\b.{0,25}"
                             r"\b(comments?|conversation|discussion|reply)\b", re.I)
_RULE_LIKE = re.compile(r"^[A-Z][a-z']+( [A-Za-z']+){0,3}[.:!] [A-Z]")
_DATELINE = re.compile(r"^[A-Z][A-Z.,' ]{2,40}(\([^)]{1,30}\))?\s*[-–—]")
_CONTRACTION = re.compile(r"\w['’](?:t|s|re|ve|ll|d|m)\b")
_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_UPPER = bytes(range(65, 91))
_DIGIT_BYTES = b"0123456789"
_TITLED = re.compile(r"(?<![A-Za-z'])[A-Z]")  # words (as _WORD splits them) starting upper case
_SAYS = re.compile(r"\b(?:says|said|wrote|writes|commented)\b\W{0,3}$")
_CLOCK = re.compile(r"\b\d{1,2}:\d\d(?::\d\d)?\s?(?:am|pm|a\.m\.|p\.m\.)?")
_SHAPE_TOKEN = re.compile(r"[^\W\d_]+|\d+|\S")
# a posting rule: a short imperative title ("Stay civil.", "Don't spam -", "3. No threats:")
# then its explanation, or a discussion welcome / guidelines header; bounded, no backtracking
_RULE_TITLE = re.compile(
    r"^(?:\d{1,2}[.)] ?|[•*-] ?)?(?i:(?:please )?(?:be|keep|don'?t|don’t|do not|no|never|"
    r"stay|use|share|respect|avoid|report|stick|treat|think|help|mind|play|watch|tell|let|"
    r"stop|leave|protect|obey|flag|speak|add|get|know))\b[^.:!?]{0,30}[.:!–-] +[A-Z'\"‘“]")
_RULES_HEADER = re.compile(
    r"^(?i:(?:welcome|thanks for joining|join) (?:to )?(?:the|our) (?:discussion|conversation|"
    r"comments?|forum|community|comment section)|(?:community|comment|commenting|posting|"
    r"discussion|conversation) (?:guidelines|rules|policy|standards))\b")
# The dense vector's columns, by name, in the order `_text_features` returns them; the
# second pass, the thread gate and the saved model refer to them by these names.
LINE_FEATURES = (
    "log_chars", "log_words", "ends_sentence", "ends_colon", "starts_upper", "upper_share",
    "digit_share", "titled_share", "first_singular", "first_plural", "second_person",
    "has_quote", "relative_time", "has_date", "numeric_only", "has_url", "question_or_exclaim",
    "commas_per_word", "blank_before", "blank_after", "all_caps", "letter_share",
    "log_sentences", "informal", "comment_header", "rule_like", "said_attribution", "dateline",
    "starts_lower", "contractions_per_word", "stopword_share", "log_stopwords", "reply_cue",
    "says_cue", "has_clock", "short_timestamp", "rule_title",
)
PAGE_FEATURES = ("shape_repeats",)  # added by page_lines: how often the line's shape repeats
DENSE_FEATURES = LINE_FEATURES + PAGE_FEATURES
COLUMN = {name: i for i, name in enumerate(DENSE_FEATURES)}
N_LINE_FEATURES = len(LINE_FEATURES)
N_DENSE = len(DENSE_FEATURES)
BLANK_COLUMNS = (COLUMN["blank_before"], COLUMN["blank_after"])
HEADER_COLUMN = COLUMN["comment_header"]
RULE_COLUMN = COLUMN["rule_like"]
RULE_TITLE_COLUMN = COLUMN["rule_title"]
CUE_COLUMNS = [COLUMN["reply_cue"], COLUMN["says_cue"], COLUMN["short_timestamp"]]
SHAPE_COLUMN = COLUMN["shape_repeats"]
MAX_SHAPE_WORDS = 12


MAX_CHARS = 300  # long paragraphs are decided by their first sentences; keeps 1 MB fast


def line_text(line: str) -> str:
    """What TF-IDF sees: the first MAX_CHARS characters, lower case, digits folded."""
    return _DIGITS.sub("0", line[:MAX_CHARS].lower())


_FIRST_SG_W = frozenset("i me my mine myself im".split())
_FIRST_PL_W = frozenset("we us our ours".split())
_SECOND_W = frozenset("you your yours u ya".split())
_SLANG_W = frozenset("lol imo haha gonna yeah".split())
_SAID_W = frozenset("said says told added reported spokesman spokeswoman".split())
_REPLY_W = frozenset("reply replies permalink report flag quote like likes recommend point "
                     "points vote votes edit delete share".split())
_SAYS_W = frozenset("says said wrote writes commented".split())
_URL_HINTS = ("://", "www.", ".com", "@")



def line_features(line: str, blank_before: int, blank_after: int) -> list[float]:
    """Dense features of one non-empty line (see module docstring)."""
    row = _text_features(line.strip())
    row[BLANK_COLUMNS[0]] = min(blank_before, 3) / 3
    row[BLANK_COLUMNS[1]] = min(blank_after, 3) / 3
    return row


def _text_features(stripped: str) -> list[float]:
    """The features of a stripped line that do not depend on its neighbours, in the order of
    LINE_FEATURES (the blank-line columns are left 0).

    Speed: the line is lower-cased once and split into lower-case words once; person, slang,
    "said" and Reply-like cues are word-set lookups on those words (the \\b-bounded
    alternations they replace matched the same letter runs), and the date / time / URL /
    contraction patterns only run on lines holding a character they need (a digit, ':', an
    apostrophe, a URL hint)."""
    n = len(stripped)
    s = stripped[:MAX_CHARS]
    words = _WORD.findall(s)
    n_words = len(words)
    nw = max(1, n_words)
    raw = s.encode("ascii", "ignore")  # counting by bytes.translate is far faster than isalpha
    n_letters = len(raw) - len(raw.translate(None, _LETTERS))
    letters = n_letters or 1
    upper = len(raw) - len(raw.translate(None, _UPPER))
    digits = len(raw) - len(raw.translate(None, _DIGIT_BYTES))
    titled = len(_TITLED.findall(s))
    end = s.rstrip("\"”’)")[-1:] if s else ""
    low = s.lower()
    lw = _LOWER_WORD.findall(low)
    n_stop = sum(map(_STOP.__contains__, lw))
    short = n_words <= 12
    if digits:
        ago = bool(_AGO.search(s))
        date = bool(_DATE.search(low))
        clock = ":" in s and bool(_CLOCK.search(low))
    else:
        ago = date = clock = False
    apostrophe = "'" in s or "’" in s
    return [
        math.log1p(n),
        math.log1p(n_words),
        float(end in ".!?"),
        float(end == ":"),
        float(s[:1].isupper()),
        upper / letters,
        digits / max(1, len(s)),
        titled / nw,
        sum(map(_FIRST_SG_W.__contains__, lw)) / nw,
        sum(map(_FIRST_PL_W.__contains__, lw)) / nw,
        sum(map(_SECOND_W.__contains__, lw)) / nw,
        float(bool(_QUOTE.search(s))),
        float(ago and n_words <= 6),
        float(date),
        float(not n_letters and bool(_NUMERIC.fullmatch(s))),
        float(any(h in low for h in _URL_HINTS) and bool(_URL.search(low))),
        float("?" in s or "!" in s),
        s.count(",") / nw,
        0.0,
        0.0,
        float(n_letters > 3 and s.isupper()),
        letters / max(1, len(s)),
        math.log1p(len(_SENT_END.findall(s))) if ("." in s or "!" in s or "?" in s) else 0.0,
        float("n't" in low or "!!" in low or "??" in low or "..." in low
              or not _SLANG_W.isdisjoint(lw)),
        float(len(s) < 60 and bool(_COMMENT_HEADER.search(s))),
        float(bool(_RULE_LIKE.match(s))),
        float(not _SAID_W.isdisjoint(lw) or "according to" in low),
        float(bool(_DATELINE.match(s))),
        float(s[:1].islower()),
        len(_CONTRACTION.findall(low)) / nw if apostrophe else 0.0,
        n_stop / nw,
        math.log1p(n_stop),
        float(short and not _REPLY_W.isdisjoint(lw)),
        float(short and not _SAYS_W.isdisjoint(lw) and bool(_SAYS.search(low))),
        float(clock),
        float(short and (clock or date or ago)),
        float(bool(_RULE_TITLE.match(s)) or (short and bool(_RULES_HEADER.match(s)))),
    ]


def is_rules_header(text: str) -> bool:
    """A short discussion welcome or guidelines header ("Welcome to the discussion.",
    "Community guidelines"): the rule_title feature's header pattern on a line of at most 12
    words (split on whitespace here; the feature counts its own word matches)."""
    s = text.strip()
    return len(s.split()) <= 12 and bool(_RULES_HEADER.match(s))


_SHAPE_ASCII = str.maketrans({**{chr(c): "A" for c in range(65, 91)},
                              **{chr(c): "a" for c in range(97, 123)},
                              **{chr(c): "0" for c in range(48, 58)}})
_SHAPE_RUNS = re.compile(r"(?<=[Aa])[Aa]+|(?<=0)0+|\s+")


def line_shape(line: str) -> str:
    """Token classes of a short line ("Bart | November 9, 2012 12:20 AM | Reply" ->
    "A|A0,00:0A|A"); long lines have no shape. Comment headers repeat their shape down a
    thread, as teaser lists do theirs."""
    line = line[:MAX_CHARS]
    if len(line.split()) > 3 * MAX_SHAPE_WORDS:  # every chunk holds a token at least
        return ""
    if line.isascii():  # classes by translation, runs collapsed: same as the loop below
        shape = _SHAPE_RUNS.sub("", line.translate(_SHAPE_ASCII))
        return shape if len(shape) <= 3 * MAX_SHAPE_WORDS else ""
    toks = _SHAPE_TOKEN.findall(line)
    if len(toks) > 3 * MAX_SHAPE_WORDS:
        return ""
    out = []
    for t in toks:
        c = t[0]
        out.append("0" if c.isdigit() else ("A" if c.isupper() else "a") if c.isalpha() else c)
    return "".join(out)


def page_lines(lines: list[str]) -> tuple[list[int], list[str], np.ndarray]:
    """Indices and texts of the non-empty lines, and their dense features."""
    idx = [i for i, line in enumerate(lines) if line.strip()]
    # rows go straight into one array: a list of lists of floats makes the garbage collector
    # rescan every float on big pages, which made this step grow faster than the page
    feats = np.zeros((len(idx), N_DENSE))
    # a line's own features depend on its text only: repeated lines (menus, Reply, dates,
    # about half of a long page's lines) are computed once, and the rows of the distinct
    # texts go into the array in one step
    seen: dict[str, int] = {}
    rows: list[list[float]] = []
    distinct_shapes: list[str] = []
    which = np.empty(len(idx), dtype=np.int64)
    for j, i in enumerate(idx):
        text = lines[i].strip()
        k = seen.get(text)
        if k is None:
            k = seen[text] = len(rows)
            rows.append(_text_features(text))
            distinct_shapes.append(line_shape(text))
        which[j] = k
    if rows:
        feats[:, :N_LINE_FEATURES] = np.asarray(rows)[which]
    shapes = [distinct_shapes[k] for k in which.tolist()]
    pos = np.asarray(idx, dtype=np.int64)
    if len(pos):
        gaps = np.diff(pos) - 1
        before = np.concatenate([[min(int(pos[0]), 3)], gaps])
        after = np.concatenate([gaps, [3]])
        feats[:, BLANK_COLUMNS[0]] = np.minimum(before, 3) / 3
        feats[:, BLANK_COLUMNS[1]] = np.minimum(after, 3) / 3
    counts = Counter(shapes)
    feats[:, SHAPE_COLUMN] = [math.log1p(counts[sh] - 1) if sh else 0.0 for sh in shapes]
    return idx, [lines[i] for i in idx], feats


WINDOW = 4
SCALES = (3, 12)


def _window_means(p: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of rows i-width..i-1 and i+1..i+width (zeros where the window is empty)."""
    n, k = p.shape
    csum = np.vstack([np.zeros((1, k)), np.cumsum(p, axis=0)])
    i = np.arange(n)
    lo, hi = np.maximum(0, i - width), np.minimum(n, i + width + 1)
    up_n = (i - lo)[:, None]
    down_n = (hi - i - 1)[:, None]
    up = (csum[i] - csum[lo]) / np.maximum(1, up_n)
    down = (csum[hi] - csum[i + 1]) / np.maximum(1, down_n)
    return up, down


def _nearest(flag: np.ndarray, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log1p distance (in lines) to the nearest flagged line above and below, -1 if none."""
    n = len(flag)
    above = np.maximum.accumulate(np.where(flag, i, -1)) if n else i
    above = np.concatenate([[-1], above[:-1]]) if n else above
    below = np.minimum.accumulate(np.where(flag, i, n)[::-1])[::-1] if n else i
    below = np.concatenate([below[1:], [n]]) if n else below
    return (np.where(above >= 0, np.log1p(i - above), -1.0),
            np.where(below < n, np.log1p(below - i), -1.0))


MAIN_LONG_WORDS = 10
MAIN_SHORT_PENALTY = 30.0


def main_block(words: np.ndarray) -> tuple[int, int]:
    """The run of lines with the most words in long lines, each short line in it costing
    MAIN_SHORT_PENALTY words (the largest-sum run, Kadane's linear scan): on most pages the
    article, since comments come broken up by their name / date / Reply lines."""
    score = np.where(words >= MAIN_LONG_WORDS, words, -MAIN_SHORT_PENALTY)
    best, best_span = 0.0, (0, -1)
    run, start = 0.0, 0
    for j, x in enumerate(score.tolist()):
        if run <= 0:
            run, start = 0.0, j
        run += x
        if run > best:
            best, best_span = run, (start, j)
    return best_span


def _structure(dense: np.ndarray, i: np.ndarray) -> np.ndarray:
    """Where the comment-section cues and the repeated short lines are, around each line, and
    where the line sits against the page's main block of text."""
    cue = (dense[:, CUE_COLUMNS] > 0).any(axis=1).astype(float)
    start, end = main_block(np.expm1(dense[:, 1]))
    cues_before = np.cumsum(cue)
    cues_since_end = np.where(i > end, cues_before - cues_before[min(max(end, 0), len(i) - 1)]
                              if len(i) else 0.0, 0.0)
    block = [((i >= start) & (i <= end)).astype(float), np.log1p(np.maximum(0, start - i)),
             np.log1p(np.maximum(0, i - end)), np.log1p(cues_since_end)]
    repeated = (dense[:, SHAPE_COLUMN] >= math.log1p(2)).astype(float)
    long_line = (dense[:, 1] >= math.log1p(12)).astype(float)
    cols = [*_nearest(cue > 0, i), np.log1p(np.cumsum(cue) - cue),
            np.log1p(cue[::-1].cumsum()[::-1] - cue)]
    for width in SCALES:
        for series in (cue, repeated, long_line, dense[:, 1]):
            cols.extend(m[:, 0] for m in _window_means(series[:, None], width))
    rel_len = dense[:, 1] - (dense[:, 1].mean() if len(i) else 0.0)
    cols.append(rel_len)
    cols += block
    return np.column_stack(cols) if len(i) else np.zeros((0, 4 + 16 + 1 + 4))


def context_features(probs: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """Second-pass features of every line of one page from its first-pass probabilities."""
    n, k = probs.shape
    cols = [probs]
    for d in range(1, WINDOW + 1):
        for shift in (-d, d):
            shifted = np.zeros((n, k + 1))
            src = np.arange(n) + shift
            ok = (src >= 0) & (src < n)
            shifted[ok, :k] = probs[src[ok]]
            shifted[~ok, k] = 1.0  # beyond the page edge
            cols.append(shifted)
    for width in SCALES:
        cols.extend(_window_means(probs, width))
    cols.extend(_window_means(probs, n))  # everything above / below
    i = np.arange(n)
    cols.append(_structure(dense, i))
    pos = np.column_stack([i / max(1, n - 1), np.log1p(i), np.log1p(n - 1 - i),
                           np.full(n, np.log1p(n))])
    # distance (in lines) to the nearest comment-section header above, if any
    header = dense[:, HEADER_COLUMN] > 0
    last = np.where(header, i, -1)
    last = np.maximum.accumulate(last) if n else last
    seen = np.concatenate([[-1], last[:-1]]) if n else last
    since = np.where(seen >= 0, np.log1p(i - seen), -1.0)
    pos = np.column_stack([pos, seen >= 0, since])
    # how much body / comment text lies above (article first, then comments), and rules below
    mass = np.cumsum(probs, axis=0) - probs
    rules = (dense[:, RULE_COLUMN] > 0) | (dense[:, RULE_TITLE_COLUMN] > 0)
    below = np.cumsum(rules[::-1])[::-1] - rules
    body_above = np.log1p(mass[:, 0])
    pos = np.column_stack([pos, body_above, np.log1p(mass[:, 1]),
                           np.log1p(np.cumsum(header) - header), np.log1p(below)])
    # interactions a linear second pass cannot form itself: the line's own probabilities
    # under a comment header, and after an article
    pos = np.column_stack([pos, probs * (seen >= 0)[:, None], probs * body_above[:, None]])
    # rules blocks are runs of "Title. Sentence." lines; a lone one is often a comment
    rules_near = np.hstack(_window_means(dense[:, [RULE_COLUMN, RULE_TITLE_COLUMN]], 3))
    cols += [pos, rules_near, dense]
    return np.hstack(cols)
