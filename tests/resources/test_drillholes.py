"""Drillhole import and validation: small files with one fault each, and the real Babbitt data."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.resources.drillholes import (
    ColumnMapping,
    DetectionRule,
    DrillholeDatabase,
    ProblemKind,
    read_drillholes,
)

COLLAR = """BHID,XCOLLAR,YCOLLAR,ZCOLLAR
DH1,1000,2000,300
DH2,1100,2000,310
"""
SURVEY = """BHID,AT,AZ,DIP
DH1,0,0,90
DH2,0,45,60
DH2,5,50,62
"""
ASSAY = """BHID,FROM,TO,AU,CU
DH1,0,2,1.5,0.1
DH1,2,5,2.5,0.2
DH2,0,3,0.5,0.3
DH2,3,6,0.7,0.4
"""


def write(tmp_path: Path, collar: str = COLLAR, survey: str = SURVEY, assay: str = ASSAY
          ) -> tuple[Path, Path, Path]:
    paths = (tmp_path / "collar.csv", tmp_path / "survey.csv", tmp_path / "assay.csv")
    for path, text in zip(paths, (collar, survey, assay), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def read(tmp_path: Path, **files: str) -> DrillholeDatabase:
    return read_drillholes(*write(tmp_path, **files))


def only(db: DrillholeDatabase, kind: ProblemKind) -> pd.DataFrame:
    found = db.report.findings
    assert set(found["kind"]) == {kind.value}, found.to_string()
    return found


def test_clean_database_has_no_problem(tmp_path: Path) -> None:
    db = read(tmp_path)
    assert len(db.report) == 0 and db.report.ok
    assert db.grades == ("AU", "CU")
    assert db.collars["hole"].tolist() == ["DH1", "DH2"]
    assert db.collars["length"].tolist() == [5.0, 6.0]        # deepest TO
    assert db.surveys[["at", "az", "dip"]].to_numpy().tolist() == [
        [0, 0, 90], [0, 45, 60], [5, 50, 62]]
    assert db.intervals.columns.tolist() == ["hole", "from", "to", "AU", "CU"]
    assert db.intervals["AU"].tolist() == [1.5, 2.5, 0.5, 0.7]


def test_negative_down_dips_are_flipped(tmp_path: Path) -> None:
    survey = SURVEY.replace(",90", ",-90").replace(",60", ",-60").replace(",62", ",-62")
    db = read_drillholes(*write(tmp_path, survey=survey),
                         mapping=ColumnMapping(dip_positive_down=False))
    assert db.surveys["dip"].tolist() == [90, 60, 62]


def test_missing_columns_are_all_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        read(tmp_path, survey=SURVEY.replace("DIP", "INCL"),
             collar=COLLAR.replace("ZCOLLAR", "ELEV"))
    problems = err.value.problems
    assert [(p.source, p.row, p.column) for p in problems] == [
        ("collar.csv", 1, "ZCOLLAR"), ("survey.csv", 1, "DIP")]
    assert "missing column 'DIP'" in problems[1].message
    assert "expected the columns BHID, AT, AZ, DIP" in problems[1].message


def test_missing_file_is_named(tmp_path: Path) -> None:
    collar, survey, _ = write(tmp_path)
    with pytest.raises(ValidationError) as err:
        read_drillholes(collar, survey, tmp_path / "nope.csv")
    assert err.value.problems[0].source == "nope.csv"
    assert "file not found" in err.value.problems[0].message


def test_from_not_above_to(tmp_path: Path) -> None:
    files = write(tmp_path, assay=ASSAY.replace("DH2,3,6", "DH2,6,3"))
    db = read_drillholes(*files)
    found = only(db, ProblemKind.FROM_NOT_ABOVE_TO)
    (p,) = db.report.problems
    assert (p.source, p.row, p.column) == ("assay.csv", 5, "TO")
    assert p.message == "hole DH2, interval 6–3: FROM must be less than TO"
    assert found["severity"].tolist() == ["error"]
    assert len(db.intervals) == 3                      # the bad interval is excluded
    with pytest.raises(ValidationError) as err:
        read_drillholes(*files, strict=True)
    assert err.value.problems == [p]
    assert str(err.value) == "assay.csv, row 5, column TO: " + p.message


def test_dip_out_of_range(tmp_path: Path) -> None:
    db = read(tmp_path, survey=SURVEY.replace("DH2,5,50,62", "DH2,5,50,120"))
    only(db, ProblemKind.DIP_OUT_OF_RANGE)
    (p,) = db.report.problems
    assert (p.source, p.row, p.column) == ("survey.csv", 4, "DIP")
    assert p.message.startswith("hole DH2, station AT 5: dip 120 is outside −90…90 degrees")
    assert db.surveys["hole"].tolist() == ["DH1", "DH2"]    # station excluded, hole kept


def test_azimuth_out_of_range(tmp_path: Path) -> None:
    db = read(tmp_path, survey=SURVEY.replace("DH2,0,45", "DH2,0,400"))
    only(db, ProblemKind.AZIMUTH_OUT_OF_RANGE)
    assert db.report.problems[0].column == "AZ"


def test_unknown_hole(tmp_path: Path) -> None:
    db = read(tmp_path, assay=ASSAY + "DH9,0,1,1.0,0.1\n")
    only(db, ProblemKind.UNKNOWN_HOLE)
    (p,) = db.report.problems
    assert (p.source, p.row, p.column) == ("assay.csv", 6, "BHID")
    assert p.message == ("hole DH9, interval 0–1: no collar for this hole in collar.csv; "
                         "expected a hole listed there")
    assert "DH9" not in set(db.intervals["hole"])


def test_text_grade_and_detection_codes(tmp_path: Path) -> None:
    assay = ASSAY.replace("DH1,0,2,1.5,0.1", "DH1,0,2,<0.02,>5").replace(
        "DH2,0,3,0.5,0.3", "DH2,0,3,abc,0.3")
    db = read(tmp_path, assay=assay)
    only(db, ProblemKind.TEXT_GRADE)
    (p,) = db.report.problems
    assert (p.source, p.row, p.column) == ("assay.csv", 4, "AU")
    assert p.message.startswith("hole DH2, interval 0–3: 'abc' is not a grade")
    first = db.intervals.iloc[0]
    assert first["AU"] == pytest.approx(0.01) and first["CU"] == pytest.approx(5.0)
    assert len(db.intervals) == 3
    rule = read_drillholes(*write(tmp_path, assay=assay),
                           detection_rule=DetectionRule(below_factor=0.0, above_factor=1.2))
    assert rule.intervals.iloc[0]["AU"] == 0.0
    assert rule.intervals.iloc[0]["CU"] == pytest.approx(6.0)


def test_negative_and_missing_grades(tmp_path: Path) -> None:
    assay = ASSAY.replace("DH1,2,5,2.5,0.2", "DH1,2,5,-2.5,").replace(
        "DH2,3,6,0.7,0.4", "DH2,3,6,,0.4")
    db = read(tmp_path, assay=assay)
    assert db.report.counts() == {"negative_grade": 1, "missing_grade": 2}
    errors, warnings = db.report.errors, db.report.warnings
    assert [(p.row, p.column) for p in errors] == [(3, "AU")]
    assert [(p.row, p.column) for p in warnings] == [(3, "CU"), (5, "AU")]
    assert db.intervals[["from", "to"]].to_numpy().tolist() == [[0, 2], [0, 3], [3, 6]]
    assert np.isnan(db.intervals["AU"].iloc[2])


def test_overlaps_exclude_the_later_interval(tmp_path: Path) -> None:
    assay = """BHID,FROM,TO,AU
DH1,0,10,1
DH1,2,4,2
DH1,4,6,3
DH1,10,12,4
DH2,0,6,1
"""
    db = read(tmp_path, assay=assay)
    found = only(db, ProblemKind.OVERLAP)
    assert found["row"].tolist() == [3, 4]
    assert db.report.problems[1].message == (
        "hole DH1, interval 4–6: overlaps interval 0–10 (row 2); expected FROM ≥ 10: this "
        "later interval is excluded")
    assert db.intervals.query("hole == 'DH1'")["AU"].tolist() == [1, 4]


def test_gap_is_a_warning(tmp_path: Path) -> None:
    files = write(tmp_path, assay=ASSAY.replace("DH2,3,6", "DH2,4,6"))
    db = read_drillholes(*files, strict=True)            # warnings do not refuse the file
    only(db, ProblemKind.GAP)
    (p,) = db.report.warnings
    assert (p.row, p.column) == (5, "FROM")
    assert p.message == ("hole DH2, interval 4–6: gap from 3 (bottom of the interval on row 4);"
                         " unsampled, kept")
    assert len(db.intervals) == 4


def test_hole_without_survey_loses_its_intervals(tmp_path: Path) -> None:
    db = read(tmp_path, survey="BHID,AT,AZ,DIP\nDH1,0,0,90\n")
    only(db, ProblemKind.MISSING_SURVEY)
    (p,) = db.report.problems
    assert (p.source, p.row, p.column) == ("collar.csv", 3, "BHID")
    assert "its 2 interval(s) are excluded" in p.message
    assert db.collars["hole"].tolist() == ["DH1"]
    assert set(db.intervals["hole"]) == {"DH1"}


def test_duplicate_collar_and_station(tmp_path: Path) -> None:
    db = read(tmp_path, collar=COLLAR + "DH2,1200,2000,310\n",
              survey=SURVEY + "DH1,0,10,80\n")
    assert db.report.counts() == {"duplicate_collar": 2, "duplicate_station": 1}
    rows = db.report.findings[["source", "row"]].to_numpy().tolist()
    assert rows == [["collar.csv", 3], ["collar.csv", 4], ["survey.csv", 5]]
    assert db.collars["hole"].tolist() == ["DH1"]
    assert db.surveys.to_numpy().tolist() == [["DH1", 0, 0, 90]]


def test_depth_beyond_mapped_hole_length(tmp_path: Path) -> None:
    collar = COLLAR.replace("ZCOLLAR", "ZCOLLAR,LENGTH").replace("300", "300,4").replace(
        "310", "310,100")
    db = read_drillholes(*write(tmp_path, collar=collar, survey=SURVEY + "DH1,30,0,90\n"),
                         mapping=ColumnMapping(length="LENGTH"))
    found = only(db, ProblemKind.BEYOND_HOLE_LENGTH)
    assert found[["source", "row", "column"]].to_numpy().tolist() == [
        ["survey.csv", 5, "AT"], ["assay.csv", 3, "TO"]]
    assert db.collars["length"].tolist() == [4.0, 100.0]


def test_every_problem_is_reported(tmp_path: Path) -> None:
    assay = ASSAY + "DH1,7,6,1,1\nDH1,8,9,x,1\nDH7,0,1,1,1\nDH2,6,7,-1,1\n"
    files = write(tmp_path, assay=assay)
    with pytest.raises(ValidationError) as err:
        read_drillholes(*files, strict=True)
    assert [(p.row, p.column) for p in err.value.problems] == [
        (6, "TO"), (7, "AU"), (8, "BHID"), (9, "AU")]
    db = read_drillholes(*files)
    assert db.report.counts() == {"from_not_above_to": 1, "text_grade": 1, "unknown_hole": 1,
                                  "negative_grade": 1, "gap": 1}
    assert len(db.intervals) == 4


def test_frames_and_lithology(tmp_path: Path) -> None:
    collar = pd.read_csv(io.StringIO(COLLAR))
    survey = pd.read_csv(io.StringIO(SURVEY))
    assay = pd.read_csv(io.StringIO(ASSAY))
    lith = pd.DataFrame({"BHID": ["DH1", "DH1", "DH2"], "FROM": [0.0, 1.0, 0.0],
                         "TO": [1.0, 7.0, 2.0], "LITH": ["OX", "FR", None]})
    before = assay.copy()
    db = read_drillholes(collar, survey, assay, lith)
    pd.testing.assert_frame_equal(assay, before)
    (p,) = db.report.problems
    assert (p.source, p.row, p.column) == ("lithology", 4, "LITH")
    dh1 = db.intervals.query("hole == 'DH1'")
    assert dh1[["from", "to"]].to_numpy().tolist() == [[0, 1], [1, 2], [2, 5], [5, 7]]
    assert dh1["LITH"].tolist() == ["OX", "FR", "FR", "FR"]
    np.testing.assert_array_equal(dh1["AU"], [1.5, 1.5, 2.5, np.nan])
    dh2 = db.intervals.query("hole == 'DH2'")
    assert dh2[["from", "to"]].to_numpy().tolist() == [[0, 2], [2, 3], [3, 6]]
    assert dh2["LITH"].isna().all()


# Babbitt (Cu–Ni, Duluth Complex): 399 collars, 2,628 survey rows, 35,616 assay intervals.
# Faults found (counted independently with pandas on the raw files):
# - 70 survey stations at AT = 90000, a placeholder far below every hole (the deepest interval
#   of those holes ends at 35–3,574); all other stations lie within the hole. They repeat the
#   previous station's direction, so excluding them leaves the trajectories unchanged.
# - 71,771 missing grades: CU 11,931, NI 12,177, S 12,071, FE 35,592 (FE is hardly assayed);
#   11,926 intervals carry no grade at all (unsampled stretches such as 0–2515 in 34873).
# - none of: holes without collar or survey, overlaps, gaps, FROM >= TO, text or negative
#   grades, dips outside 0–90 (all dips are 32–90, positive down; azimuths 0–359).
@pytest.fixture(scope="module")
def babbitt_files(shared_data: Path) -> tuple[Path, Path, Path]:
    folder = shared_data / "drillholes" / "babbitt"
    return (folder / "collar_BABBITT.csv", folder / "survey_BABBITT.csv",
            folder / "assay_BABBITT.csv")


def test_babbitt_problems(babbitt_files: tuple[Path, Path, Path]) -> None:
    db = read_drillholes(*babbitt_files)
    assay = pd.read_csv(babbitt_files[2])
    survey = pd.read_csv(babbitt_files[1])
    assert len(assay) == 35_616 and len(survey) == 2_628
    assert db.report.counts() == {"missing_grade": 71_771, "beyond_hole_length": 70}
    missing = db.report.findings.query("kind == 'missing_grade'")["column"].value_counts()
    assert missing.to_dict() == {"FE": 35_592, "NI": 12_177, "S": 12_071, "CU": 11_931}
    assert missing.to_dict() == assay[["CU", "NI", "S", "FE"]].isna().sum().to_dict()
    beyond = db.report.findings.query("kind == 'beyond_hole_length'")
    assert (survey.loc[beyond["row"] - 2, "AT"] == 90_000).all()
    assert int((survey["AT"] == 90_000).sum()) == 70
    first = db.report.errors[0]
    assert (first.source, first.row, first.column) == ("survey_BABBITT.csv", 13, "AT")
    assert first.message.startswith("hole B1-006, station AT 90000: station deeper than the "
                                    "hole (length 700, the deepest depth of its intervals;")
    assert len(db.collars) == 399 and len(db.surveys) == 2_558
    assert len(db.intervals) == 35_616
    assert db.collars["hole"].is_unique and db.collars["hole"].iloc[0] == "34873"
    lengths = assay.groupby(assay["BHID"].astype(str))["TO"].max()
    np.testing.assert_array_equal(db.collars["length"], lengths[db.collars["hole"]])
    with pytest.raises(ValidationError) as err:
        read_drillholes(*babbitt_files, strict=True)
    assert len(err.value.problems) == 70
