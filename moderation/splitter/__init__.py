"""Separate reader comments from article body and site boilerplate in a page's plain text.

Modules, one job each:

* `sources`   — read the real source documents (articles, comments, labelled web pages);
* `html_text` — render CleanEval-style HTML to lines with the standard library;
* `furniture` — generic comment-section and page furniture (headers, handles, times, rules);
* `pages`     — split documents by group into train/test, then assemble labelled pages;
* `features`  — per-line features (pass 1) and windowed context features (pass 2);
* `model`     — `SplitterModel`: TF-IDF + LR per line, stacked LR over neighbours' probabilities;
* `train`     — `train_splitter` / `evaluate_splitter` (held-out pages, P/R/F1, worst errors);
* `page_io`   — `read_page`: text from a file or stdin, refusing empty / binary / non-UTF-8.
"""

from __future__ import annotations

from .model import KINDS, SplitterModel
from .page_io import read_page
from .train import evaluate_splitter, train_splitter

__all__ = ["KINDS", "SplitterModel", "evaluate_splitter", "read_page", "train_splitter"]
