"""Train a scaled logistic regression on 13 features read from features13.h5."""
import h5py
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def load(path):
    with h5py.File(path, "r") as h5:
        return h5["X"][:], h5["y"][:]


if __name__ == "__main__":
    X, y = load("features13.h5")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    classifier.fit(X_train, y_train)
    accuracy = float(classifier.score(X_test, y_test))
    print(f"accuracy {accuracy:.3f} on {len(y_test)} held-out rows")
