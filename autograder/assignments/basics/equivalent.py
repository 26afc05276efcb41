"""Auto mutants of assignment 0 that no input can tell from the solution (see ``autograder.automutants``)."""

EQUIVALENT = {
    "gather_rows:drop device=@3:11": "the row numbers are only used as an index, and PyTorch's advanced indexing "
                                     "accepts CPU index tensors for a tensor on any device (it moves them), so a "
                                     "CPU arange gives the same result on a GPU, as on the meta device",
}
