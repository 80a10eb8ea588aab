"""Train a small PyTorch MLP on the 13 features of features13.h5 (3 classes) and print its accuracy."""
import h5py
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
with h5py.File("features13.h5", "r") as h5:
    X, y = h5["X"][:], h5["y"][:]
order = np.random.default_rng(0).permutation(len(y))
train, test = order[:135], order[135:]
X_train, y_train = torch.tensor(X[train], dtype=torch.float32), torch.tensor(y[train])
X_test, y_test = torch.tensor(X[test], dtype=torch.float32), torch.tensor(y[test])

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(5):
    model.train()
    for start in range(0, len(y_train), 16):
        optimizer.zero_grad()
        loss = criterion(model(X_train[start:start + 16]), y_train[start:start + 16])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: loss {loss.item():.3f}")

model.eval()
with torch.no_grad():
    accuracy = (model(X_test).argmax(dim=1) == y_test).float().mean().item()
print(f"accuracy {accuracy:.3f} on {len(y_test)} held-out rows")
