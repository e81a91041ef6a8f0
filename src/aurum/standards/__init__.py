"""The gold field's standard system (标准体系, issue 22), pure: standard numbers and their
levels (:mod:`~aurum.standards.numbering`), the status lifecycle and the plan's priority areas
(:mod:`~aurum.standards.lifecycle`), the effect of applying a standard
(:mod:`~aurum.standards.effect`), international counterparts
(:mod:`~aurum.standards.counterparts`) and the registry file's records
(:mod:`~aurum.standards.records`, the shipped ``data/gold_standards.yaml``).

No database, no server: every function here takes plain values and returns dataclasses, and
refuses bad input with one :class:`aurum.core.errors.ValidationError` naming the field.
"""
