"""Auto mutants of assignment 7's solutions that no input can tell apart from them (see autograder.automutants)."""

EQUIVALENT = {
    "batch_norm_train:arith // -> /@8:8": "x.numel() is a multiple of x.shape[1], so / gives the same n (as a float)",
    "BatchNorm:arith // -> /@21:16": "x.numel() is a multiple of x.shape[1], so / gives the same n (as a float)",
    "one_cycle_lr:compare <= -> <@10:7": "at step == peak both branches give max_lr (the rise at p = 1, the fall at "
                                         "p = 0), equal within rounding",
}
