"""Safety oversight: the hazard register, its clearing statistics, sensor alarm rules and the
online monitoring of tailings facilities.

Pure domain code (numpy, pandas and dataclasses in and out): ``register`` is the hazard state
machine, ``criteria`` the major-hazard criteria as data, ``stats`` the clearing statistics,
``sensors`` generic alarm rules and the borehole pressure-cell import, ``tailings`` the design
tables, derived quantities and alarm levels of tailings facilities.
"""
