"""The linear algebra of the least-squares adjustment (:mod:`aurum.processing.reconcile`):
KKT systems assembled dense or sparse, their LU factors, the diagonal of ``Bᵀ K⁻¹ B`` for the
adjustments' variances, projections onto the left null space of a balance matrix, and the
unmeasured variables the balances cannot determine.

Small systems are dense and factored by LAPACK (sparse bookkeeping costs more than the work
below a few hundred rows); large ones sparse, by SuperLU. Both give the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit
from scipy import linalg, sparse
from scipy.linalg import lapack
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu


class DenseLU:
    """LU factors of a small matrix by LAPACK (``getrf``), with SuperLU's ``solve``.

    Raises
    ------
    RuntimeError
        When a pivot is exactly zero, as SuperLU does.
    """

    def __init__(self, matrix: np.ndarray):
        self.lu, self.piv, info = lapack.dgetrf(matrix)
        if info > 0:
            raise RuntimeError("Factor is exactly singular")

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """``K⁻¹ rhs`` for a vector or the columns of a matrix."""
        return lapack.dgetrs(self.lu, self.piv, rhs)[0]


def assemble(data: np.ndarray, rows: np.ndarray, cols: np.ndarray, size: int,
              dense: bool) -> Any:
    """The square matrix of these entries (repeated ones summed), dense or sparse (CSC)."""
    if dense:
        return np.bincount(rows * size + cols, data, minlength=size * size).reshape(size, size)
    return sparse.csc_array((data, (rows, cols)), shape=(size, size))


def entries(matrix: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of the nonzero entries of a dense or sparse matrix."""
    if sparse.issparse(matrix):
        coo = sparse.coo_array(matrix)
        return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    rows, cols = np.nonzero(matrix)
    return rows, cols, matrix[rows, cols]


def lu_factors(matrix: Any) -> Any:
    """LU factors of a square matrix: LAPACK for a dense array, SuperLU for a sparse matrix;
    RuntimeError when exactly singular."""
    if isinstance(matrix, np.ndarray):
        return DenseLU(matrix)
    return splu(sparse.csc_array(matrix))


def quadratic_diagonal(lu: Any, B: Any) -> np.ndarray:
    """``diag(Bᵀ K⁻¹ B)`` from the SuperLU factors of K: for each column b of B,
    ``bᵀ K⁻¹ b = (U⁻ᵀ P_c b) · (L⁻¹ P_r b)``, two sparse triangular solves from a sparse
    right-hand side (numba). SuperLU's own multi-column solve costs 10–20× more here, and a
    dense multi-column solve, on small systems, waits for BLAS threads on a busy machine."""
    L = sparse.csc_array(lu.L)
    U = sparse.csr_array(lu.U)
    Bc = sparse.csc_array(B)
    Bc.sort_indices()
    return _quadratic_forms(L.indptr, L.indices, L.data, U.indptr, U.indices, U.data,
                            lu.perm_r, lu.perm_c, Bc.indptr, Bc.indices,
                            Bc.data.astype(float))


@njit(cache=True)
def _quadratic_forms(l_ptr: np.ndarray, l_idx: np.ndarray, l_val: np.ndarray,
                     u_ptr: np.ndarray, u_idx: np.ndarray, u_val: np.ndarray,
                     perm_r: np.ndarray, perm_c: np.ndarray, b_ptr: np.ndarray,
                     b_idx: np.ndarray, b_val: np.ndarray) -> np.ndarray:
    size = len(perm_r)
    n_cols = len(b_ptr) - 1
    out = np.zeros(n_cols)
    lower = np.zeros(size)  # L⁻¹ P_r b, with L unit lower triangular (CSC)
    upper = np.zeros(size)  # U⁻ᵀ P_c b, Uᵀ lower triangular: U by rows (CSR)
    for col in range(n_cols):
        start_l = size
        start_u = size
        for p in range(b_ptr[col], b_ptr[col + 1]):
            i = b_idx[p]
            lower[perm_r[i]] = b_val[p]
            upper[perm_c[i]] = b_val[p]
            start_l = min(start_l, perm_r[i])
            start_u = min(start_u, perm_c[i])
        for k in range(start_l, size):
            xk = lower[k]
            if xk != 0.0:
                for p in range(l_ptr[k], l_ptr[k + 1]):
                    if l_idx[p] > k:
                        lower[l_idx[p]] -= l_val[p] * xk
        for k in range(start_u, size):
            if upper[k] != 0.0:
                diag = 0.0
                for p in range(u_ptr[k], u_ptr[k + 1]):
                    if u_idx[p] == k:
                        diag = u_val[p]
                yk = upper[k] / diag
                upper[k] = yk
                for p in range(u_ptr[k], u_ptr[k + 1]):
                    if u_idx[p] > k:
                        upper[u_idx[p]] -= u_val[p] * yk
        total = 0.0
        for k in range(max(start_l, start_u), size):
            total += lower[k] * upper[k]
        out[col] = total
        lower[start_l:] = 0.0
        upper[start_u:] = 0.0
    return out


def projection(B: sparse.csc_array) -> sparse.csr_array:
    """A matrix P of full row rank with ``P B = 0`` whose rows span the left null space of B.

    Balance matrices (every column has one entry, or two of opposite sign and equal size) are
    projected by merging the rows joined by a column; the rows joined to a single-entry column
    are joined to the environment and dropped. Any other matrix gets an orthonormal basis.
    """
    n_rows, k = B.shape
    if k == 0:
        return sparse.eye_array(n_rows, format="csr")
    B = sparse.csc_array(B)
    B.eliminate_zeros()
    nnz = np.diff(B.indptr)
    if nnz.max() <= 2:
        first = B.indices[B.indptr[:-1][nnz > 0]]
        last = B.indices[B.indptr[1:][nnz > 0] - 1]
        two = (nnz == 2)[nnz > 0]
        vals_first = B.data[B.indptr[:-1][nnz > 0]]
        vals_last = B.data[B.indptr[1:][nnz > 0] - 1]
        scale = np.maximum(np.abs(vals_first), np.abs(vals_last))
        if np.all(np.abs(vals_first + vals_last)[two] <= 1e-12 * scale[two]):
            env = n_rows
            other = np.where(two, last, env)
            graph = sparse.coo_array((np.ones(len(first)), (first, other)),
                                     shape=(n_rows + 1, n_rows + 1))
            _, labels = connected_components(graph, directed=False)
            groups, row_group = np.unique(labels[:n_rows], return_inverse=True)
            keep = groups != labels[env]
            new_index = np.cumsum(keep) - 1
            rows = np.flatnonzero(keep[row_group])
            return sparse.csr_array((np.ones(len(rows)), (new_index[row_group[rows]], rows)),
                                    shape=(int(keep.sum()), n_rows))
    return sparse.csr_array(linalg.null_space(B.toarray().T).T)


def unobservable_columns(B: Any) -> np.ndarray:
    """Columns of B (dense or sparse) that some vector of its null space moves: the unmeasured
    variables the balances cannot determine (:func:`undetermined`)."""
    return undetermined(*entries(B), *B.shape)


def undetermined(r: np.ndarray, c: np.ndarray, v: np.ndarray, n_rows: int,
                  k: int) -> np.ndarray:
    """Columns that some vector of the null space of the ``n_rows`` × ``k`` matrix of these
    entries (row ``r``, column ``c``, value ``v``, no repeats) moves. One dense SVD per
    connected block (rows and columns that share entries), after scaling rows and columns to
    unit norm (the null space's support does not change)."""
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    nonzero = v != 0
    r, c, v = r[nonzero], c[nonzero], v[nonzero]
    graph = sparse.coo_array((np.ones(len(r)), (c, k + r)), shape=(k + n_rows, k + n_rows))
    _, labels = connected_components(graph, directed=False)
    empty = np.ones(k, dtype=bool)
    empty[c] = False
    bad: list[np.ndarray] = [np.flatnonzero(empty)]
    order = np.argsort(labels[c], kind="stable")
    r, c, v = r[order], c[order], v[order]
    bounds = np.flatnonzero(np.diff(labels[c])) + 1
    for rows, cols, vals in zip(np.split(r, bounds), np.split(c, bounds),
                                np.split(v, bounds), strict=True):
        row_ids, local_r = np.unique(rows, return_inverse=True)
        col_ids, local_c = np.unique(cols, return_inverse=True)
        # At least as many rows as columns, so that the thin SVD gives all right vectors.
        block = np.zeros((max(len(row_ids), len(col_ids)), len(col_ids)))
        np.add.at(block, (local_r, local_c), vals)
        block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-300)
        block /= np.linalg.norm(block, axis=0, keepdims=True)
        _, sv, vt = np.linalg.svd(block, full_matrices=False)
        rank = int(np.sum(sv > max(block.shape) * np.finfo(float).eps * 1e3 * sv[0]))
        if rank < len(col_ids):
            bad.append(col_ids[np.abs(vt[rank:]).max(axis=0) > 1e-8])
    return np.sort(np.concatenate(bad))
