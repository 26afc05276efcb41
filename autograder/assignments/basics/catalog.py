"""Assignment 0, "Creating, indexing and reshaping tensors": mistakes students make, and correct variants
written differently from the solution."""
from functools import partial

from autograder.catalog import Mistake, Variant, edited as _edited

# The solutions (the notebook's, without docstrings and comments; written as the mistakes are,
# split_by_sizes raises a shorter ValueError): many mistakes below are one of them with an edit or two,
# written edited(question, slug, misconception, (old, new), ...).
SOLUTIONS = {
    "split_by_sizes": '''
def split_by_sizes(x, sizes, dim):
    if sum(sizes) != x.shape[dim]:
        raise ValueError("sizes must add up to the length")
    pieces, start = [], 0
    for size in sizes:
        pieces.append(x.narrow(dim, start, size))
        start += size
    return tuple(pieces)
''',
}
edited = partial(_edited, base=SOLUTIONS)


MISTAKES = [
    # ---- tridiagonal
    Mistake("tridiagonal", "default-dtype",
            "Starts from torch.zeros(n, n) without dtype=, so the result is float32 whatever d's dtype; pass "
            "dtype=d.dtype (or use d.new_zeros).", '''
def tridiagonal(d, off):
    n = len(d)
    out = torch.zeros(n, n, device=d.device)
    i = torch.arange(n, device=d.device)
    out[i, i] = d.to(out.dtype)
    out[i[:-1], i[:-1] + 1] = off
    out[i[:-1] + 1, i[:-1]] = off
    return out
'''),
    Mistake("tridiagonal", "cpu-zeros",
            "Creates the matrix with torch.zeros(n, n, dtype=d.dtype) on the default device (the CPU), not on "
            "d's device.", '''
def tridiagonal(d, off):
    n = len(d)
    out = torch.zeros(n, n, dtype=d.dtype)
    out += torch.diag(d)
    for i in range(n - 1):
        out[i, i + 1] = off
        out[i + 1, i] = off
    return out
'''),
    Mistake("tridiagonal", "roll-wraps",
            "Shifts the identity with roll() to get the off-diagonals, but roll wraps around: it also puts `off` "
            "in the two corners.", '''
def tridiagonal(d, off):
    eye = torch.eye(len(d), dtype=d.dtype, device=d.device)
    return torch.diag(d) + off * (eye.roll(1, dims=1) + eye.roll(-1, dims=1))
'''),
    Mistake("tridiagonal", "upper-only",
            "Puts `off` only above the diagonal; a tridiagonal matrix has it below the diagonal too.", '''
def tridiagonal(d, off):
    band = torch.full((len(d) - 1,), off, dtype=d.dtype, device=d.device)
    return torch.diag(d) + torch.diag(band, 1)
'''),
    Mistake("tridiagonal", "times-eye",
            "Builds the diagonal as d * eye: where d holds inf or nan, 0 * inf = nan spreads off the diagonal.", '''
def tridiagonal(d, off):
    n = len(d)
    ones = torch.ones(n - 1, dtype=d.dtype, device=d.device)
    band = torch.diag(ones, 1) + torch.diag(ones, -1)
    return d * torch.eye(n, dtype=d.dtype, device=d.device) + off * band
'''),
    # ---- select_along
    Mistake("select_along", "dim-zero-only",
            "Indexes with x[index], which always selects along dimension 0.", '''
def select_along(x, dim, index):
    return x[index]
'''),
    Mistake("select_along", "negative-dim",
            "Builds the index tuple with (slice(None),) * dim, which is empty for a negative dim: convert dim "
            "with dim % x.ndim first.", '''
def select_along(x, dim, index):
    return x[(slice(None),) * dim + (index,)]
'''),
    Mistake("select_along", "last-dim",
            "Indexes with x[..., index], which always selects along the last dimension.", '''
def select_along(x, dim, index):
    return x[..., index]
'''),
    Mistake("select_along", "transpose-not-back",
            "Moves `dim` to the front with transpose(0, dim) and indexes, but never moves it back.", '''
def select_along(x, dim, index):
    return x.transpose(0, dim)[index]
'''),
    Mistake("select_along", "mask-drops-repeats",
            "Turns the indices into a boolean mask, which loses repeated indices and their order.", '''
def select_along(x, dim, index):
    keep = torch.zeros(x.shape[dim], dtype=torch.bool, device=x.device)
    keep[index] = True
    return x.movedim(dim, 0)[keep].movedim(0, dim)
'''),
    # ---- values_in_range
    Mistake("values_in_range", "inclusive-high",
            "Keeps v <= high; the range is half-open, low <= v < high.", '''
def values_in_range(x, low, high):
    return x[(x >= low) & (x <= high)]
'''),
    Mistake("values_in_range", "multiplied-mask",
            "Multiplies x by the mask, which keeps x's shape with zeros; indexing x[mask] keeps only the values.", '''
def values_in_range(x, low, high):
    return x * ((x >= low) & (x < high))
'''),
    Mistake("values_in_range", "negated-outside",
            "Keeps what is not outside the range, ~((x < low) | (x >= high)), which also keeps nan (every "
            "comparison with nan is False).", '''
def values_in_range(x, low, high):
    return x[~((x < low) | (x >= high))]
'''),
    Mistake("values_in_range", "unique",
            "Uses torch.unique, which sorts the values and drops repeats; x[mask] keeps them in x's order.", '''
def values_in_range(x, low, high):
    return torch.unique(x[(x >= low) & (x < high)])
'''),
    Mistake("values_in_range", "python-list",
            "Goes through a Python list and torch.tensor(), which infers a new dtype (int64 or float32) and "
            "loses x's.", '''
def values_in_range(x, low, high):
    return torch.tensor([v for v in x.flatten().tolist() if low <= v < high], device=x.device)
'''),
    # ---- gather_rows
    Mistake("gather_rows", "arange-not-unsqueezed",
            "Pairs torch.arange(n) with index directly; the row numbers need shape (n, 1) to broadcast against "
            "index's (n, k).", '''
def gather_rows(x, index):
    return x[torch.arange(x.shape[0], device=x.device), index]
'''),
    Mistake("gather_rows", "all-rows",
            "Indexes x[:, index], which takes the columns `index` from every row, not from its own row.", '''
def gather_rows(x, index):
    return x[:, index]
'''),
    Mistake("gather_rows", "flat-index-stride",
            "Uses x.stride(0) as the row length of x.flatten(); flatten() lays rows out in order, and a "
            "transposed x has a different stride.", '''
def gather_rows(x, index):
    rows = torch.arange(x.shape[0], device=x.device).unsqueeze(1)
    return x.flatten()[rows * x.stride(0) + index]
'''),
    Mistake("gather_rows", "one-hot-sum",
            "Multiplies by a one-hot mask and sums: the dtype changes (bool and int32 become int64) and "
            "0 * inf = nan spreads.", '''
def gather_rows(x, index):
    picks = torch.nn.functional.one_hot(index, x.shape[1])
    return (picks * x.unsqueeze(1)).sum(-1)
'''),
    # ---- sum_by_group
    Mistake("sum_by_group", "fancy-add-repeats",
            "Adds with out[group] += values: for a group that repeats, only one of its items is added.", '''
def sum_by_group(values, group, num_groups):
    out = torch.zeros(num_groups, *values.shape[1:], dtype=values.dtype, device=values.device)
    out[group] += values
    return out
'''),
    Mistake("sum_by_group", "max-label-groups",
            "Counts the groups as group.max() + 1; use num_groups, since the last groups may be empty.", '''
def sum_by_group(values, group, num_groups):
    g = int(group.max()) + 1
    hits = group.unsqueeze(1) == torch.arange(g, device=group.device)
    hits = hits.T.reshape(g, -1, *[1] * (values.ndim - 1))
    return torch.where(hits, values.unsqueeze(0), torch.zeros_like(values[:1])).sum(1, dtype=values.dtype)
'''),
    Mistake("sum_by_group", "default-zeros",
            "Starts from torch.zeros(num_groups, ...) without dtype= and device=: the result is float32 on the "
            "CPU whatever the values are.", '''
def sum_by_group(values, group, num_groups):
    out = torch.zeros(num_groups, *values.shape[1:])
    for g in range(num_groups):
        out[g] = torch.where((group == g).reshape(-1, *[1] * (values.ndim - 1)), values, 0).sum(0)
    return out
'''),
    Mistake("sum_by_group", "sum-promotes-int",
            "Sums integers with .sum(), which returns int64 even for int32 values; pass dtype=values.dtype.", '''
def sum_by_group(values, group, num_groups):
    hits = group == torch.arange(num_groups, device=group.device).unsqueeze(1)
    hits = hits.reshape(num_groups, -1, *[1] * (values.ndim - 1))
    return torch.where(hits, values.unsqueeze(0), torch.zeros_like(values[:1])).sum(1)
'''),
    Mistake("sum_by_group", "one-hot-matmul",
            "Multiplies by a one-hot matrix: 0 * inf = nan, so an inf in one group spoils every other group.", '''
def sum_by_group(values, group, num_groups):
    onehot = (group.unsqueeze(1) == torch.arange(num_groups, device=group.device)).to(torch.float64)
    flat = values.reshape(values.shape[0], -1).to(torch.float64)
    return (onehot.T @ flat).reshape(num_groups, *values.shape[1:]).to(values.dtype)
'''),
    # ---- detached_copy
    Mistake("detached_copy", "detach-shares",
            "Returns x.detach() (or x.data, or torch.from_numpy(x.numpy())), which has no graph but shares x's "
            "memory: writing into one changes the other.", '''
def detached_copy(x):
    return x.detach()
'''),
    Mistake("detached_copy", "clone-keeps-graph",
            "Returns x.clone(), a copy that autograd still tracks: gradients would flow back into x.", '''
def detached_copy(x):
    return x.clone()
'''),
    Mistake("detached_copy", "contiguous-copies",
            "Relies on contiguous() to copy, but it returns x itself when x is already contiguous.", '''
def detached_copy(x):
    return x.detach().contiguous()
'''),
    Mistake("detached_copy", "turns-off-input-grad",
            "Switches off requires_grad on the caller's x before cloning; leave the input as it was.", '''
def detached_copy(x):
    if x.is_leaf:
        x.requires_grad_(False)
    return x.clone()
'''),
    # ---- stack_via_cat
    Mistake("stack_via_cat", "cat-only",
            "Calls cat without unsqueeze: cat joins along an existing dimension, stack adds a new one.", '''
def stack_via_cat(tensors, dim):
    return torch.cat(list(tensors), dim)
'''),
    Mistake("stack_via_cat", "unsqueeze-zero",
            "Adds the new dimension at position 0 whatever `dim` is; unsqueeze and cat along the same dim.", '''
def stack_via_cat(tensors, dim):
    return torch.cat([t.unsqueeze(0) for t in tensors], dim)
'''),
    Mistake("stack_via_cat", "cat-then-reshape",
            "Concatenates flat and reshapes to the stacked shape: reshape never moves elements, so only dim 0 "
            "comes out right.", '''
def stack_via_cat(tensors, dim):
    shape = list(tensors[0].shape)
    shape.insert(dim % (len(shape) + 1), len(tensors))
    return torch.cat([t.reshape(-1) for t in tensors]).reshape(shape)
'''),
    Mistake("stack_via_cat", "negative-dim-mod-ndim",
            "Converts a negative dim with dim % t.ndim; the result has one more dimension, so use "
            "dim % (t.ndim + 1).", '''
def stack_via_cat(tensors, dim):
    ndim = max(tensors[0].ndim, 1)
    d = dim % ndim if dim < 0 else dim
    return torch.cat([t.unsqueeze(d) for t in tensors], d)
'''),
    Mistake("stack_via_cat", "unsqueeze-in-place",
            "Uses unsqueeze_, which changes the shape of the caller's tensors; unsqueeze returns a new view.", '''
def stack_via_cat(tensors, dim):
    for t in tensors:
        t.unsqueeze_(dim)
    return torch.cat(list(tensors), dim)
'''),
    # ---- split_by_sizes
    edited("split_by_sizes", "clones-pieces",
           "Copies each piece (clone(), index_select() or a list of indices): the values are right, but the "
           "pieces are not views of x.",
           ("pieces.append(x.narrow(dim, start, size))", "pieces.append(x.narrow(dim, start, size).clone())")),
    edited("split_by_sizes", "no-size-check",
           "Does not check that the sizes add up to the length; the exercise asks for a ValueError.",
           ("    if sum(sizes) != x.shape[dim]:\n"
            '        raise ValueError("sizes must add up to the length")\n',
            "")),
    edited("split_by_sizes", "inclusive-cumsum",
           "Starts each piece at the running total including its own size; piece k starts at "
           "sizes[0] + ... + sizes[k - 1].",
           ("pieces, start = [], 0", "pieces, total = [], 0"),
           ("pieces.append(x.narrow(dim, start, size))\n"
            "        start += size\n",
            "total += size\n"
            "        pieces.append(x.narrow(dim, total, size))\n")),
    edited("split_by_sizes", "negative-dim",
           "Builds the slices with (slice(None),) * dim, which is empty for a negative dim.",
           ("x.narrow(dim, start, size)", "x[(slice(None),) * dim + (slice(start, start + size),)]")),
]

VARIANTS = [
    Variant("tridiagonal", "index-assign", "writes the three diagonals into d.new_zeros with fancy indexing", '''
def tridiagonal(d, off):
    n = d.shape[0]
    out = d.new_zeros(n, n)
    i = torch.arange(n, device=d.device)
    out[i, i] = d
    out[i[:-1], i[1:]] = off
    out[i[1:], i[:-1]] = off
    return out
'''),
    Variant("tridiagonal", "where-gap", "torch.where on the distance |i - j| from the diagonal", '''
def tridiagonal(d, off):
    i = torch.arange(len(d), device=d.device)
    gap = (i.unsqueeze(1) - i.unsqueeze(0)).abs()
    band = torch.where(gap == 1, torch.full_like(gap, off, dtype=d.dtype), torch.zeros_like(gap, dtype=d.dtype))
    return torch.where(gap == 0, d.unsqueeze(1), band)
'''),
    Variant("select_along", "movedim", "moves dim to the front, indexes, moves it back", '''
def select_along(x, dim, index):
    return x.movedim(dim, 0)[index].movedim(0, dim)
'''),
    Variant("select_along", "narrow-cat", "a loop of narrow() slices joined with cat", '''
def select_along(x, dim, index):
    parts = [x.narrow(dim, int(i), 1) for i in index]
    return torch.cat(parts, dim) if parts else x.narrow(dim, 0, 0).clone()
'''),
    Variant("values_in_range", "masked-select", "torch.masked_select with logical_and", '''
def values_in_range(x, low, high):
    return torch.masked_select(x, torch.logical_and(x >= low, x < high))
'''),
    Variant("values_in_range", "nonzero", "flat positions from nonzero(), then fancy indexing", '''
def values_in_range(x, low, high):
    flat = x.reshape(-1)
    keep = torch.nonzero((flat >= low) & (flat < high)).squeeze(1)
    return flat[keep]
'''),
    Variant("gather_rows", "row-loop", "a loop over the rows, stacked", '''
def gather_rows(x, index):
    return torch.stack([row[idx] for row, idx in zip(x, index)])
'''),
    Variant("gather_rows", "flat-offsets", "flat positions in x.reshape(-1): row * m + column", '''
def gather_rows(x, index):
    n, m = x.shape
    offsets = torch.arange(n, device=x.device).unsqueeze(1) * m
    return x.reshape(-1)[offsets + index]
'''),
    Variant("sum_by_group", "group-loop", "a loop over the groups with a boolean mask", '''
def sum_by_group(values, group, num_groups):
    return torch.stack([values[group == g].sum(0, dtype=values.dtype) for g in range(num_groups)])
'''),
    Variant("sum_by_group", "sorted-runs", "sorts the items by group, then sums each run", '''
def sum_by_group(values, group, num_groups):
    order = torch.argsort(group, stable=True)
    v = values[order]
    counts = (group.unsqueeze(0) == torch.arange(num_groups, device=group.device).unsqueeze(1)).sum(1)
    out = values.new_zeros(num_groups, *values.shape[1:])
    start = 0
    for g in range(num_groups):
        c = int(counts[g])
        if c:
            out[g] = v[start:start + c].sum(0, dtype=values.dtype)
        start += c
    return out
'''),
    Variant("detached_copy", "no-grad-clone", "clone() under torch.no_grad()", '''
def detached_copy(x):
    with torch.no_grad():
        return x.clone()
'''),
    Variant("detached_copy", "empty-copy", "copies into torch.empty_like", '''
def detached_copy(x):
    out = torch.empty_like(x)
    out.copy_(x.detach())
    return out
'''),
    Variant("stack_via_cat", "none-index", "adds the new axis by indexing with None", '''
def stack_via_cat(tensors, dim):
    d = dim % (tensors[0].ndim + 1)
    return torch.cat([t[(slice(None),) * d + (None,)] for t in tensors], dim=d)
'''),
    Variant("stack_via_cat", "preallocate", "fills the slices of a new tensor one by one", '''
def stack_via_cat(tensors, dim):
    d = dim % (tensors[0].ndim + 1)
    shape = list(tensors[0].shape)
    shape.insert(d, len(tensors))
    out = tensors[0].new_empty(shape)
    for i, t in enumerate(tensors):
        out.select(d, i).copy_(t)
    return out
'''),
    Variant("split_by_sizes", "slices", "a tuple of slice objects along the normalised dim", '''
def split_by_sizes(x, sizes, dim):
    d = dim % x.ndim
    if sum(sizes) != x.shape[d]:
        raise ValueError(f"sizes add up to {sum(sizes)}, not {x.shape[d]}")
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    return tuple(x[(slice(None),) * d + (slice(s, s + n),)] for s, n in zip(starts, sizes))
'''),
    Variant("split_by_sizes", "movedim", "moves dim to the front, slices, moves it back (all views)", '''
def split_by_sizes(x, sizes, dim):
    front = x.movedim(dim, 0)
    if sum(sizes) != len(front):
        raise ValueError("the sizes do not add up to the length")
    pieces, start = [], 0
    for n in sizes:
        pieces.append(front[start:start + n].movedim(0, dim))
        start += n
    return tuple(pieces)
'''),
]

# The Chinese edition's sentence for every misconception (glossary terms: docs/glossary.md).
ZH = {
    "tridiagonal:default-dtype":
        "用 torch.zeros(n, n) 起步却没有传 dtype=，所以不管 d 是什么数据类型，结果都是 float32；请传入 dtype=d.dtype"
        "（或者用 d.new_zeros）。",
    "tridiagonal:cpu-zeros":
        "用 torch.zeros(n, n, dtype=d.dtype) 在默认设备（CPU）上创建矩阵，而不是在 d 所在的设备上。",
    "tridiagonal:roll-wraps":
        "用 roll() 平移单位矩阵来得到次对角线，但 roll 会循环移位：右上角和左下角两个角上也被放进了 `off`。",
    "tridiagonal:upper-only":
        "只把 `off` 放在主对角线上方；三对角矩阵在主对角线下方也有它。",
    "tridiagonal:times-eye":
        "用 d * eye 构造对角线：d 中有 inf 或 nan 时，0 * inf = nan 会扩散到对角线以外。",
    "select_along:dim-zero-only":
        "用 x[index] 索引，它总是沿第 0 维选取。",
    "select_along:negative-dim":
        "用 (slice(None),) * dim 构造索引元组，dim 为负数时它是空的：先用 dim % x.ndim 换算 dim。",
    "select_along:last-dim":
        "用 x[..., index] 索引，它总是沿最后一维选取。",
    "select_along:transpose-not-back":
        "用 transpose(0, dim) 把 `dim` 换到最前面再索引，但之后没有把它换回去。",
    "select_along:mask-drops-repeats":
        "把索引变成了布尔掩码，这样会丢掉重复的下标以及它们的顺序。",
    "values_in_range:inclusive-high":
        "保留了 v <= high 的值；这个范围是左闭右开的，即 low <= v < high。",
    "values_in_range:multiplied-mask":
        "用 x 乘以掩码，这样会保留 x 的形状并填入 0；用 x[mask] 索引才只保留选中的值。",
    "values_in_range:negated-outside":
        "保留“不在范围外”的值，即 ~((x < low) | (x >= high))，这样 nan 也会被保留（与 nan 的任何比较都是 False）。",
    "values_in_range:unique":
        "用了 torch.unique，它会排序并去掉重复的值；x[mask] 则按 x 中的顺序保留所有值。",
    "values_in_range:python-list":
        "经过 Python 列表和 torch.tensor() 转了一道，torch.tensor() 会重新推断数据类型（int64 或 float32），x 原来的数据类型"
        "就丢了。",
    "gather_rows:arange-not-unsqueezed":
        "直接把 torch.arange(n) 与 index 配对；行号的形状必须是 (n, 1)，才能与形状为 (n, k) 的 index 广播。",
    "gather_rows:all-rows":
        "用 x[:, index] 索引，它从每一行都取出 `index` 中的所有列，而不是每一行只取它自己的那几列。",
    "gather_rows:flat-index-stride":
        "把 x.stride(0) 当作 x.flatten() 中一行的长度；flatten() 按行依次排列元素，而转置后的 x 步长不同。",
    "gather_rows:one-hot-sum":
        "乘以独热编码的掩码再求和：数据类型会改变（bool 和 int32 变成 int64），而且 0 * inf = nan 会扩散。",
    "sum_by_group:fancy-add-repeats":
        "用 out[group] += values 累加：某一组出现多次时，只有其中一项被加上。",
    "sum_by_group:max-label-groups":
        "用 group.max() + 1 作为组数；应当用 num_groups，因为最后几组可能是空的。",
    "sum_by_group:default-zeros":
        "用 torch.zeros(num_groups, ...) 起步却没有传 dtype= 和 device=：不管 values 是什么，结果都是 CPU 上的 float32。",
    "sum_by_group:sum-promotes-int":
        "用 .sum() 对整数求和，即使 values 是 int32，它也返回 int64；请传入 dtype=values.dtype。",
    "sum_by_group:one-hot-matmul":
        "乘以独热编码矩阵：0 * inf = nan，所以一组里的 inf 会破坏其他所有组。",
    "detached_copy:detach-shares":
        "返回 x.detach()（或 x.data、torch.from_numpy(x.numpy())），它没有计算图，却与 x 共享内存：修改其中一个会改变另一个。",
    "detached_copy:clone-keeps-graph":
        "返回 x.clone()，这个副本仍被自动求导跟踪：梯度会流回 x。",
    "detached_copy:contiguous-copies":
        "指望 contiguous() 来复制，但 x 已经连续时，它返回的就是 x 本身。",
    "detached_copy:turns-off-input-grad":
        "在克隆之前关掉了调用者的 x 的 requires_grad；请保持输入原样。",
    "stack_via_cat:cat-only":
        "调用 cat 却没有 unsqueeze：cat 沿已有的维度拼接，stack 则新增一个维度。",
    "stack_via_cat:unsqueeze-zero":
        "不管 `dim` 是多少，都把新维度加在第 0 个位置；unsqueeze 和 cat 应当用同一个 dim。",
    "stack_via_cat:cat-then-reshape":
        "先展平拼接，再变形成堆叠后的形状：reshape 从不移动元素，所以只有 dim 为 0 时结果才对。",
    "stack_via_cat:negative-dim-mod-ndim":
        "用 dim % t.ndim 换算负的 dim；结果比输入多一个维度，所以应当用 dim % (t.ndim + 1)。",
    "stack_via_cat:unsqueeze-in-place":
        "用了 unsqueeze_，它会改变调用者传入的张量的形状；unsqueeze 则返回一个新的视图。",
    "split_by_sizes:clones-pieces":
        "复制了每一块（clone()、index_select() 或用列表索引）：数值是对的，但这些块不是 x 的视图。",
    "split_by_sizes:no-size-check":
        "没有检查各长度之和是否等于该维度的长度；练习要求此时抛出 ValueError。",
    "split_by_sizes:inclusive-cumsum":
        "把每一块的起点设为包含它自身长度在内的累计和；第 k 块应当从 sizes[0] + ... + sizes[k - 1] 开始。",
    "split_by_sizes:negative-dim":
        "用 (slice(None),) * dim 构造切片，dim 为负数时它是空的。",
}
