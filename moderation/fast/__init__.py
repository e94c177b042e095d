"""The fast scorer: the reference FeatureUnion + RuleClassifiers, computed faster.

Built from the same moderation.features.FeatureSpec as the reference, with the same tokens
(moderation.normalize) and char n-grams (the reference's own analyzer); one job per module:

- `tables`: the model's term indexes (`FeatureIndex`) and the chunk and slot tables that
  cache each chunk's tokens and each token's feature columns (`TokenTables`);
- `batch`: batch assembly, texts -> `Batch`, the sparse matrix of each text's token and
  word-pair slots (`assemble`);
- `scorer`: `FastScorer`, the weights and the specification they need, decision values and
  probabilities (via the compiled loops in moderation.kernels), reasons, tf-idf matrices.

tests/test_fast.py holds the scores to those of the scikit-learn pipeline within 1e-6, and the
reasons to those computed from the pipeline's own tf-idf matrices.
"""

from .batch import Batch
from .scorer import REASONS_TOP, FastScorer

__all__ = ["REASONS_TOP", "Batch", "FastScorer"]
