"""Splitter vs trafilatura on the held-out real pages (dragnet_train, held-out site fold).

Usage: python bench/bench_split_real.py [MODEL] [--fold N]. Needs the `bench` extra
(trafilatura). Both read each page's HTML. Our side: the HTML rendered by html-text (what
`moderate split page.html` does), every line labelled by the splitter. Trafilatura's side
(`bare_extraction(..., include_comments=True)`): each of the same rendered lines is labelled by
aligning it with trafilatura's main text (body) and comments (comment), exactly as the gold
labels are made (`align.label_lines`), so both are scored on the same lines against the same
gold. Prints word-weighted and line-level P/R/F1 per kind.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from moderation import settings
from moderation.model_files import load_splitter
from moderation.splitter.align import label_lines
from moderation.splitter.dragnet import HELD_OUT_FOLD, load_dragnet, site_fold
from moderation.splitter.model import KINDS
from moderation.splitter.render import render
from moderation.splitter.train import _scores


def trafilatura_parts(html: str) -> tuple[str, str]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, include_comments=True, with_metadata=False)
    if doc is None:
        return "", ""
    if isinstance(doc, dict):
        return doc.get("text") or "", doc.get("comments") or ""
    return doc.text or "", doc.comments or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path)
    parser.add_argument("--fold", type=int, default=HELD_OUT_FOLD)
    args = parser.parse_args()
    path = args.model or settings.model_dir() / settings.SPLITTER_MODEL_NAME
    model, _ = load_splitter(path)
    pages = [p for p in load_dragnet(settings.data_dir()) if site_fold(p.site) == args.fold]
    truth: list[str] = []
    ours: list[str] = []
    theirs: list[str] = []
    weights: list[float] = []
    spent = {"ours": 0.0, "trafilatura": 0.0}
    for page in pages:
        start = time.perf_counter()
        lines = render(page.html, "html_text").split("\n")
        idx, proba = model.predict_lines(lines)
        spent["ours"] += time.perf_counter() - start
        start = time.perf_counter()
        body, comments = trafilatura_parts(page.html)
        spent["trafilatura"] += time.perf_counter() - start
        gold = label_lines(lines, page.body, page.comments)
        traf = label_lines(lines, body, comments)
        for j, i in enumerate(idx):
            truth.append(gold[i])
            ours.append(KINDS[int(proba[j].argmax())])
            theirs.append(traf[i])
            weights.append(float(max(1, len(lines[i].split()))))
    print(f"{len(pages)} held-out pages (fold {args.fold}), {len(truth)} lines; seconds: "
          f"ours {spent['ours']:.1f} (render + split), trafilatura {spent['trafilatura']:.1f}")
    print(f"{'system':<12} {'kind':<12} {'word_P':>7} {'word_R':>7} {'word_F1':>7} "
          f"{'line_P':>7} {'line_R':>7} {'line_F1':>7}")
    for name, pred in (("splitter", ours), ("trafilatura", theirs)):
        word, line = _scores(truth, pred, weights), _scores(truth, pred, None)
        for kind in KINDS:
            w, n = word[kind], line[kind]
            print(f"{name:<12} {kind:<12} {w['precision']:>7.3f} {w['recall']:>7.3f} "
                  f"{w['f1']:>7.3f} {n['precision']:>7.3f} {n['recall']:>7.3f} {n['f1']:>7.3f}")


if __name__ == "__main__":
    main()
