"""Site-grouped 5-fold cross-validation of the splitter on dragnet_train (every page held out
once, its site never in training), with the default training recipe.

Usage: python bench/split_cv.py [--renderer html_text] [--folds 0,1,2,3,4]. Slow: one full
training per fold. Prints word-weighted and line-level P/R/F1 per kind pooled over all
held-out pages, per fold, and the comment-free pages with any line called comment.
"""

from __future__ import annotations

import argparse
import time

from moderation import settings
from moderation.splitter.dragnet import N_FOLDS, real_pages
from moderation.splitter.model import KINDS
from moderation.splitter.train import (
    _scores,
    assembled_pages,
    fit_splitter,
    page_predictions,
    training_pages,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderer", default="html_text")
    parser.add_argument("--folds", default=",".join(map(str, range(N_FOLDS))))
    args = parser.parse_args()
    data = settings.data_dir()
    extra = assembled_pages(data)
    folds = Pooled()
    for fold in map(int, args.folds.split(",")):
        model, _ = fit_splitter(training_pages(data, fold) + extra, seed=0)
        folds.add_fold(fold, model, real_pages(data, args.renderer, {fold}))
    folds.report(f"pooled over folds {args.folds} ({args.renderer}):")


class Pooled:
    """Word-weighted and line-level figures per fold and pooled over the folds."""

    def __init__(self) -> None:
        self.truth: list[str] = []
        self.pred: list[str] = []
        self.weights: list[float] = []
        self.free = self.free_hit = 0

    def add_fold(self, fold: int, model, pages, on_page=None,
                 started: float | None = None) -> None:
        """Score `pages`; `on_page(page, idx, proba, true)` sees each page as it is scored;
        with `started` (a perf_counter reading), the fold's line shows the seconds since."""
        f_truth: list[str] = []
        f_pred: list[str] = []
        f_w: list[float] = []
        for page, (idx, proba, t, p, w) in zip(pages, page_predictions(model, pages),
                                                strict=True):
            if "comment" not in t:
                self.free += 1
                self.free_hit += "comment" in p
            f_truth += t
            f_pred += p
            f_w += w
            if on_page is not None:
                on_page(page, idx, proba, t)
        word = _scores(f_truth, f_pred, f_w)
        note = "" if started is None else f" ({time.perf_counter() - started:.0f} s)"
        print(f"fold {fold}: word F1 body {word['body']['f1']:.3f} comment "
              f"{word['comment']['f1']:.3f} boilerplate {word['boilerplate']['f1']:.3f}{note}",
              flush=True)
        self.truth += f_truth
        self.pred += f_pred
        self.weights += f_w

    def report(self, title: str) -> None:
        word = _scores(self.truth, self.pred, self.weights)
        line = _scores(self.truth, self.pred, None)
        print(title)
        for kind in KINDS:
            w, n = word[kind], line[kind]
            print(f"  {kind:<12} word P {w['precision']:.3f} R {w['recall']:.3f} "
                  f"F1 {w['f1']:.3f}   line P {n['precision']:.3f} R {n['recall']:.3f} "
                  f"F1 {n['f1']:.3f}")
        print(f"  comment-free pages with any comment line: {self.free_hit}/{self.free}")

if __name__ == "__main__":
    main()
