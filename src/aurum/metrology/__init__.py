"""Metrology of gold assays: proficiency testing and inter-laboratory comparison by
ISO 13528 (issue 22).

- :mod:`.robust`: the robust mean and standard deviation of the participants' results by
  Algorithm A, and the standard uncertainty of a consensus assigned value;
- :mod:`.scores`: z, z′, ζ and E_n scores and their performance flags, one round evaluated;
- :mod:`.results`: a laboratories' results table (``lab, value[, uncertainty]``) checked.

Pure: numpy and pandas in, dataclasses out; no store, service or web import.
"""
