"""How much the fuzzing tries: a fixed budget per field, which FUZZ_EXAMPLES raises.

Every fuzzed input (each form field, query parameter, report filter) is
tried as every role in every run; what the budget fixes is how many hostile
values each one gets. `FUZZ_EXAMPLES=N` gives each field N values (the hand-made
loops stop at the number of values they have) and each hypothesis test N
examples per field it fuzzes: `FUZZ_EXAMPLES=50 make test-slow` for a long
campaign. Unset, the budget is `DEFAULT_EXAMPLES`.
"""

import os

DEFAULT_EXAMPLES = 2


def examples_per_field():
    value = os.environ.get("FUZZ_EXAMPLES", "").strip()
    return max(1, int(value)) if value else DEFAULT_EXAMPLES


def hypothesis_examples(fields, floor=25):
    """max_examples for a hypothesis test that fuzzes `fields` inputs at once."""
    return max(floor, examples_per_field() * fields)


def values_for(index, values):
    """The budget's share of `values` for the `index`-th field.

    Each field starts where the previous one stopped, so across the fields
    every value is still sent (once there are enough fields), and with
    FUZZ_EXAMPLES at least len(values) every field gets every value.
    """
    budget = min(examples_per_field(), len(values))
    start = index * budget
    return [values[(start + offset) % len(values)] for offset in range(budget)]
