"""Auto-mutants of assignment 5's solutions that no test can tell from them (see autograder/automutants.py)."""

EQUIVALENT = {
    "make_regression:arith + -> -@7:8":
        "y = X @ w + b - noise * eps: -eps is standard normal and independent of X too, so the data has the same "
        "distribution; any correct use of the generator is accepted",
    "make_regression:drop dtype=@6:10":
        "eps drawn in float32 then promoted: the same standard-normal noise to float32 precision, and the noise's "
        "exact values are not prescribed",
    "make_classification:drop dtype=@6:12":
        "the noise drawn in float32 and promoted by the addition (X keeps the centers' dtype): the same "
        "distribution to float32 precision, and the exact draws are not prescribed",
    "make_classification:arith + -> -@7:9":
        "centers - std * noise: the noise is symmetric, so each class is the same Gaussian cloud around its center",
}
