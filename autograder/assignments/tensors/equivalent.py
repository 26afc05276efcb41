"""Generated mutants of assignment 1's solutions that no input can tell apart from the solution
(``python -m autograder mutants tensors --auto``), each with the reason."""

EQUIVALENT = {
    "broadcast_shape:unary - removed@8:65": "changes only the text of the ValueError's message, which is not graded",
    "topk_via_sort:drop dim=@3:22": "torch.sort's dim is -1 by default, so dropping dim=-1 changes nothing",
}
