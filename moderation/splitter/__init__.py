"""Separate reader comments from article body and site boilerplate in a page's plain text.

Modules, one job each:

* `dragnet`   — the real training pages (dragnet_train: HTML + gold), their sites and folds;
* `render`    — HTML to plain text three ways (html-text, browser copy, our stdlib renderer);
* `align`     — line labels from the gold text (token windows; the partial-line rule);
* `html_input`— HTML recognised by content and decoded in its declared encoding;
* `html_text` — `html_to_lines`: HTML to lines with the standard library's parser;
* `trees`     — the pass-2 boosted trees as flat arrays, and their prediction;
* `sources`   — the documents behind the older assembled pages (articles, comments, pages);
* `furniture` — generic comment-section and page furniture (headers, handles, times, rules);
* `pages`     — assembled pages (kept as a second, synthetic evaluation beside the real one);
* `features`  — per-line features (pass 1) and windowed context features (pass 2);
* `model`     — `SplitterModel`: TF-IDF + LR per line, stacked trees; state as plain arrays;
* `train`     — `train_splitter` / `evaluate_splitter` (site-held-out real pages, P/R/F1);
* `page_io`   — `read_page`: text or HTML from a file or stdin, refusing empty / binary input.
"""

from __future__ import annotations

from .model import KINDS, SplitterModel
from .page_io import read_page
from .train import evaluate_splitter, train_splitter

__all__ = ["KINDS", "SplitterModel", "evaluate_splitter", "read_page", "train_splitter"]
