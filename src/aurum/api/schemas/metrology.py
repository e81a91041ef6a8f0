"""Request and response models of proficiency testing (``/api/v1/metrology/...``, issue 22).

Results, assigned values, uncertainties and σ_pt are in the round's unit (e.g. g/t Au);
scores are dimensionless; uncertainties of results are standard uncertainties u(x), a
reference material's is its expanded uncertainty U at coverage factor k.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema
from aurum.core.checks import Day
from aurum.metrology.scores import Flag, Source
from aurum.metrology.scores import SigmaPtRule as Rule
from aurum.services.metrology import Method

Code = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class MaterialIn(_In):
    """A reference material to register (the centre's work)."""

    code: str = Code
    name: str = Field(min_length=1, max_length=200, description="English name")
    name_zh: str | None = Field(None, max_length=200, description="Chinese name")
    matrix: str = Field(min_length=1, max_length=64, description="e.g. gold ore, gold alloy")
    analyte: str = Field(min_length=1, max_length=64, description="e.g. Au")
    unit: str = Field(min_length=1, max_length=16, description="e.g. g/t, ‰")
    certified_value: float = Field(ge=-1e9, le=1e9)
    expanded_uncertainty: float = Field(ge=0, le=1e9, description="U, the value's unit")
    coverage_factor: float = Field(2.0, ge=1, le=10, description="k of U")
    producer: str = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=500)


class MaterialOut(Schema):
    """A reference material, with its standard uncertainty ``u`` = U / k."""

    code: str
    name: str
    matrix: str
    analyte: str
    unit: str
    certified_value: float
    expanded_uncertainty: float
    coverage_factor: float
    u: float
    producer: str
    note: str


class RoundIn(_In):
    """A proficiency-test round to open: ``reference_material`` a registered code, or
    none for a consensus value (Algorithm A); ``sigma_pt_value`` the fixed σ_pt (unit) or
    the percentage of the assigned value (%) its rule needs."""

    code: str = Code
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(None, max_length=200)
    analyte: str = Field(min_length=1, max_length=64)
    unit: str = Field(min_length=1, max_length=16)
    method: Method
    matrix: str = Field(min_length=1, max_length=64)
    reference_material: str | None = Field(None, max_length=32)
    sigma_pt_rule: Rule = "robust_sd"
    sigma_pt_value: float | None = Field(None, gt=0, le=1e9)
    opens_on: Day
    closes_on: Day


class FlagCounts(Schema):
    satisfactory: int
    questionable: int
    unsatisfactory: int


class RoundOut(Schema):
    """A round; ``participants`` and ``flags`` once it is closed."""

    code: str
    name: str
    analyte: str
    unit: str
    method: str
    matrix: str
    reference_material: str | None
    sigma_pt_rule: str
    sigma_pt_value: float | None
    opens_on: date
    closes_on: date
    status: Literal["open", "closed"]
    participants: int | None
    flags: FlagCounts | None


class LabScoreOut(Schema):
    """A laboratory's scores: ``lab`` and ``name`` its code and name for the readers and
    for itself, its participant code for the other laboratories."""

    lab: str
    name: str
    participant: str
    own: bool
    value: float
    uncertainty: float | None
    z: float
    z_prime: float
    zeta: float | None
    en: float | None
    flag: Flag
    z_prime_flag: Flag
    zeta_flag: Flag | None
    en_flag: Literal["satisfactory", "unsatisfactory"] | None


class StatisticsOut(Schema):
    """A round's statistics, computed when it was closed."""

    data_version: int = Field(description="the newest result entry included")
    source: Source
    assigned_value: float
    u_assigned: float
    robust_mean: float | None
    robust_sd: float | None
    sigma_pt: float
    n_results: int
    iterations: int | None
    converged: bool | None
    code_version: str
    computed_at: datetime
    labs: list[LabScoreOut]


class RoundDetailOut(RoundOut):
    """A round with its statistics (None while it is open)."""

    statistics: StatisticsOut | None


class ResultIn(_In):
    """A laboratory's result: ``lab`` its code (the caller's own laboratory by default)."""

    value: float = Field(ge=-1e9, le=1e9, description="the round's unit")
    uncertainty: float | None = Field(None, ge=0, le=1e9, description="standard uncertainty")
    lab: str | None = Field(None, max_length=32)


class ResultOut(Schema):
    """A result entry; ``supersedes`` the entry it corrects."""

    id: int
    lab: str
    value: float
    uncertainty: float | None
    supersedes: int | None
    created_at: datetime


class LabRoundOut(Schema):
    """A laboratory's scores in one closed round."""

    round: str
    name: str
    method: str
    unit: str
    closes_on: date
    participant: str
    value: float
    z: float
    z_prime: float
    zeta: float | None
    en: float | None
    flag: Flag
    assigned_value: float
    sigma_pt: float


class LabHistoryOut(Schema):
    """A laboratory and its history across rounds, oldest first."""

    code: str
    name: str
    province: str
    rounds: list[LabRoundOut]


class LabOut(Schema):
    """A laboratory the caller may read, with the rounds it took part in."""

    code: str
    name: str
    province: str
    rounds: int
