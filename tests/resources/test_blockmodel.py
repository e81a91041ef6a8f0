"""Block models: wireframe flags against closed forms (a cube exactly, a sphere's volume within
a stated tolerance), wireframe readers, density and tonnage, and table round trips."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.core.grid import BlockGrid
from aurum.resources.blockmodel import (
    BlockModel,
    Mesh,
    density_by_domain,
    domain_codes,
    flag_inside,
    read_mesh,
    write_omf,
)
from aurum.resources.estimate import EstimationResult

# Cube corners: vertex index = x + 2y + 4z with x, y, z in {0, 1}; faces outward.
CUBE_FACES = np.array([[0, 2, 3], [0, 3, 1], [4, 5, 7], [4, 7, 6], [0, 1, 5], [0, 5, 4],
                       [2, 6, 7], [2, 7, 3], [0, 4, 6], [0, 6, 2], [1, 3, 7], [1, 7, 5]])


def cube(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    corners = np.array([[x, y, z] for z in (lo, hi) for y in (lo, hi) for x in (lo, hi)])
    return corners.astype(np.float64), CUBE_FACES.copy()


def icosphere(level: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit icosphere: an icosahedron whose faces are split in four ``level`` times, new
    vertices pushed onto the sphere. Faces outward."""
    t = (1 + 5 ** 0.5) / 2
    v = np.array([(-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t),
                  (0, -1, -t), (0, 1, -t), (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1)])
    f = np.array([(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9),
                  (5, 11, 4), (11, 10, 2), (10, 7, 6), (7, 1, 8), (3, 9, 4), (3, 4, 2),
                  (3, 2, 6), (3, 6, 8), (3, 8, 9), (4, 9, 5), (2, 4, 11), (6, 2, 10),
                  (8, 6, 7), (9, 8, 1)])
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    for _ in range(level):
        edges = np.sort(f[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
        unique, inverse = np.unique(edges, axis=0, return_inverse=True)
        ab, bc, ca = (len(v) + inverse.reshape(-1, 3)).T
        middle = v[unique[:, 0]] + v[unique[:, 1]]
        v = np.vstack([v, middle / np.linalg.norm(middle, axis=1, keepdims=True)])
        a, b, c = f.T
        f = np.concatenate([np.column_stack(corners) for corners in
                            ((a, ab, ca), (ab, b, bc), (ca, bc, c), (ab, bc, ca))])
    return v, f


def inside_box(grid: BlockGrid, lo: float, hi: float) -> np.ndarray:
    return np.asarray(((grid.centres() > lo) & (grid.centres() < hi)).all(axis=1))


# ---------------------------------------------------------------- flags from wireframes


def test_cube_flags_exactly_the_blocks_inside() -> None:
    # Centres at half-integers: the vertical rays of the columns x = y pass exactly through
    # the diagonal edges of the top and bottom faces, the case the perturbation resolves.
    grid = BlockGrid((-2.5, -2.5, -2.5), (1.0, 1.0, 1.0), (16, 16, 16))
    mesh = Mesh(*cube(0.0, 10.0))
    flags = flag_inside(mesh, grid)
    assert flags.sum() == 1000
    np.testing.assert_array_equal(flags, inside_box(grid, 0.0, 10.0))
    # Orientation does not matter: the faces reversed give the same flags.
    vertices, faces = cube(0.0, 10.0)
    np.testing.assert_array_equal(flag_inside(Mesh(vertices, faces[:, ::-1]), grid), flags)


def test_rays_through_vertices_sides_and_a_rotated_cube() -> None:
    # Cube sides on the columns' lines (x, y = ±4 m are block centres): a centre on a side is
    # decided as the perturbed ray (x + ε, y + ε²) is, i.e. inside on the low sides and outside
    # on the high ones, so every vertex and side edge is met without double counting. Then
    # the cube turned 30° about z, whose sides pass near no centre.
    grid = BlockGrid((-10.0, -10.0, 0.25), (0.5, 0.5, 0.5), (41, 41, 20))
    vertices, faces = cube(-4.0, 4.0)
    vertices[:, 2] = (vertices[:, 2] + 4.0) * 0.5 + 0.1
    turn = np.deg2rad(30.0)
    rotation = np.array([[np.cos(turn), -np.sin(turn), 0], [np.sin(turn), np.cos(turn), 0],
                         [0, 0, 1]])
    counts = []
    for rotate in (np.eye(3), rotation):
        flags = flag_inside(Mesh(vertices @ rotate.T, faces), grid)
        counts.append(flags.sum())
        local = grid.centres() @ rotate  # centres in the cube's own frame
        inside = (((local[:, :2] >= -4.0) & (local[:, :2] < 4.0)).all(axis=1)
                  & (local[:, 2] > 0.1) & (local[:, 2] < 4.1))
        np.testing.assert_array_equal(flags, inside)
    assert counts[0] == 8 * 8 * 4 / 0.5 ** 3  # the 256 m³ of the cube in 0.125 m³ blocks


def test_cavity_is_left_outside() -> None:
    grid = BlockGrid((0.5, 0.5, 0.5), (1.0, 1.0, 1.0), (10, 10, 10))
    outer, inner = cube(0.0, 10.0), cube(3.0, 7.0)
    mesh = Mesh(np.vstack([outer[0], inner[0]]),
                np.vstack([outer[1], inner[1][:, ::-1] + 8]))
    flags = flag_inside(mesh, grid)
    assert flags.sum() == 1000 - 4 ** 3
    np.testing.assert_array_equal(flags, ~inside_box(grid, 3.0, 7.0))


@pytest.mark.parametrize("centre", [(0.0, 0.0, 0.0), (0.17, -0.31, 0.42),
                                    (-0.45, 0.08, -0.23)])
def test_sphere_volume(centre: tuple[float, float, float]) -> None:
    """Blocks of 0.5 m in a sphere of radius R = 10 m (an icosphere of 5120 faces).

    Exact: every block centre nearer the centre than the mesh's inradius ρ is flagged and
    none farther than R is. Volume: the flagged volume is within 1 % of 4/3 π R³. The mesh
    itself holds 4/3 π R³ × 0.9978 (deficit below 1 - (ρ/R)³ = 0.34 %); the blocks cut by
    the surface each err by less than one block (0.125 m³) with signs that cancel, a spread
    of about 0.1 % over random sphere positions (0.34 % at worst over 20 of them). A bias of
    one block per column, the smallest systematic fault (an off-by-one along z), would be
    3s / 4R = 3.75 %, so 1 % tells it apart.
    """
    radius, size = 10.0, 0.5
    unit, faces = icosphere(4)
    mesh = Mesh(unit * radius + np.asarray(centre), faces)
    grid = BlockGrid((-10.75, -10.75, -10.75), (size, size, size), (44, 44, 44))
    flags = flag_inside(mesh, grid)
    a, b, c = (unit[faces[:, k]] * radius for k in range(3))
    normal = np.cross(b - a, c - a)
    inradius = np.min(np.abs(np.einsum("ij,ij->i", normal, a)) / np.linalg.norm(normal, axis=1))
    assert 1 - (inradius / radius) ** 3 < 0.0035
    distance = np.linalg.norm(grid.centres() - np.asarray(centre), axis=1)
    assert flags[distance < inradius].all()
    assert not flags[distance > radius].any()
    volume = flags.sum() * size ** 3
    assert volume == pytest.approx(4 / 3 * np.pi * radius ** 3, rel=0.01)


# ---------------------------------------------------------------- wireframe files


def write_ascii_stl(path: Path, vertices: np.ndarray, faces: np.ndarray) -> None:
    lines = ["solid cube"]
    for face in faces:
        lines += ["  facet normal 0 0 0", "    outer loop"]
        lines += [f"      vertex {x:.17g} {y:.17g} {z:.17g}" for x, y, z in vertices[face]]
        lines += ["    endloop", "  endfacet"]
    path.write_text("\n".join([*lines, "endsolid cube", ""]), encoding="ascii")


def write_binary_stl(path: Path, vertices: np.ndarray, faces: np.ndarray) -> None:
    # A header starting with "solid", as some exporters write: the size decides.
    body = b"".join(struct.pack("<12fH", 0, 0, 0, *vertices[face].ravel(), 0) for face in faces)
    path.write_bytes(b"solid binary".ljust(80) + struct.pack("<I", len(faces)) + body)


@pytest.mark.parametrize("writer", [write_ascii_stl, write_binary_stl])
def test_stl_files(tmp_path: Path, writer: object) -> None:
    vertices, faces = cube(0.0, 10.0)
    path = tmp_path / "cube.stl"
    writer(path, vertices, faces)  # type: ignore[operator]
    mesh = read_mesh(path)
    assert mesh.vertices.shape == (8, 3) and mesh.faces.shape == (12, 3)
    grid = BlockGrid((0.5, 0.5, 0.5), (1.0, 1.0, 1.0), (12, 12, 12))
    np.testing.assert_array_equal(flag_inside(mesh, grid), inside_box(grid, 0.0, 10.0))


def test_obj_file_with_quads_and_relative_indices(tmp_path: Path) -> None:
    vertices, _ = cube(0.0, 10.0)
    quads = ["f 1/1/1 3/2/1 4/3/1 2/4/1", "f 5 6 8 7", "f 1 2 6 5", "f 3 7 8 4",
             "f -8 -4 -2 -6", "f 2 4 8 6"]  # the 5th is 1 5 7 3 written relatively
    text = ["# cube", "o cube", *(f"v {x} {y} {z}" for x, y, z in vertices), "vn 0 0 1",
            *quads]
    (tmp_path / "cube.obj").write_text("\n".join(text) + "\n", encoding="utf-8")
    mesh = read_mesh(tmp_path / "cube.obj")
    assert mesh.faces.shape == (12, 3)
    grid = BlockGrid((0.5, 0.5, 0.5), (1.0, 1.0, 1.0), (12, 12, 12))
    assert flag_inside(mesh, grid).sum() == 1000


def test_open_mesh_is_refused_with_its_boundary_edges(tmp_path: Path) -> None:
    vertices, faces = cube(0.0, 10.0)
    write_ascii_stl(tmp_path / "open.stl", vertices, faces[2:])  # bottom face missing
    with pytest.raises(ValidationError, match="4 boundary edges") as info:
        read_mesh(tmp_path / "open.stl")
    assert info.value.problems[0].source == "open.stl"
    with pytest.raises(ValidationError, match="3 non-manifold edges"):
        Mesh(vertices, np.vstack([faces, faces[:1]]))


def test_malformed_wireframe_files(tmp_path: Path) -> None:
    (tmp_path / "bad.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="row 4") as info:
        read_mesh(tmp_path / "bad.obj")
    assert info.value.problems[0].row == 4
    (tmp_path / "bad.stl").write_bytes(b"\x00" * 90)
    with pytest.raises(ValidationError, match="not an STL file"):
        read_mesh(tmp_path / "bad.stl")
    vertices, faces = cube(0.0, 10.0)
    write_ascii_stl(tmp_path / "text.stl", vertices, faces)
    text = (tmp_path / "text.stl").read_text(encoding="ascii")
    (tmp_path / "text.stl").write_text(text.replace("vertex 10 0 0", "vertex 10 O 0", 1),
                                       encoding="ascii")
    with pytest.raises(ValidationError, match="facet 2 has a vertex coordinate that is not a "
                                              "finite number: 'O'"):
        read_mesh(tmp_path / "text.stl")
    (tmp_path / "cube.dxf").write_text("0\nEOF\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"expected \.stl or \.obj"):
        read_mesh(tmp_path / "cube.dxf")


# ---------------------------------------------------------------- domains, density, tonnage


def test_domain_codes_density_and_tonnage() -> None:
    grid = BlockGrid((0.5, 0.5, 0.5), (2.0, 2.0, 2.0), (10, 10, 10))
    inner, outer = Mesh(*cube(4.0, 8.0)), Mesh(*cube(0.0, 12.0))
    codes = domain_codes(grid, {2: inner, 1: outer}, background=0)  # inner has priority
    expected = np.where(inside_box(grid, 4.0, 8.0), 2,
                        np.where(inside_box(grid, 0.0, 12.0), 1, 0))
    np.testing.assert_array_equal(codes, expected)
    model = BlockModel(grid, {"domain": codes})
    tonnes = model.tonnage({0: 2.0, 1: 2.6, 2: 2.75})
    assert model.block_volume == 8.0
    np.testing.assert_array_equal(tonnes, np.choose(codes, [2.0, 2.6, 2.75]) * 8.0)
    # The same from a density attribute, with NaN where there is no density.
    rho = np.where(codes == 2, 2.75, np.nan)
    np.testing.assert_array_equal(model.with_attributes(density=rho).tonnage("density"),
                                  rho * 8.0)


def test_bad_densities_are_refused() -> None:
    codes = np.array([1, 1, 2, 3, 3, 3])
    with pytest.raises(ValidationError, match=r"domain 3 \(3 blocks\) has no density"):
        density_by_domain(codes, {1: 2.7, 2: 2.8})
    with pytest.raises(ValidationError, match=r"density of domain 2 is -2\.8"):
        density_by_domain(codes, {1: 2.7, 2: -2.8, 3: 2.6})
    np.testing.assert_array_equal(density_by_domain(np.array([1.0, np.nan]), {1: 2.7}),
                                  [2.7, np.nan])
    grid = BlockGrid((0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (3, 2, 1))
    model = BlockModel(grid, {"density": np.array([2.7, 2.7, 2.7, 2.7, -1.0, 2.7])})
    with pytest.raises(ValidationError, match=r"first block \(1, 1, 0\)"):
        model.tonnage("density")


# ---------------------------------------------------------------- tables


def small_model() -> BlockModel:
    grid = BlockGrid((100.0, 200.0, 50.0), (5.0, 10.0, 2.5), (3, 2, 2))
    n = grid.n_blocks
    return BlockModel(grid, {"au": np.linspace(0.1, 3.3, n) / 3.0,
                             "domain": np.arange(n, dtype=np.int64) % 3,
                             "class": np.array([1, 2, 3, 0] * 3, dtype=np.int8)})


def test_frame_layout_is_gslib_order() -> None:
    model = small_model()
    frame = model.to_frame()
    assert list(frame.columns) == ["x", "y", "z", "i", "j", "k", "au", "domain", "class"]
    assert frame[["i", "j", "k"]].iloc[[0, 1, 3, 6]].values.tolist() == [
        [0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert frame[["x", "y", "z"]].iloc[11].tolist() == [110.0, 210.0, 52.5]
    with pytest.raises(ValueError, match="reserved"):
        BlockModel(model.grid, {"x": np.zeros(12)})


def test_csv_and_parquet_round_trips(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    model = small_model()
    model.to_csv(tmp_path / "blocks.csv")
    model.to_parquet(tmp_path / "blocks.parquet")
    for back in (BlockModel.read_csv(tmp_path / "blocks.csv"),
                 BlockModel.read_parquet(tmp_path / "blocks.parquet")):
        assert back.grid == model.grid
        assert back.attributes.keys() == model.attributes.keys()
        for name, values in model.attributes.items():
            np.testing.assert_array_equal(back[name], values)
    assert BlockModel.read_parquet(tmp_path / "blocks.parquet")["class"].dtype == np.int8
    # A subset: Parquet keeps the grid, the absent blocks come back NaN.
    keep = model["class"] > 0
    model.to_parquet(tmp_path / "subset.parquet", mask=keep)
    subset = BlockModel.read_parquet(tmp_path / "subset.parquet")
    assert subset.grid == model.grid
    np.testing.assert_array_equal(subset["au"], np.where(keep, model["au"], np.nan))


def test_from_estimation() -> None:
    grid = BlockGrid((0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (2, 1, 1))
    result = EstimationResult(np.array([1.0, np.nan]), np.array([0.2, np.nan]),
                              np.array([12, 0]), np.array([0.9, np.nan]),
                              np.array([0.8, np.nan]))
    model = BlockModel.from_estimation(grid, result, "au")
    assert sorted(model.attributes) == ["au", "au_efficiency", "au_n_samples", "au_slope",
                                        "au_variance"]
    assert model["au_n_samples"].tolist() == [12, 0]


def test_bad_block_tables() -> None:
    frame = small_model().to_frame()
    frame.attrs.clear()  # as read from CSV: the grid is inferred from the coordinates
    assert BlockModel.from_frame(frame).grid == small_model().grid
    with pytest.raises(ValidationError, match="missing column"):
        BlockModel.from_frame(frame.drop(columns="z"))
    x = frame["x"].to_numpy(copy=True)
    x[3] += 1.0
    shifted = frame.assign(x=x)
    with pytest.raises(ValidationError, match=r"1 rows are not at a block centre.*rows 5"):
        BlockModel.from_frame(shifted, grid=small_model().grid)
    with pytest.raises(ValidationError, match=r"repeat a block.*rows 14"):
        BlockModel.from_frame(pd.concat([frame, frame.iloc[[0]]]), grid=small_model().grid)
    with pytest.raises(ValidationError, match="one z coordinate only"):
        BlockModel.from_frame(frame[frame["k"] == 0])


def test_omf_round_trip(tmp_path: Path) -> None:
    omf = pytest.importorskip("omf")
    grid = BlockGrid((5.0, 15.0, -95.0), (10.0, 10.0, 10.0), (4, 3, 2))
    grade = np.arange(grid.n_blocks, dtype=float) / 10
    model = BlockModel(grid, {"au": grade})
    path = tmp_path / "model.omf"
    write_omf(model, path, "au model")
    project = omf.OMFReader(str(path)).get_project()
    element = project.elements[0]
    assert list(element.geometry.origin) == [0.0, 10.0, -100.0]  # the grid's corner
    assert len(element.geometry.tensor_u) == 4 and element.geometry.tensor_w[0] == 10.0
    np.testing.assert_array_equal(element.data[0].array.array, grade)
