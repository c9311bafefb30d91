"""A Hypothesis profile for `make mutate`: no shrinking. A mutant is killed by the first failing
example; shrinking it to the smallest one (minutes on a busy box) tells mutation testing nothing.
Loaded with `pytest -p focus.tests.mutate_profile --hypothesis-profile=mutate`."""

from hypothesis import Phase, settings

settings.register_profile("mutate", phases=(Phase.explicit, Phase.reuse, Phase.generate), database=None)
