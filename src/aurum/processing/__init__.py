"""Processing-plant metal accounting: circuits, reconciliation, accounting, CIL, solid waste.

Pure functions and dataclasses (numpy, scipy, pandas in; arrays and dataclasses out):

* :mod:`~aurum.processing.circuit` — nodes, streams and measurements of a plant circuit,
  read from YAML with validation;
* :mod:`~aurum.processing.reconcile` — weighted least-squares reconciliation of masses and
  assays (Crowe's projection for the linear case, successive linearisation with Lagrange
  multipliers for the bilinear one), observability, redundancy and gross-error detection;
* :mod:`~aurum.processing.accounting` — period metal accounts after AMIRA P754 (check-in,
  check-out, inventories, recovery, unaccounted gold and its confidence interval);
* :mod:`~aurum.processing.cil` — tank-series leach and carbon-adsorption model of CIL/CIP
  circuits, its calibration, and the cyanide balance;
* :mod:`~aurum.processing.waste` — solid-waste ledgers and utilisation rates;
* :mod:`~aurum.processing.examples` — a reference CIL gold plant with exact balances and its
  surveys (tests, benchmarks and the demo use it).

Units throughout: masses of solids, solution and carbon in tonnes (t) — or t/h, t/d when a
circuit describes rates: every mass of one problem in the same unit —, assays in grams per
tonne (g/t, i.e. ppm by mass; a solution assay in mg/L is g/t of solution at density
1 t/m³), metal in grams (g = t × g/t).

``reconcile`` itself is :func:`aurum.processing.reconcile.reconcile`: the package cannot
re-export it under the name of its module.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "accounting": ("CONFIDENCE", "GoldQuantity", "cil_inventory", "contained_gold", "metal_account",
                   "metal_accounts", "recovery_from_assays", "sd_from_precision"),
    "cil": ("Kinetics", "TankSeries", "calibrate", "cyanide_balance", "simulate", "what_if",
            "what_if_from_mapping"),
    "circuit": ("Circuit", "Measurement", "Node", "NodeKind", "Stream", "StreamMeasurements",
                "circuit_from_mapping", "circuit_to_mapping", "read_circuit"),
    "examples": ("cil_tails_for_recovery", "gold_plant", "survey", "true_values"),
    "reconcile": ("ALPHA", "Adjustment", "BalanceProblem", "Reconciliation", "observability",
                  "reconcile_linear", "serial_elimination"),
    "waste": ("ROUTE_COLUMNS", "utilisation", "validate_ledger"),
})
