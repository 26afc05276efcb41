"""Assignment 5, "The data pipeline and the training loop": mistakes students make, and correct variants written
differently."""
from autograder.catalog import Mistake, Variant

MISTAKES = [
    # ---- make_regression
    Mistake("make_regression", "noise-not-scaled",
            "Adds torch.randn(n) without multiplying by `noise`, so the noise always has std 1.", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, len(w), generator=g, dtype=w.dtype).to(w.device)
    y = X @ w + b + torch.randn(n, generator=g, dtype=w.dtype).to(w.device)
    return X, y
'''),
    Mistake("make_regression", "forgets-bias",
            "Leaves out the bias: y = X @ w + b + noise.", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, len(w), generator=g, dtype=w.dtype).to(w.device)
    y = X @ w + noise * torch.randn(n, generator=g, dtype=w.dtype).to(w.device)
    return X, y
'''),
    Mistake("make_regression", "uniform-features",
            "Draws the features with torch.rand (uniform on [0, 1)); they should be standard normal (torch.randn).", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(n, len(w), generator=g, dtype=w.dtype).to(w.device)
    y = X @ w + b + noise * torch.randn(n, generator=g, dtype=w.dtype).to(w.device)
    return X, y
'''),
    Mistake("make_regression", "stays-on-cpu",
            "Draws X on the CPU and never moves it to w's device: use .to(w.device).", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, len(w), generator=g, dtype=w.dtype)
    y = X @ w + b + noise * torch.randn(n, generator=g, dtype=w.dtype)
    return X, y
'''),
    # ---- make_classification
    Mistake("make_classification", "float-labels",
            "Makes the labels floats; class labels are int64 (torch.long), as cross-entropy expects.", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    X, y = [], []
    for c, center in enumerate(centers):
        noise = torch.randn(n_per_class, len(center), generator=g, dtype=centers.dtype).to(centers.device)
        X.append(center + std * noise)
        y.append(torch.full((n_per_class,), float(c), device=centers.device))
    return torch.cat(X), torch.cat(y)
'''),
    Mistake("make_classification", "variance-as-std",
            "Multiplies the noise by std ** 2; torch.randn has std 1, so std * randn has std `std`.", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    k, d = centers.shape
    noise = torch.randn(k, n_per_class, d, generator=g, dtype=centers.dtype).to(centers.device)
    X = (centers.unsqueeze(1) + std ** 2 * noise).reshape(k * n_per_class, d)
    return X, torch.arange(k, device=centers.device).repeat_interleave(n_per_class)
'''),
    Mistake("make_classification", "labels-cycle",
            "Builds the labels with repeat (0, 1, 2, 0, 1, 2, ...), but the rows come class by class: use "
            "repeat_interleave (0, 0, ..., 1, 1, ...).", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    k, d = centers.shape
    noise = torch.randn(k, n_per_class, d, generator=g, dtype=centers.dtype).to(centers.device)
    X = (centers.unsqueeze(1) + std * noise).reshape(k * n_per_class, d)
    return X, torch.arange(k, device=centers.device).repeat(n_per_class)
'''),
    Mistake("make_classification", "one-draw-for-all-classes",
            "Draws one block of noise and reuses it for every class, so the classes are exact copies of each "
            "other shifted; draw fresh noise for every class.", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    k, d = centers.shape
    noise = torch.randn(n_per_class, d, generator=g, dtype=centers.dtype).to(centers.device)
    X = torch.cat([center + std * noise for center in centers])
    return X, torch.arange(k, device=centers.device).repeat_interleave(n_per_class)
'''),
    # ---- data_split_batches
    Mistake("data_split_batches", "no-shuffle",
            "Cuts the batches in the original order; shuffle the indices first, or every epoch sees the same "
            "batches.", '''
def data_split_batches(X, y, batch_size, seed):
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]
'''),
    Mistake("data_split_batches", "drops-last",
            "Makes len(X) // batch_size batches, which drops the last, smaller batch: its samples are never used.", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    batches = []
    for k in range(len(X) // batch_size):
        idx = order[k * batch_size:(k + 1) * batch_size]
        batches.append((X[idx], y[idx]))
    return batches
'''),
    Mistake("data_split_batches", "separate-shuffles",
            "Shuffles X and y with two different permutations, so features and labels no longer match; index "
            "both with the same shuffled indices.", '''
def data_split_batches(X, y, batch_size, seed):
    g = torch.Generator().manual_seed(seed)
    X, y = X[torch.randperm(len(X), generator=g)], y[torch.randperm(len(y), generator=g)]
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]
'''),
    Mistake("data_split_batches", "with-replacement",
            "Draws the indices with torch.randint, which repeats some samples and misses others; a permutation "
            "(torch.randperm) uses each exactly once.", '''
def data_split_batches(X, y, batch_size, seed):
    idx = torch.randint(0, len(X), (len(X),), generator=torch.Generator().manual_seed(seed))
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]]) for i in range(0, len(X), batch_size)]
'''),
    # ---- train_test_split
    Mistake("train_test_split", "no-shuffle",
            "Takes the first rows for training without shuffling; data is often sorted (by class, by date), so "
            "shuffle first.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    n_train = int(len(X) * train_fraction)
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]
'''),
    Mistake("train_test_split", "round-size",
            "Rounds n * train_fraction; the exercise (like the course) keeps int(n * train_fraction) samples, "
            "rounding down.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    n_train = round(len(X) * train_fraction)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    return X[order[:n_train]], X[order[n_train:]], y[order[:n_train]], y[order[n_train:]]
'''),
    Mistake("train_test_split", "wrong-order",
            "Returns (X_train, y_train, X_test, y_test); the order is (X_train, X_test, y_train, y_test), like "
            "scikit-learn's train_test_split.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    n_train = int(len(X) * train_fraction)
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    return X[order[:n_train]], y[order[:n_train]], X[order[n_train:]], y[order[n_train:]]
'''),
    Mistake("train_test_split", "separate-shuffles",
            "Shuffles X and y with two different permutations, so training features and labels no longer match.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    n_train = int(len(X) * train_fraction)
    g = torch.Generator().manual_seed(seed)
    X, y = X[torch.randperm(len(X), generator=g)], y[torch.randperm(len(y), generator=g)]
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]
'''),
    # ---- PairDataset
    Mistake("PairDataset", "len-of-a-row",
            "Returns features.shape[1] (the number of columns) from __len__; the length is the number of samples "
            "(rows).", '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        if len(features) != len(labels):
            raise ValueError("lengths differ")
        self.features, self.labels = features, labels

    def __len__(self):
        return self.features.shape[1]

    def __getitem__(self, index):
        return self.features[index], self.labels[index]
'''),
    Mistake("PairDataset", "features-only",
            "Returns only the features from __getitem__; each item is the pair (features[i], labels[i]).", '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        if len(features) != len(labels):
            raise ValueError("lengths differ")
        self.features, self.labels = features, labels

    def __len__(self):
        return len(self.features)

    def __getitem__(self, index):
        return self.features[index]
'''),
    Mistake("PairDataset", "label-first",
            "Returns (labels[i], features[i]); the convention, which DataLoader batches and training loops rely "
            "on, is (features, label).", '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        if len(features) != len(labels):
            raise ValueError("lengths differ")
        self.features, self.labels = features, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.labels[index], self.features[index]
'''),
    Mistake("PairDataset", "no-length-check",
            "Accepts features and labels of different lengths; raise ValueError, or a wrong pairing surfaces only "
            "much later.", '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        self.features, self.labels = features, labels

    def __len__(self):
        return len(self.features)

    def __getitem__(self, index):
        return self.features[index], self.labels[index]
'''),
    # ---- loss_with_loader
    Mistake("loss_with_loader", "mean-of-batch-means",
            "Averages the batch means; when the last batch is smaller, weigh each batch's mean by its size and "
            "divide by the number of samples.", '''
def loss_with_loader(model, loader, loss_fn):
    losses = []
    with torch.no_grad():
        for xb, yb in loader:
            losses.append(loss_fn(model(xb), yb).item())
    return sum(losses) / len(losses)
'''),
    Mistake("loss_with_loader", "sum-of-batch-means",
            "Adds up the batch means without dividing: the result grows with the number of batches.", '''
def loss_with_loader(model, loader, loss_fn):
    total = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).item()
    return total
'''),
    Mistake("loss_with_loader", "first-batch-only",
            "Returns inside the loop, so only the first batch is measured; return after the loop.", '''
def loss_with_loader(model, loader, loss_fn):
    with torch.no_grad():
        for xb, yb in loader:
            return loss_fn(model(xb), yb).item()
'''),
    Mistake("loss_with_loader", "full-batches-count",
            "Divides by len(loader) * batch_size, which counts the smaller last batch as full; count the samples.", '''
def loss_with_loader(model, loader, loss_fn):
    total = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).item() * len(xb)
    return total / (len(loader) * loader.batch_size)
'''),
    # ---- accuracy_with_loader
    Mistake("accuracy_with_loader", "mean-of-batch-accuracies",
            "Averages the per-batch accuracies; a smaller last batch then counts as much as a full one.", '''
def accuracy_with_loader(model, loader):
    accs = []
    with torch.no_grad():
        for xb, yb in loader:
            accs.append((model(xb).argmax(dim=1) == yb).float().mean().item())
    return sum(accs) / len(accs)
'''),
    Mistake("accuracy_with_loader", "max-values",
            "Compares the largest logit's value with the label; the predicted class is its position, argmax.", '''
def accuracy_with_loader(model, loader):
    correct, count = 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).max(dim=1).values == yb).sum().item()
            count += len(yb)
    return correct / count
'''),
    Mistake("accuracy_with_loader", "correct-count",
            "Returns the number of correct predictions; the accuracy divides it by the number of samples.", '''
def accuracy_with_loader(model, loader):
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
    return float(correct)
'''),
    Mistake("accuracy_with_loader", "argmax-over-batch",
            "Takes argmax over dim 0 (the batch); the class is the argmax over each row's logits, dim 1.", '''
def accuracy_with_loader(model, loader):
    correct, count = 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(dim=0) == yb).sum().item()
            count += len(yb)
    return correct / count
'''),
    # ---- fit
    Mistake("fit", "no-zero-grad",
            "Never zeroes the gradients: backward() adds to .grad, so every step also uses all the old gradients.", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    history = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        history.append(total / count)
    return history
'''),
    Mistake("fit", "zero-grad-before-step",
            "Zeroes the gradients between backward() and step(), so the step has nothing to follow; zero them "
            "before backward().", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    history = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.zero_grad()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        history.append(total / count)
    return history
'''),
    Mistake("fit", "step-before-backward",
            "Calls optimizer.step() before loss.backward(), so each step follows the previous batch's gradient.", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    history = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.step()
            optimizer.zero_grad()
            loss.backward()
            total += loss.item() * len(xb)
            count += len(xb)
        history.append(total / count)
    return history
'''),
    Mistake("fit", "last-batch-loss",
            "Records only the last batch's loss of each epoch; the epoch loss is the mean over all its samples.", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    history = []
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        history.append(loss.item())
    return history
'''),
    Mistake("fit", "mean-of-batch-means",
            "Averages the batch losses without weighing them by batch size; a smaller last batch then counts too "
            "much.", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    history = []
    for _ in range(epochs):
        losses = []
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
'''),
    # ---- fit_with_tensorboard
    Mistake("fit_with_tensorboard", 'last-batch-loss',
            "Logs the last batch's loss of each epoch under 'loss/train'; the epoch's loss is the mean over all its samples.", '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    writer.add_graph(model, next(iter(train_loader))[0])
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        model.train()
        writer.add_scalar("loss/train", loss.item(), epoch)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch)
    writer.close()
'''),
    Mistake("fit_with_tensorboard", 'steps-from-1',
            'Logs epoch e at step e + 1; the steps are the epochs counted from 0.', '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    writer.add_graph(model, next(iter(train_loader))[0])
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        model.train()
        writer.add_scalar("loss/train", total / count, epoch + 1)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch + 1)
    writer.close()
'''),
    Mistake("fit_with_tensorboard", 'test-in-train-mode',
            'Measures the test loss in training mode (no model.eval()), so dropout is still active on the test data.', '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    writer.add_graph(model, next(iter(train_loader))[0])
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        test_total = 0.0
        with torch.no_grad():
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        model.train()
        writer.add_scalar("loss/train", total / count, epoch)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch)
    writer.close()
'''),
    Mistake("fit_with_tensorboard", 'never-back-to-train',
            'Calls model.eval() for the test loss but never model.train() again, so later epochs train with dropout off.', '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    writer.add_graph(model, next(iter(train_loader))[0])
    for epoch in range(epochs):
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        writer.add_scalar("loss/train", total / count, epoch)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch)
    writer.close()
'''),
    Mistake("fit_with_tensorboard", 'test-loss-with-gradients',
            'Measures the test loss without torch.no_grad(): autograd records a graph for every test batch, for nothing.', '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    writer.add_graph(model, next(iter(train_loader))[0])
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        model.eval()
        test_total = 0.0
        if True:
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        model.train()
        writer.add_scalar("loss/train", total / count, epoch)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch)
    writer.close()
'''),
    Mistake("fit_with_tensorboard", 'no-close',
            'Never closes the writer, so the last events may never be written to disk; call writer.close().', '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    writer.add_graph(model, next(iter(train_loader))[0])
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        model.train()
        writer.add_scalar("loss/train", total / count, epoch)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch)
'''),
    Mistake("fit_with_tensorboard", 'no-graph',
            'Forgets writer.add_graph(model, X_batch), so TensorBoard has no graph of the model.', '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        model.train()
        writer.add_scalar("loss/train", total / count, epoch)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch)
    writer.close()
'''),
    Mistake("fit_with_tensorboard", 'test-before-training',
            "Measures the test loss before the epoch's training steps; log it after them.", '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir)
    writer.add_graph(model, next(iter(train_loader))[0])
    for epoch in range(epochs):
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for xb, yb in test_loader:
                test_total += loss_fn(model(xb), yb).item() * len(xb)
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        writer.add_scalar("loss/train", total / count, epoch)
        writer.add_scalar("loss/test", test_total / len(test_loader.dataset), epoch)
    writer.close()
'''),
    # ---- issue 18: mutated inputs, layouts, devices, return types, statistics
    Mistake("make_regression", "reseeded-noise",
            "Seeds a second generator with the same seed for the noise, so the noise repeats the first features "
            "drawn and is correlated with X; draw everything from one generator.", '''
def make_regression(n, w, b, noise, seed):
    X = torch.randn(n, len(w), generator=torch.Generator().manual_seed(seed), dtype=w.dtype).to(w.device)
    eps = torch.randn(n, generator=torch.Generator().manual_seed(seed), dtype=w.dtype).to(w.device)
    return X, X @ w + b + noise * eps
'''),
    Mistake("make_regression", "column-y",
            "Multiplies by w as a column (w.view(-1, 1)), so y has shape (n, 1) instead of (n,), and view fails for "
            "a non-contiguous w.", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, len(w), generator=g, dtype=w.dtype).to(w.device)
    eps = torch.randn(n, 1, generator=g, dtype=w.dtype).to(w.device)
    return X, X @ w.view(-1, 1) + b + noise * eps
'''),
    Mistake("make_classification", "one-noise-per-row",
            "Draws one number per row (shape (n, 1)) and broadcasts it over the coordinates, so every coordinate of "
            "a row moves together; draw one per row and coordinate.", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    k, d = centers.shape
    noise = torch.randn(k, n_per_class, 1, generator=g, dtype=centers.dtype).to(centers.device)
    X = (centers.unsqueeze(1) + std * noise).reshape(k * n_per_class, d)
    return X, torch.arange(k, device=centers.device).repeat_interleave(n_per_class)
'''),
    Mistake("make_classification", "centers-repeat",
            "Repeats the centers with centers.repeat(n_per_class, 1), which interleaves the classes (0, 1, 2, 0, ...) "
            "while the labels come class by class; use repeat_interleave for both.", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    k, d = centers.shape
    noise = torch.randn(k * n_per_class, d, generator=g, dtype=centers.dtype).to(centers.device)
    X = centers.repeat(n_per_class, 1) + std * noise
    return X, torch.arange(k, device=centers.device).repeat_interleave(n_per_class)
'''),
    Mistake("data_split_batches", "shuffle-in-place",
            "Shuffles the caller's X and y in place (X[:] = X[order]) before cutting them: the data outside the "
            "function changes; index copies instead.", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).to(X.device)
    X[:], y[:] = X[order], y[order]
    return [(X[i:i + batch_size].clone(), y[i:i + batch_size].clone()) for i in range(0, len(X), batch_size)]
'''),
    Mistake("data_split_batches", "float-features",
            "Converts the features to float (X.float()), which changes integer, boolean and float64 data; keep X's "
            "dtype.", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).to(X.device)
    Xf = X.float()
    return [(Xf[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(X), batch_size)]
'''),
    Mistake("train_test_split", "shuffle-in-place",
            "Shuffles the caller's X and y in place before slicing: the caller's data is reordered; index copies "
            "instead.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).to(X.device)
    X[:], y[:] = X[order], y[order]
    k = int(len(X) * train_fraction)
    return X[:k].clone(), X[k:].clone(), y[:k].clone(), y[k:].clone()
'''),
    Mistake("train_test_split", "numpy-round-trip",
            "Goes through numpy (X.numpy()) to shuffle, which works only for CPU tensors; shuffle with "
            "torch.randperm.", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed)).numpy()
    Xn, yn = X.numpy()[order], y.numpy()[order]
    k = int(len(X) * train_fraction)
    return torch.from_numpy(Xn[:k]), torch.from_numpy(Xn[k:]), torch.from_numpy(yn[:k]), torch.from_numpy(yn[k:])
'''),
    Mistake("PairDataset", "compares-shapes",
            "Checks features.shape != labels.shape, which rejects every valid dataset whose features have more than "
            "one column; compare the lengths (the first dimension).", '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        if features.shape != labels.shape:
            raise ValueError("shapes differ")
        self.features, self.labels = features, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.features[index], self.labels[index]
'''),
    Mistake("PairDataset", "float-features",
            "Converts the features to float32 in __init__ (features.float()), which changes integer, boolean and "
            "float64 data; keep them as given.", '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        if len(features) != len(labels):
            raise ValueError("lengths differ")
        self.features, self.labels = features.float(), labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.features[index], self.labels[index]
'''),
    Mistake("loss_with_loader", "returns-tensor",
            "Adds up the batch losses as tensors and returns a 0-d tensor; return a Python float (.item()).", '''
def loss_with_loader(model, loader, loss_fn):
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total = total + loss_fn(model(xb), yb) * len(xb)
            count += len(xb)
    return total / count
'''),
    Mistake("loss_with_loader", "tracks-gradients",
            "Evaluates without torch.no_grad(), so autograd records a graph for every batch, for nothing.", '''
def loss_with_loader(model, loader, loss_fn):
    total, count = 0.0, 0
    for xb, yb in loader:
        total += loss_fn(model(xb), yb).item() * len(xb)
        count += len(xb)
    return total / count
'''),
    Mistake("loss_with_loader", "backward-in-evaluation",
            "Calls backward() on the evaluation loss, which adds to the parameters' .grad and spoils the next "
            "training step; evaluation only reads the model.", '''
def loss_with_loader(model, loader, loss_fn):
    total, count = 0.0, 0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        loss.backward()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count
'''),
    Mistake("accuracy_with_loader", "tensor-count",
            "Counts the correct predictions in a tensor and returns a 0-d tensor; return a Python float.", '''
def accuracy_with_loader(model, loader):
    correct, count = 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            correct = correct + (model(xb).argmax(dim=1) == yb).sum()
            count += len(yb)
    return correct / count
'''),
    Mistake("accuracy_with_loader", "tracks-gradients",
            "Evaluates without torch.no_grad(), so autograd records a graph for every batch, for nothing.", '''
def accuracy_with_loader(model, loader):
    correct, count = 0, 0
    for xb, yb in loader:
        correct += (model(xb).argmax(dim=1) == yb).sum().item()
        count += len(yb)
    return correct / count
'''),
    Mistake("fit", "tensor-losses",
            "Keeps the epoch losses as tensors (no .item()), which keeps every batch's graph alive; return Python "
            "floats.", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    history = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total = total + loss * len(xb)
            count += len(xb)
        history.append(total / count)
    return history
'''),
    Mistake("fit", "zero-grad-per-epoch",
            "Zeroes the gradients once per epoch instead of once per batch, so each step also follows the earlier "
            "batches' gradients.", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    history = []
    for _ in range(epochs):
        optimizer.zero_grad()
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        history.append(total / count)
    return history
'''),
]

VARIANTS = [
    Variant("make_regression", "float64-addmv", "draws in float64 with torch.normal, then torch.addmv", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.normal(0.0, 1.0, size=(n, len(w)), generator=g, dtype=torch.float64).to(w.device, w.dtype)
    eps = torch.normal(0.0, 1.0, size=(n,), generator=g, dtype=torch.float64).to(w.device, w.dtype)
    return X, torch.addmv(b + noise * eps, X, w)
'''),
    Variant("make_regression", "one-draw", "one randn draw of n x (d + 1) values split into X and the noise", '''
def make_regression(n, w, b, noise, seed):
    g = torch.Generator().manual_seed(seed)
    draws = torch.randn(n, len(w) + 1, generator=g, dtype=w.dtype).to(w.device)
    X, eps = draws[:, :-1], draws[:, -1]
    return X.contiguous(), torch.mv(X, w) + b + noise * eps
'''),
    Variant("make_classification", "loop-cat", "a loop over the classes, with torch.cat and torch.full", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    X, y = [], []
    for c in range(len(centers)):
        noise = torch.randn(n_per_class, centers.shape[1], generator=g, dtype=centers.dtype).to(centers.device)
        X.append(centers[c] + std * noise)
        y.append(torch.full((n_per_class,), c, dtype=torch.long, device=centers.device))
    return torch.cat(X), torch.cat(y)
'''),
    Variant("make_classification", "index-centers", "labels first, then centers[y] plus one noise draw", '''
def make_classification(n_per_class, centers, std, seed):
    g = torch.Generator().manual_seed(seed)
    k, d = centers.shape
    y = torch.arange(k).repeat_interleave(n_per_class).to(centers.device)
    noise = torch.normal(0.0, 1.0, size=(k * n_per_class, d), generator=g).to(centers.device, centers.dtype)
    return centers[y] + std * noise, y
'''),
    Variant("data_split_batches", "split-indices", "torch.split on the permuted indices", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    return [(X[idx], y[idx]) for idx in torch.split(order, batch_size)]
'''),
    Variant("data_split_batches", "permute-then-slice", "permutes X and y together once, then slices", '''
def data_split_batches(X, y, batch_size, seed):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed + 12345)).tolist()
    Xs, ys = X[order], y[order]
    out = []
    start = 0
    while start < len(Xs):
        out.append([Xs[start:start + batch_size], ys[start:start + batch_size]])
        start += batch_size
    return out
'''),
    Variant("train_test_split", "global-seed", "torch.manual_seed and a boolean mask", '''
def train_test_split(X, y, train_fraction=0.7, seed=0):
    torch.manual_seed(seed)
    n = len(X)
    order = torch.randperm(n)
    in_train = torch.zeros(n, dtype=torch.bool)
    in_train[order[:int(n * train_fraction)]] = True
    in_train = in_train.to(X.device)
    return X[in_train], X[~in_train], y[in_train], y[~in_train]
'''),
    Variant("train_test_split", "math-floor", "math.floor and one permuted copy of X and y", '''
import math

def train_test_split(X, y, train_fraction=0.7, seed=0):
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(X.shape[0], generator=g).to(X.device)
    Xp, yp = X.index_select(0, perm), y.index_select(0, perm)
    k = math.floor(X.shape[0] * train_fraction)
    return Xp[:k], Xp[k:], yp[:k], yp[k:]
'''),
    Variant("PairDataset", "tensordataset", "a subclass of TensorDataset that checks the lengths first", '''
from torch.utils.data import TensorDataset


class PairDataset(TensorDataset):
    def __init__(self, features, labels):
        if features.shape[0] != labels.shape[0]:
            raise ValueError("features and labels differ in length")
        super().__init__(features, labels)
'''),
    Variant("PairDataset", "list-of-pairs", "stores a list of (row, label) pairs; items are lists", '''
from torch.utils.data import Dataset


class PairDataset(Dataset):
    def __init__(self, features, labels):
        if len(features) != len(labels):
            raise ValueError(f"{len(features)} != {len(labels)}")
        self.pairs = [[f, l] for f, l in zip(features, labels)]

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, i):
        return self.pairs[i]
'''),
    Variant("loss_with_loader", "reduction-sum", "sums per-sample losses from a reduction='none' copy of loss_fn", '''
def loss_with_loader(model, loader, loss_fn):
    per_sample = type(loss_fn)(reduction="sum")
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += per_sample(model(xb), yb).item() / (yb.numel() // len(yb))
            count += len(yb)
    return total / count
'''),
    Variant("loss_with_loader", "tensor-accumulator", "accumulates in a float64 tensor, divides by len(loader.dataset)",
            '''
def loss_with_loader(model, loader, loss_fn):
    model_was_training = model.training
    model.eval()
    total = torch.zeros((), dtype=torch.float64)
    with torch.inference_mode():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).double().cpu() * xb.shape[0]
    model.train(model_was_training)
    return (total / len(loader.dataset)).item()
'''),
    Variant("accuracy_with_loader", "collect-then-compare", "collects every prediction, then compares once", '''
def accuracy_with_loader(model, loader):
    preds, labels = [], []
    with torch.no_grad():
        for xb, yb in loader:
            preds.append(torch.max(model(xb), dim=1).indices)
            labels.append(yb)
    return torch.cat(preds).eq(torch.cat(labels)).double().mean().item()
'''),
    Variant("accuracy_with_loader", "dataset-length", "counts with torch.sum and divides by len(loader.dataset)", '''
def accuracy_with_loader(model, loader):
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += int(torch.sum(torch.argmax(model(xb), dim=-1) == yb))
    return correct / len(loader.dataset)
'''),
    Variant("fit", "zero-grad-at-end", "zeroes the gradients after each step (before the next backward)", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    optimizer.zero_grad()
    losses = []
    for epoch in range(epochs):
        seen, running = 0, 0.0
        model.train()
        for xb, yb in loader:
            batch_loss = loss_fn(model(xb), yb)
            batch_loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            running += batch_loss.detach().double().item() * yb.shape[0]
            seen += yb.shape[0]
        losses.append(running / seen)
    return losses
'''),
    Variant("fit", "dataset-length-tensor", "sums in a tensor and divides by len(loader.dataset)", '''
def fit(model, loader, loss_fn, optimizer, epochs):
    result = []
    for _ in range(epochs):
        epoch_sum = torch.zeros(())
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            epoch_sum += loss.detach().cpu().double() * len(xb)
        result.append(float(epoch_sum / len(loader.dataset)))
    return result
'''),
    Variant("fit_with_tensorboard", "with-block-inference", "a with block, inference_mode, tensor accumulators and "
            "keyword steps; the graph logged after training", '''
from torch.utils.tensorboard import SummaryWriter


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    first_batch = next(iter(train_loader))[0]
    with SummaryWriter(log_dir=log_dir) as writer:
        for epoch in range(epochs):
            model.train()
            running = torch.zeros((), dtype=torch.float64)
            for xb, yb in train_loader:
                optimizer.zero_grad(set_to_none=True)
                batch_loss = loss_fn(model(xb), yb)
                batch_loss.backward()
                optimizer.step()
                running += batch_loss.detach().double().cpu() * xb.shape[0]
            model.eval()
            with torch.inference_mode():
                test_sum = sum(loss_fn(model(xb), yb).double().cpu() * xb.shape[0] for xb, yb in test_loader)
            writer.add_scalar(tag="loss/train", scalar_value=(running / len(train_loader.dataset)).item(),
                              global_step=epoch)
            writer.add_scalar(tag="loss/test", scalar_value=(test_sum / len(test_loader.dataset)).item(),
                              global_step=epoch)
        model.train()
        writer.add_graph(model, first_batch)
'''),
    Variant("fit_with_tensorboard", "helpers-flush", "small helper functions, a restored mode, flush() then close()", '''
from torch.utils.tensorboard import SummaryWriter


def _mean_loss(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += float(loss_fn(model(xb), yb)) * len(yb)
            count += len(yb)
    model.train(was_training)
    return total / count


def _one_epoch(model, loader, loss_fn, optimizer):
    total, count = 0.0, 0
    for xb, yb in loader:
        out = model(xb)
        loss = loss_fn(out, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total, count = total + loss.item() * len(yb), count + len(yb)
    return total / count


def fit_with_tensorboard(model, train_loader, test_loader, loss_fn, optimizer, epochs, log_dir):
    writer = SummaryWriter(log_dir, flush_secs=5)
    xb, _ = next(iter(train_loader))
    writer.add_graph(model, xb)
    for step in range(epochs):
        writer.add_scalar("loss/train", _one_epoch(model, train_loader, loss_fn, optimizer), step)
        writer.add_scalar("loss/test", _mean_loss(model, test_loader, loss_fn), step)
    writer.flush()
    writer.close()
'''),
]
