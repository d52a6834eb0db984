"""Finished sweeps, kept runnable; each module's docstring names the commit its figures came from.

Nothing outside bench/experiments/ imports these, and RESULTS.md cites them only where a figure
came from one of them.
"""
