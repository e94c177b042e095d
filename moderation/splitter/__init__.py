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

The names below are imported from their modules on first use (PEP 562), not with the package:
`moderate split` reads and checks its input (`page_io`) before scikit-learn, lxml and the model
code are imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import KINDS, SplitterModel
    from .page_io import read_page
    from .train import evaluate_splitter, train_splitter

__all__ = ["KINDS", "SplitterModel", "evaluate_splitter", "read_page", "train_splitter"]


def __getattr__(name: str) -> Any:
    if name in ("KINDS", "SplitterModel"):
        from . import model as module
    elif name == "read_page":
        from . import page_io as module
    elif name in ("evaluate_splitter", "train_splitter"):
        from . import train as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)
