"""Site-grouped 5-fold cross-validation of the splitter on dragnet_train (every page held out
once, its site never in training), with the default training recipe.

Usage: python bench/split_cv.py [--renderer html_text] [--folds 0,1,2,3,4]. Slow: one full
training per fold. Prints word-weighted and line-level P/R/F1 per kind pooled over all
held-out pages, per fold, and the comment-free pages with any line called comment.
"""

from __future__ import annotations

import argparse

from moderation import settings
from moderation.splitter.dragnet import N_FOLDS, real_pages
from moderation.splitter.model import KINDS
from moderation.splitter.train import _scores, assembled_pages, fit_splitter, training_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderer", default="html_text")
    parser.add_argument("--folds", default=",".join(map(str, range(N_FOLDS))))
    args = parser.parse_args()
    data = settings.data_dir()
    extra = assembled_pages(data)
    truth: list[str] = []
    pred: list[str] = []
    weights: list[float] = []
    free = free_hit = 0
    for fold in map(int, args.folds.split(",")):
        model, _ = fit_splitter(training_pages(data, fold) + extra, seed=0)
        f_truth, f_pred, f_w = [], [], []
        for page in real_pages(data, args.renderer, {fold}):
            idx, proba = model.predict_lines(page.lines)
            t = [page.labels[i] for i in idx]
            p = [KINDS[int(b)] for b in proba.argmax(axis=1)] if len(idx) else []
            if "comment" not in t:
                free += 1
                free_hit += "comment" in p
            f_truth += t
            f_pred += p
            f_w += [float(max(1, len(page.lines[i].split()))) for i in idx]
        word = _scores(f_truth, f_pred, f_w)
        print(f"fold {fold}: word F1 body {word['body']['f1']:.3f} comment "
              f"{word['comment']['f1']:.3f} boilerplate {word['boilerplate']['f1']:.3f}",
              flush=True)
        truth += f_truth
        pred += f_pred
        weights += f_w
    word, line = _scores(truth, pred, weights), _scores(truth, pred, None)
    print(f"pooled over folds {args.folds} ({args.renderer}):")
    for kind in KINDS:
        w, n = word[kind], line[kind]
        print(f"  {kind:<12} word P {w['precision']:.3f} R {w['recall']:.3f} F1 {w['f1']:.3f}"
              f"   line P {n['precision']:.3f} R {n['recall']:.3f} F1 {n['f1']:.3f}")
    print(f"  comment-free pages with any comment line: {free_hit}/{free}")


if __name__ == "__main__":
    main()
