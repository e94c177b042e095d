"""moderate: score reader comments against a news site's posting rules, offline.

Public API: `Moderator` (load a trained model, `check`, `check_many`, `split`, `check_page`),
`load_rules`, and the error types. Training lives in moderation.train; the CLI in moderation.cli.
Importing the package is cheap: scikit-learn, numba and the model code wait for
`Moderator.load`, and the HTTP service (moderation.service) is never imported from here.
"""

from .errors import DataFormatError, ModelLoadError, ModerateError, RulesError
from .hook import Moderator
from .rules import Rule, load_rules

__all__ = ["DataFormatError", "ModelLoadError", "ModerateError", "Moderator", "Rule",
           "RulesError", "load_rules"]
