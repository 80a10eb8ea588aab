#!/usr/bin/env python3
"""Apply an ONNX model to a dataset of an HDF5 file and score the predictions against labels.

The prediction step of a training workflow: run_jupyter_job returns each trained model as ONNX,
this applies one of them (a workflow maps it over the collection) to test data. The features are
read and predicted in batches, so a file larger than memory streams through. What the outputs mean
is read from their types and shapes, not from their names (tf2onnx, skl2onnx and torch name them
differently):

- an integer (or string) vector is a predicted label (skl2onnx classifiers);
- a float matrix with more than one column is class scores (Keras softmax, skl2onnx
  probabilities, torch logits); the predicted class is its argmax when no label output exists;
- a float vector or one-column matrix is a regression value;
- anything else (an image-to-image model's mask, say) is kept as it is; with labels of the same
  shape it is scored as a binary mask (threshold 0.5).

Every raw output is written to ``outputs/<name>`` of the predictions file as well. Errors a user can
cause end with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

__version__ = "0.1.0"
EXIT_BAD_INPUT = 2
ONNX_TO_NUMPY = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
}


class BadInput(Exception):
    """A problem with the model, the data or the names given; reported as one line, exit code 2."""


@dataclass
class Roles:
    """Which model output holds what, decided from the first batch."""

    label: str | None = None
    scores: str | None = None
    value: str | None = None

    @property
    def task(self) -> str:
        if self.label or self.scores:
            return "classification"
        return "regression" if self.value else "other"


def load_session(path: Path, threads: int):
    """An onnxruntime session on the best provider present (CUDA when this onnxruntime has it)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(threads, 1)
    options.log_severity_level = 3
    preferred = [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in ort.get_available_providers()]
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=preferred)
    except Exception as err:  # onnxruntime raises its own exception types for unreadable models
        raise BadInput(f"the model is not an ONNX model onnxruntime can load: {str(err).splitlines()[0]}") from err


def model_producer(path: Path) -> str:
    """'tf2onnx 1.17.0', 'skl2onnx 1.20.0', ... read from the model's metadata."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return f"{model.producer_name} {model.producer_version}".strip()


def open_dataset(h5: h5py.File, name: str, what: str) -> h5py.Dataset:
    """The named dataset, refusing links that leave the file (they could point at any file on the node)."""
    link = h5.get(name, getlink=True)
    if link is None:
        available: list[str] = []

        def note_dataset(key: str, found) -> None:  # hard links only: listing must not follow a link out
            if isinstance(found, h5py.HardLink) and isinstance(h5[key], h5py.Dataset):
                available.append(key)

        h5.visititems_links(note_dataset)
        raise BadInput(f"no dataset '{name}' ({what}) in the HDF5 input; it has: {', '.join(available) or 'none'}")
    if isinstance(link, h5py.ExternalLink):
        raise BadInput(f"the {what} dataset '{name}' is an external link to {link.filename}: refused")
    dataset = h5[name]
    if not isinstance(dataset, h5py.Dataset):
        raise BadInput(f"'{name}' ({what}) is a group, not a dataset")
    if dataset.is_virtual:
        raise BadInput(f"the {what} dataset '{name}' is a virtual dataset: refused")
    return dataset


def check_shape(session, features: h5py.Dataset) -> tuple[str, Any]:
    """The model's single input name and dtype, after checking the features fit its fixed dimensions."""
    inputs = session.get_inputs()
    if len(inputs) != 1:
        names = ", ".join(f"{i.name} {i.shape}" for i in inputs)
        raise BadInput(f"the model has {len(inputs)} inputs ({names}); only single-input models are supported")
    model_input = inputs[0]
    expected = model_input.shape
    if len(expected) != features.ndim:
        raise BadInput(f"the model expects {len(expected)}-D input {expected}, the features are {features.shape}")
    for axis, (want, have) in enumerate(zip(expected[1:], features.shape[1:]), start=1):
        if isinstance(want, int) and want != have:
            what = "features" if features.ndim == 2 else f"size {want} on axis {axis}"
            raise BadInput(f"the model expects {want} {what} per sample (input {expected}), "
                           f"the features are {features.shape}")
    dtype = ONNX_TO_NUMPY.get(model_input.type)
    if dtype is None:
        raise BadInput(f"the model's input type {model_input.type} is not supported")
    return model_input.name, dtype


def output_roles(names: list[str], first: list[np.ndarray], n_rows: int) -> Roles:
    """Decide from the first batch's arrays which output is a label, scores or a regression value."""
    roles = Roles()
    for name, array in zip(names, first):
        if array.ndim == 0 or array.shape[0] != n_rows:
            continue
        if array.ndim == 1 and (np.issubdtype(array.dtype, np.integer) or array.dtype.kind in "OUS"):
            roles.label = roles.label or name
        elif np.issubdtype(array.dtype, np.floating) and array.ndim == 2 and array.shape[1] > 1:
            roles.scores = roles.scores or name
        elif np.issubdtype(array.dtype, np.floating) and (array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1)):
            roles.value = roles.value or name
    return roles


def predict(session, input_name: str, dtype, features: h5py.Dataset, batch_size: int) -> dict[str, np.ndarray]:
    """Run the model over the features in batches of rows; returns every output, rows concatenated."""
    names = [output.name for output in session.get_outputs()]
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for start in range(0, features.shape[0], batch_size):
        batch = np.asarray(features[start:start + batch_size]).astype(dtype, copy=False)
        for name, array in zip(names, session.run(names, {input_name: batch})):
            parts[name].append(np.asarray(array))
    return {name: np.concatenate(arrays) if arrays else np.empty((0,)) for name, arrays in parts.items()}


def is_binary_probability(values: np.ndarray, true: np.ndarray | None) -> bool:
    """Values in [0, 1] against integer labels that are all 0 or 1."""
    if true is None or not np.issubdtype(true.dtype, np.integer):
        return False
    return bool(np.isin(true, (0, 1)).all() and values.min() >= 0.0 and values.max() <= 1.0)


def classification_metrics(true: np.ndarray, predicted: np.ndarray) -> dict:
    classes = np.unique(np.concatenate([true, predicted]))
    index = {value: i for i, value in enumerate(classes.tolist())}
    confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for t, p in zip(true.tolist(), predicted.tolist()):
        confusion[index[t], index[p]] += 1
    return {
        "accuracy": float(np.mean(true == predicted)),
        "classes": [c.item() if hasattr(c, "item") else c for c in classes],
        "confusion_matrix": confusion.tolist(),
    }


def regression_metrics(true: np.ndarray, predicted: np.ndarray) -> dict:
    error = predicted.astype(np.float64) - true.astype(np.float64)
    spread = float(np.sum((true - true.mean()) ** 2))
    return {
        "mae": float(np.mean(np.abs(error))),
        "rmse": float(np.sqrt(np.mean(error ** 2))),
        "r2": float(1.0 - np.sum(error ** 2) / spread) if spread > 0 else None,
    }


def mask_metrics(true: np.ndarray, predicted: np.ndarray) -> dict:
    """Pixel-wise scores of a binary mask (the paper's segmentation use-case)."""
    truth, guess = true > 0.5, predicted > 0.5
    tp = int(np.sum(truth & guess))
    fp, fn = int(np.sum(~truth & guess)), int(np.sum(truth & ~guess))
    return {
        "accuracy": float(np.mean(truth == guess)),
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "dice": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
    }


def write_predictions(path: Path, outputs: dict[str, np.ndarray], derived: dict[str, np.ndarray], attrs: dict) -> None:
    with h5py.File(path, "w") as h5:
        for name, array in derived.items():
            h5.create_dataset(name, data=array, compression="gzip" if array.size > 1024 else None)
        group = h5.create_group("outputs")
        for name, array in outputs.items():
            if array.dtype.kind in "OU":
                array = array.astype("S")
            group.create_dataset(name.replace("/", "_"), data=array,
                                 compression="gzip" if array.size > 1024 else None)
        for key, value in attrs.items():
            if value is not None:
                h5.attrs[key] = value


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    session = load_session(args.model, args.threads)
    if args.batch_size < 1:
        raise BadInput("--batch-size must be at least 1")
    with h5py.File(args.data, "r") as h5:
        features = open_dataset(h5, args.features, "features")
        input_name, dtype = check_shape(session, features)
        if features.shape[0] == 0:
            raise BadInput(f"the features dataset '{args.features}' has no rows")
        outputs = predict(session, input_name, dtype, features, args.batch_size)
        true = np.asarray(open_dataset(h5, args.labels, "labels")[...]) if args.labels else None
    n_rows = features.shape[0]
    if true is not None and (true.ndim == 0 or true.shape[0] != n_rows):
        raise BadInput(f"the labels '{args.labels}' have shape {true.shape}, the features {features.shape}: "
                       "one label (or mask) per sample is needed")

    roles = output_roles(list(outputs), [outputs[n][:1] for n in outputs], 1)
    derived: dict[str, np.ndarray] = {}
    metrics: dict[str, Any] = {}
    if true is not None and roles.task != "other" and true.size != n_rows:
        raise BadInput(f"the labels '{args.labels}' have shape {true.shape}; a {roles.task} model needs one "
                       "label per sample")
    if roles.task == "classification":
        scores = outputs[roles.scores] if roles.scores else None
        predicted = outputs[roles.label] if roles.label else np.argmax(scores, axis=1).astype(np.int64)
        derived["predicted_class"] = predicted
        if scores is not None:
            derived["scores"] = scores.astype(np.float32)
        if true is not None:
            metrics = classification_metrics(true.reshape(-1), predicted.reshape(-1))
    elif roles.task == "regression" and is_binary_probability(outputs[roles.value], true):
        # one sigmoid column scored against 0/1 labels: a binary classifier, not a regression
        derived["predicted_class"] = (outputs[roles.value].reshape(-1) > 0.5).astype(np.int64)
        derived["scores"] = outputs[roles.value].reshape(-1, 1).astype(np.float32)
        roles = Roles(scores=roles.value)
        metrics = classification_metrics(true.reshape(-1), derived["predicted_class"])
    elif roles.task == "regression":
        derived["prediction"] = outputs[roles.value].reshape(-1)
        if true is not None:
            metrics = regression_metrics(true.reshape(-1), derived["prediction"])
    elif true is not None:
        first = next(iter(outputs.values()))
        if first.shape != true.shape and first.size != true.size:
            raise BadInput(f"the labels '{args.labels}' have shape {true.shape}, the model's output {first.shape}")
        metrics = mask_metrics(true.reshape(-1), first.reshape(-1))

    summary = {
        "model": args.model_name or args.model.name,
        "model_producer": model_producer(args.model),
        "provider": session.get_providers()[0],
        "features": args.features,
        "labels": args.labels or None,
        "n_samples": int(n_rows),
        "task": roles.task,
        "outputs": {name: {"dtype": str(a.dtype), "shape": list(a.shape)} for name, a in outputs.items()},
        "output_roles": {k: v for k, v in vars(roles).items() if v},
        **metrics,
        "seconds": round(time.perf_counter() - started, 3),
        "tool_version": __version__,
    }
    scalar_attrs = {key: summary[key] for key in ("model", "model_producer", "features", "n_samples", "task")}
    scalar_attrs.update({key: value for key, value in metrics.items() if isinstance(value, (int, float))})
    write_predictions(args.predictions, outputs, derived, scalar_attrs)
    args.metrics.write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="the ONNX model")
    parser.add_argument("--data", type=Path, required=True, help="HDF5 file with the features (and labels)")
    parser.add_argument("--features", default="X", help="dataset of the features, rows first (default X)")
    parser.add_argument("--labels", default="", help="dataset of the true labels; scores the predictions")
    parser.add_argument("--model-name", default="", help="name of the model in the metrics (default: file name)")
    parser.add_argument("--batch-size", type=int, default=1024, help="rows per onnxruntime call")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--predictions", type=Path, required=True, help="HDF5 file to write")
    parser.add_argument("--metrics", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--version", action="version", version=f"onnx_predict {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        summary = run(args)
    except BadInput as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:
        print(f"error: cannot read an input: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    score = f", accuracy {summary['accuracy']:.4f}" if "accuracy" in summary else ""
    print(f"{summary['model']}: {summary['n_samples']} samples, {summary['task']}{score} ({summary['provider']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
