"""One loader per source under the data directory; each returns a list of Example."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .base import LABELS, VIOLATIONS, Example
from .bias_madlibs import load_bias_madlibs
from .checklist import load_checklist
from .contrasts import load_contrasts
from .hate import load_gab_hate_corpus, load_implicit_hate
from .jigsaw import load_jigsaw_khanhhk, load_jigsaw_predibase
from .news_comments import load_c3, load_sfu_ctc
from .site_csv import load_site_csv
from .toxic_spans import load_toxic_spans
from .tweets import load_davidson, load_edos, load_ethos, load_hatexplain, load_olid

LOADERS: dict[str, Callable[[Path], list[Example]]] = {
    "jigsaw_predibase": load_jigsaw_predibase,
    "jigsaw_khanhhk": load_jigsaw_khanhhk,
    "toxic_spans": load_toxic_spans,
    "davidson": load_davidson,
    "olid": load_olid,
    "edos": load_edos,
    "ethos": load_ethos,
    "hatexplain_magpie": load_hatexplain,
    "gab_hate_corpus": load_gab_hate_corpus,
    "implicit_hate": load_implicit_hate,
    "contrasts": load_contrasts,
    "c3": load_c3,
    "sfu_ctc": load_sfu_ctc,
}

__all__ = ["LABELS", "LOADERS", "VIOLATIONS", "Example", "load_bias_madlibs", "load_checklist",
           "load_site_csv"]
