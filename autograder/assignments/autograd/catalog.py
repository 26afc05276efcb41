"""Assignment 3, "Autograd and gradient descent": mistakes students make, and correct variants."""
from autograder.catalog import Mistake, Variant

MISTAKES = [
    # ---- numerical_grad
    Mistake("numerical_grad", "forward-difference",
            "Uses the forward difference (f(x + eps) - f(x)) / eps, whose error grows like eps; the central "
            "difference (f(x + eps) - f(x - eps)) / (2 eps) is far more accurate.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double()
    grad = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
    base = f(x64)
    for i in range(x64.numel()):
        step = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
        step[i] = eps
        grad[i] = (f(x64 + step.reshape(x64.shape)) - base) / eps
    return grad.reshape(x.shape).to(x.dtype)
''', numerical=True),
    Mistake("numerical_grad", "divides-by-eps",
            "Divides the central difference by eps; the two points are 2 * eps apart, so divide by 2 * eps.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double()
    grad = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
    for i in range(x64.numel()):
        step = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
        step[i] = eps
        step = step.reshape(x64.shape)
        grad[i] = (f(x64 + step) - f(x64 - step)) / eps
    return grad.reshape(x.shape).to(x.dtype)
'''),
    Mistake("numerical_grad", "moves-every-coordinate",
            "Moves all coordinates at once (x + eps), which measures the sum of the partial derivatives; move "
            "one coordinate at a time.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double()
    slope = (f(x64 + eps) - f(x64 - eps)) / (2 * eps)
    return torch.full_like(x, 1.0) * slope.to(x.dtype)
'''),
    Mistake("numerical_grad", "not-restored",
            "Moves coordinate i in place and never puts it back, so the later partial derivatives are taken "
            "at a different point.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double().clone(memory_format=torch.contiguous_format)
    flat = x64.view(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        flat[i] += eps
        up = f(x64)
        flat[i] -= 2 * eps
        down = f(x64)
        grad[i] = (up - down) / (2 * eps)
    return grad.reshape(x.shape).to(x.dtype)
''', numerical=True),
    Mistake("numerical_grad", "input-dtype",
            "Takes the differences in x's own dtype; in float32, f(x + eps) - f(x - eps) loses most of its "
            "digits to rounding, so compute in float64.", '''
def numerical_grad(f, x, eps=1e-6):
    x = x.detach()
    grad = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
    for i in range(x.numel()):
        step = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
        step[i] = eps
        step = step.reshape(x.shape)
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad.reshape(x.shape)
'''),
    Mistake("numerical_grad", "perturbs-callers-x",
            "Moves the entries of x.double() in place, but for a float64 x that is the caller's x itself: adding "
            "and subtracting eps leaves rounding changes behind (and an expanded x moves several entries at "
            "once); perturb a copy.", '''
def numerical_grad(f, x, eps=1e-6):
    import itertools
    x64 = x.detach().double()
    grad = torch.zeros(x.shape, dtype=torch.float64, device=x.device)
    for idx in itertools.product(*(range(n) for n in x.shape)):
        x64[idx] += eps
        up = f(x64)
        x64[idx] -= 2 * eps
        down = f(x64)
        x64[idx] += eps
        grad[idx] = (up - down) / (2 * eps)
    return grad.to(x.dtype)
''', numerical=True),
    Mistake("numerical_grad", "cpu-buffers",
            "Creates the gradient and the step with torch.zeros(...) on the default device (the CPU); on a GPU "
            "x + step then fails: create them with device=x.device.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double()
    grad = torch.zeros(x64.numel(), dtype=torch.float64)
    for i in range(x64.numel()):
        step = torch.zeros(x64.numel(), dtype=torch.float64)
        step[i] = eps
        step = step.reshape(x64.shape)
        grad[i] = (f(x64 + step) - f(x64 - step)) / (2 * eps)
    return grad.reshape(x.shape).to(x.dtype)
'''),
    Mistake("numerical_grad", "float32-buffer",
            "Stores the float64 differences in torch.zeros(n), whose default dtype is float32, so a float64 x "
            "gets a gradient rounded to 7 digits; give the buffer dtype=torch.float64.", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().double()
    grad = torch.zeros(x64.numel(), device=x.device)
    for i in range(x64.numel()):
        step = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
        step[i] = eps
        step = step.reshape(x64.shape)
        grad[i] = (f(x64 + step) - f(x64 - step)) / (2 * eps)
    return grad.reshape(x.shape).to(x.dtype)
''', numerical=True),
    # ---- linreg_grad
    Mistake("linreg_grad", "missing-factor-2",
            "Drops the 2 of the derivative of a square: the gradient of mean((X w - y)^2) is 2 X^T (X w - y) / n.", '''
def linreg_grad(X, y, w):
    return X.T @ (X @ w - y) / X.shape[0]
'''),
    Mistake("linreg_grad", "sum-not-mean",
            "Forgets to divide by n: the loss is the mean of the squared errors, so its gradient is divided by n "
            "too.", '''
def linreg_grad(X, y, w):
    return 2 * X.T @ (X @ w - y)
'''),
    Mistake("linreg_grad", "sign-flipped",
            "Uses the residual y - X w, which flips the gradient's sign; the gradient of the loss is "
            "2 X^T (X w - y) / n.", '''
def linreg_grad(X, y, w):
    return 2 * X.T @ (y - X @ w) / X.shape[0]
'''),
    Mistake("linreg_grad", "divides-by-d",
            "Divides by the number of features (X.shape[1] or len(w)); the mean is over the n samples, "
            "X.shape[0].", '''
def linreg_grad(X, y, w):
    return 2 * X.T @ (X @ w - y) / w.shape[0]
'''),
    Mistake("linreg_grad", "residual-into-y",
            "Computes the residual into y in place (y -= X @ w) to save memory, which changes the caller's "
            "targets; compute X @ w - y as a new tensor.", '''
def linreg_grad(X, y, w):
    y -= X @ w
    return -2 * X.T @ y / X.shape[0]
'''),
    Mistake("linreg_grad", "cpu-accumulator",
            "Sums the per-sample terms into torch.zeros(d) made on the default device (the CPU); on a GPU the "
            "sum fails: create it with device=X.device (or torch.zeros_like(w)).", '''
def linreg_grad(X, y, w):
    grad = torch.zeros(X.shape[1], dtype=X.dtype)
    for xi, yi in zip(X, y):
        grad = grad + 2 * (xi @ w - yi) * xi
    return grad / X.shape[0]
'''),
    # ---- gradient_descent
    Mistake("gradient_descent", "no-zero-grad",
            "Never zeroes w.grad, so backward() adds each new gradient to the old ones; reset it after every "
            "update (w.grad.zero_() or w.grad = None).", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        path.append(w.detach().clone())
        losses.append(loss.detach())
    return torch.stack(path), torch.stack(losses)
'''),
    Mistake("gradient_descent", "detach-shares-memory",
            "Stores w.detach() in the path; detach() shares w's memory, so later in-place updates change every "
            "stored point. Store w.detach().clone().", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        path.append(w.detach())
        losses.append(loss.detach())
    return torch.stack(path), torch.stack(losses)
'''),
    Mistake("gradient_descent", "rebinds-w",
            "Updates with w = w - lr * w.grad, which makes w a non-leaf tensor whose .grad is None at the next "
            "step; update in place inside torch.no_grad().", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        w = w - lr * w.grad
        path.append(w.detach().clone())
        losses.append(loss.detach())
    return torch.stack(path), torch.stack(losses)
'''),
    Mistake("gradient_descent", "sum-loss",
            "Minimises the sum of squared errors instead of their mean, so every step is n times too long.", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        path.append(w.detach().clone())
        losses.append(loss.detach() / X.shape[0])
    return torch.stack(path), torch.stack(losses)
'''),
    Mistake("gradient_descent", "cpu-zeros",
            "Creates w with torch.zeros(...) on the default device (the CPU); create it on X.device.", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        path.append(w.detach().clone())
        losses.append(loss.detach())
    return torch.stack(path), torch.stack(losses)
'''),
    Mistake("gradient_descent", "losses-keep-the-graph",
            "Appends loss itself, not loss.detach(), so the losses still require grad and hold every step's "
            "graph (and cannot be plotted).", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        path.append(w.detach().clone())
        losses.append(loss)
    return torch.stack(path), torch.stack(losses)
'''),
    Mistake("gradient_descent", "path-of-clones",
            "Stores w.clone() in the path; a clone of a tensor that requires grad is part of the graph, so the "
            "path requires grad too. Store w.detach().clone().", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.clone()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        path.append(w.clone())
        losses.append(loss.detach())
    return torch.stack(path), torch.stack(losses)
'''),
    Mistake("gradient_descent", "losses-on-default-device",
            "Collects loss.item() and returns torch.tensor(losses), which lands on the default device (the "
            "CPU), not X's; pass device=X.device.", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        path.append(w.detach().clone())
        losses.append(loss.item())
    return torch.stack(path), torch.tensor(losses, dtype=X.dtype)
'''),
    # ---- sgd_step_
    Mistake("sgd_step_", "rebinds-loop-variable",
            "Assigns p = p - lr * p.grad, which only rebinds the loop variable; the tensor in params is "
            "unchanged. Update it in place: p -= lr * p.grad.", '''
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p = p - lr * p.grad
'''),
    Mistake("sgd_step_", "outside-no-grad",
            "Updates in place without torch.no_grad(); autograd forbids in-place changes to a leaf that "
            "requires grad.", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad
'''),
    Mistake("sgd_step_", "new-tensors-in-list",
            "Puts new tensors into the list (params[i] = ...); the model still holds the old ones, so update "
            "each tensor in place.", '''
def sgd_step_(params, lr):
    with torch.no_grad():
        for i, p in enumerate(params):
            if p.grad is not None:
                params[i] = p - lr * p.grad
'''),
    Mistake("sgd_step_", "plus-sign",
            "Adds lr * grad, which climbs the loss; gradient descent subtracts it.", '''
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p += lr * p.grad
'''),
    Mistake("sgd_step_", "none-grad",
            "Assumes every parameter has a gradient; skip those whose .grad is None (they were not used by the "
            "loss).", '''
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
'''),
    Mistake("sgd_step_", "scales-grad-in-place",
            "Multiplies p.grad by lr in place (p.grad.mul_(lr)) before subtracting it, which changes the "
            "gradient the training loop (or a gradient check) reads next; compute lr * p.grad as a new tensor.", '''
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= p.grad.mul_(lr)
'''),
    Mistake("sgd_step_", "zeroes-grad-in-step",
            "Zeroes p.grad inside the step; the step must leave .grad alone (zeroing it is the training loop's "
            "job, with zero_grad before the next backward).", '''
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
                p.grad.zero_()
'''),
    # ---- momentum_step_
    Mistake("momentum_step_", "velocity-not-stored",
            "Computes the new velocity into a local variable (v = momentum * v + grad), so it is lost after "
            "the step; update the tensor in velocities in place.", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v = momentum * v + p.grad
                p -= lr * v
'''),
    Mistake("momentum_step_", "dampened",
            "Scales the gradient by (1 - momentum) (an exponential average); torch.optim.SGD adds the full "
            "gradient: v = momentum * v + grad.", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v.mul_(momentum).add_((1 - momentum) * p.grad)
                p -= lr * v
'''),
    Mistake("momentum_step_", "stale-velocity",
            "Moves the parameter with the old velocity and updates the velocity afterwards; update v first, "
            "then p -= lr * v.", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                p -= lr * v
                v.mul_(momentum).add_(p.grad)
'''),
    Mistake("momentum_step_", "lr-twice",
            "Puts lr into the velocity and multiplies by lr again when updating p; use lr once (torch's "
            "v = momentum * v + grad, p -= lr * v).", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v.mul_(momentum).add_(lr * p.grad)
                p -= lr * v
'''),
    Mistake("momentum_step_", "velocity-is-grad",
            "Adds momentum * v into p.grad in place and stores p.grad as the velocity: .grad changes, and after "
            "zero_grad(set_to_none=False) the velocity is wiped with it; keep the velocity in its own tensor.", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for i, p in enumerate(params):
            if p.grad is None:
                continue
            g = p.grad
            g += momentum * velocities[i]
            velocities[i] = g
            p -= lr * g
'''),
    Mistake("momentum_step_", "first-velocity-aliases-grad",
            "On the first step stores p.grad itself as the velocity (torch.optim.SGD stores a clone); when "
            "zero_grad zeroes .grad in place, it zeroes the velocity too. Store p.grad.clone().", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for i, p in enumerate(params):
            if p.grad is None:
                continue
            if bool((velocities[i] == 0).all()):
                velocities[i] = p.grad
            else:
                velocities[i].mul_(momentum).add_(p.grad)
            p -= lr * velocities[i]
'''),
]

VARIANTS = [
    Variant("numerical_grad", "eye-rows", "perturbations taken from the rows of an identity matrix", '''
def numerical_grad(f, x, eps=1e-6):
    x64 = x.detach().to(torch.float64)
    directions = torch.eye(x64.numel(), dtype=torch.float64, device=x.device) * eps
    diffs = [f(x64 + d.reshape(x64.shape)) - f(x64 - d.reshape(x64.shape)) for d in directions]
    if not diffs:
        return torch.zeros_like(x)
    return (torch.stack(diffs) / (2 * eps)).reshape(x.shape).to(x.dtype)
'''),
    Variant("numerical_grad", "five-point", "the fourth-order five-point stencil, restoring x in place", '''
def numerical_grad(f, x, eps=1e-6):
    point = x.detach().double().clone(memory_format=torch.contiguous_format)
    flat = point.view(-1)
    grad = torch.empty_like(flat)
    for i in range(flat.numel()):
        saved = flat[i].clone()
        values = []
        for k in (2, 1, -1, -2):
            flat[i] = saved + k * eps
            values.append(f(point))
        flat[i] = saved
        grad[i] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * eps)
    return grad.view(x.shape).to(x.dtype)
'''),
    Variant("linreg_grad", "per-sample-loop", "a loop over the samples, adding 2 (x_i . w - y_i) x_i / n", '''
def linreg_grad(X, y, w):
    grad = torch.zeros_like(w)
    for xi, yi in zip(X, y):
        grad = grad + 2 * (xi @ w - yi) * xi
    return grad / X.shape[0]
'''),
    Variant("linreg_grad", "expanded", "the expanded form 2 (X^T X w - X^T y) / n, with einsum", '''
def linreg_grad(X, y, w):
    gram = torch.einsum("ni,nj->ij", X, X)
    return 2 * (gram @ w - torch.einsum("ni,n->i", X, y)) / len(y)
'''),
    Variant("linreg_grad", "residual-times-X", "the residual row-vector times X, in float64 inside", '''
def linreg_grad(X, y, w):
    residual = X.double() @ w.double() - y.double()
    return (residual @ X.double() * (2.0 / X.shape[0])).to(X.dtype)
'''),
    Variant("gradient_descent", "closed-form", "the gradient by hand, no autograd, a plain tensor updated", '''
def gradient_descent(X, y, lr, steps):
    w = X.new_zeros(X.shape[1])
    path, losses = [w], []
    for _ in range(steps):
        residual = X @ w - y
        losses.append((residual ** 2).mean())
        w = w - lr * 2 * (X.T @ residual) / X.shape[0]
        path.append(w)
    return torch.stack(path), torch.stack(losses)
'''),
    Variant("gradient_descent", "optim-sgd", "torch.optim.SGD does the update, into preallocated results", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    path = torch.empty(steps + 1, X.shape[1], dtype=X.dtype, device=X.device)
    losses = torch.empty(steps, dtype=X.dtype, device=X.device)
    path[0] = w.detach()
    for t in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(X @ w, y)
        loss.backward()
        opt.step()
        path[t + 1] = w.detach()
        losses[t] = loss.detach()
    return path, losses
'''),
    Variant("gradient_descent", "autograd-grad-new-leaf", "torch.autograd.grad, then a fresh leaf every step", '''
def gradient_descent(X, y, lr, steps):
    w = X.new_zeros(X.shape[1]).requires_grad_()
    path, losses = [w.detach()], []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        (g,) = torch.autograd.grad(loss, w)
        w = (w - lr * g).detach().requires_grad_()
        path.append(w.detach())
        losses.append(loss.detach())
    return torch.stack(path), torch.stack(losses)
'''),
    Variant("gradient_descent", "item-losses", "losses read with .item() into a list, returned on X's device", '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    path, losses = [w.detach().clone()], []
    for _ in range(steps):
        loss = torch.mean((X @ w - y) ** 2)
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
            w.grad = None
        path.append(w.detach().clone())
        losses.append(loss.item())
    return torch.stack(path), torch.tensor(losses, dtype=X.dtype, device=X.device)
'''),
    Variant("sgd_step_", "data", "updates p.data, which autograd does not track", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p.data -= lr * p.grad.data
'''),
    Variant("sgd_step_", "detach-sub", "an in-place sub_ on p.detach(), which shares p's memory", '''
def sgd_step_(params, lr):
    for p in filter(lambda t: t.grad is not None, params):
        p.detach().sub_(p.grad, alpha=lr)
'''),
    Variant("momentum_step_", "course-convention", "the course's v = momentum * v - lr * grad; p += v", '''
def momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v.mul_(momentum).sub_(lr * p.grad)
                p.add_(v)
'''),
    Variant("momentum_step_", "replace-list-entries", "new velocity tensors stored back into the list; p.data updated", '''
def momentum_step_(params, velocities, lr, momentum):
    for i, p in enumerate(params):
        if p.grad is None:
            continue
        velocities[i] = momentum * velocities[i] + p.grad.detach()
        p.data.add_(velocities[i], alpha=-lr)
'''),
]
