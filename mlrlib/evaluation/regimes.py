"""The two regimes notebooks 01 and 02 test MLR in, named as such (docs/methods.md#regimes).

- *The paper's regime* ("paper"): [CLS] pooling, a pooled token never trained for retrieval (as BERT-base's
  [CLS] was not), every compared model trained to the dual encoder's dev plateau at a learning rate chosen on dev.
- *This model's own regime* ("own"): mean pooling, the pooling all-MiniLM-L6-v2 was trained with; its dual
  encoder starts near its best.

A claim gets a row in each; its premise, measured on dev, says whether the mechanism can act there.
"""
from mlrlib.evaluation.claims import Condition
from mlrlib.evaluation.premises import PLATEAU_RISE

REGIMES = ("paper", "own")
SUFFIX = {"paper": "", "own": " (own regime)"}  # of the systems' names in a per-query file
TITLE = {"paper": "the paper's regime", "own": "this model's own regime"}


def plateau_condition(rise: float) -> Condition:
    """The premise both regimes share: the regime's DE reached its dev plateau (`premises.last_quarter_rise`)."""
    return Condition("rise of the DE's dev MRR@10 over its curve's last quarter (trained to its plateau)", rise,
                     PLATEAU_RISE, at_most=True)
