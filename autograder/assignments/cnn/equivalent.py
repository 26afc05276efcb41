"""Auto-mutants of assignment 8's solutions that no input can tell apart from the solution (see
``autograder.automutants``): ``{"<question>:<mutant id>": "why"}``."""

EQUIVALENT = {
    "conv_out_size:arith + -> -@5:92": "changes only the text of the ValueError's message, which is not graded",
    "conv_out_size:number 2 -> 3@5:99": "changes only the text of the ValueError's message, which is not graded",
    "dropout:compare >= -> >@5:12": "rand_like(x) == p has probability 0 (about 2^-24 per element in float32, "
                                    "2^-53 in float64): keeping when rand > p drops with the same probability p",
}
