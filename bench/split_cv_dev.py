"""Site-grouped cross-validation of the splitter on the development folds only (fold 0, the
reported held-out fold, is never trained on nor scored): for each fold k of --folds, train the
default recipe on the other development folds (plus the assembled pages), score fold k.

Usage: python bench/split_cv_dev.py [--renderer html_text] [--folds 1,2,3,4] [--save P].
Prints per-fold and pooled word-weighted P/R/F1 per kind and the comment-free pages with any
line called comment. --save writes every scored page's lines, gold and probabilities, also
before the thread gate with the gate's probability (pickle), for reading errors and trying
post-processing without refitting. Rendered pages are cached
under --cache (pickle) since rendering ~800 pages takes minutes.
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

from split_cv import Pooled  # bench/ is the script's own directory

from moderation import settings
from moderation.splitter.dragnet import real_pages
from moderation.splitter.features import page_lines
from moderation.splitter.model import page_rules
from moderation.splitter.thread_gate import thread_features, thread_probability
from moderation.splitter.train import assembled_pages, fit_splitter, training_pages

DEV_FOLDS = (1, 2, 3, 4)


def _cached(path: Path, make):
    if path.exists():
        return pickle.loads(path.read_bytes())
    value = make()
    path.write_bytes(pickle.dumps(value))
    return value


def _before_gate(model, lines: list[str]) -> dict:
    """The page's probabilities before the thread gate, and its thread probability."""
    _, texts, dense = page_lines(lines)
    if not texts:
        return {"trimmed": None, "thread_p": None}
    trimmed = page_rules(model.second_pass(model.first_pass(texts, dense), dense), dense,
                         texts)
    row = thread_features(trimmed, dense)
    return {"trimmed": trimmed,
            "thread_p": None if row is None else thread_probability(row, model.arrays)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderer", default="html_text")
    parser.add_argument("--folds", default="1,2,3,4")
    parser.add_argument("--cache", default="/tmp/split_cv_dev")
    parser.add_argument("--save", default="")
    args = parser.parse_args()
    data = settings.data_dir()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # training side of every dev fold: all pages except fold 0, in their rotating renderer
    train_all = _cached(cache / "train_no0.pkl", lambda: training_pages(data, 0))
    extra = _cached(cache / "assembled.pkl", lambda: assembled_pages(data))
    from moderation.splitter.dragnet import load_dragnet, site_fold

    fold_of = {p.page_id: site_fold(p.site) for p in load_dragnet(data)}
    folds = Pooled()
    saved = []
    for fold in map(int, args.folds.split(",")):
        assert fold in DEV_FOLDS, "fold 0 is the reported hold-out: never validate on it here"
        train = [p for p in train_all if fold_of[p.name] in set(DEV_FOLDS) - {fold}]
        model, _ = fit_splitter(train + extra, seed=0)
        val = _cached(cache / f"val_{args.renderer}_{fold}.pkl",
                      lambda f=fold: real_pages(data, args.renderer, {f}))

        def keep(page, idx, proba, gold, fold=fold, model=model):
            saved.append({"fold": fold, "page": page.name, "site": min(page.groups),
                          "lines": [page.lines[i] for i in idx], "gold": gold,
                          "proba": proba, **_before_gate(model, page.lines)})

        folds.add_fold(fold, model, val, keep if args.save else None, started)
    folds.report(f"pooled over folds {args.folds} ({args.renderer}), fold 0 never trained on:")
    if args.save:
        Path(args.save).write_bytes(pickle.dumps(saved))


if __name__ == "__main__":
    main()
