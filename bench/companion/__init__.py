"""The session simulator (issue 11): how right the companion is about realistic, noisy people.

- ``signals.py``      seeded noisy generators: ping times, a switching process running from before
  the start, rolling and per-ping counters, readings with ordinary noise;
- ``people.py``       person archetypes (what people do, with the truth recorded);
- ``drive.py``        the one adapter: the real policy run tick by tick as focus/engine.py runs it;
- ``metrics.py``      issue 11's rates, each with its target;
- ``engine_check.py`` the same persons through the real engine on PostgreSQL, proving both agree;
- ``__main__.py``     `make bench-companion`: every archetype over SEEDS seeds, docs/companion.md.
"""
