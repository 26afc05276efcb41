"""Generated mutants of assignment 2's solutions that no input can tell apart from the solution
(``python -m autograder mutants linalg --auto``), each with the reason."""

EQUIVALENT = {
    "gauss_solve:number 0 -> 1@3:16": "A is square (n x n), so A.shape[1] == A.shape[0]",
    "low_rank_approx:drop full_matrices=@3:15": "the full U and Vh only add columns and rows that [:, :k] and [:k] "
                                                "cut off again (k <= min(m, n))",
    "low_rank_approx:constant False -> True@3:49": "the full U and Vh only add columns and rows that [:, :k] and "
                                                   "[:k] cut off again (k <= min(m, n))",
}
