"""Auto-mutants of assignment 4's solutions that no input can tell apart from them (see autograder.automutants)."""

EQUIVALENT = {
    "sigmoid:compare >= -> >@3:15": "at z = 0 both branches give exactly 0.5 (and the same gradient, 0.25)",
    "sigmoid:number 0 -> 1@3:20": "for 0 <= z < 1 the other branch, exp(z) / (1 + exp(z)), is the same value and "
                                  "cannot overflow there",
    "xor_forward:compare >= -> >@4:16": "with these weights the pre-activations of 0/1 inputs are +-0.5, 1.5 or -1.5, "
                                        "never exactly 0",
    "xor_forward:number 1.0 -> 2.0@6:24": "2 x1 + x2 - 0.5 >= 0 is still OR on 0/1 inputs (the exercise's domain)",
    "xor_forward:number 1.0 -> 2.0@6:37": "x1 + 2 x2 - 0.5 >= 0 is still OR on 0/1 inputs (the exercise's domain)",
    "xor_forward:drop dtype=@7:9": "a float32 b1 added to the float64 x @ W1 is promoted to float64, and -0.5 and 1.5 "
                                   "are exact in both",
    "xor_forward:drop device=@6:9": "not equivalent on a GPU (the CUDA-parametrized tests kill it there), but no CPU "
                                    "test can see it: meta kernels accept a CPU W1 mixed with a meta x",
}
