"""Fit several kinds of scikit-learn model on features13.h5: a grid search over an SVC, Gaussian naive
Bayes, k-means, and a kernel density (which has no ONNX converter: the job reports it, exports the rest)."""
import h5py
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KernelDensity
from sklearn.svm import SVC

with h5py.File("features13.h5", "r") as h5:
    X, y = h5["X"][:], h5["y"][:]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

search = GridSearchCV(SVC(probability=True, random_state=0), {"C": [0.5, 2.0]}, cv=3)
search.fit(X_train, y_train)
naive_bayes = GaussianNB().fit(X_train, y_train)
clusters = KMeans(n_clusters=3, n_init=10, random_state=0).fit(X_train)
density = KernelDensity(bandwidth=1.0).fit(X_train)

print(f"best C {search.best_params_['C']}: SVC accuracy {search.score(X_test, y_test):.3f}")
print(f"naive Bayes accuracy {naive_bayes.score(X_test, y_test):.3f}")
print(f"mean log density of the held-out rows {density.score_samples(X_test).mean():.2f}")
