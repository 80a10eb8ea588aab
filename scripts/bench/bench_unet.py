"""ONNX export of a small CT-style U-Net through the runner, and one training epoch on this machine.

The notebook is what a user would send: it opens the staged ``slices.h5`` (synthetic CT-like
64x64 slices and organ masks), builds a functional Keras U-Net (2 levels down, 2 up, ~117k
parameters, sigmoid mask), trains one epoch streaming the file through H5Batches' PyDataset, and
writes its epoch timings to ``outputs/``. The runner then finds the model, exports it to ONNX and
checks it with onnxruntime; the figures come from the report (parity, export seconds, device) and
from the timings file the runner delivered.
"""
from __future__ import annotations

import json

from bench_common import Context, Row, run_runner, write_notebook

SECTION = "u-net"
SLICES = 1024
TEST_SLICES = 64
SIZE = 64
BATCH = 32

CELLS = [
    "import json\nimport os\nimport time\n\nimport h5py\nimport keras\nimport numpy as np\n"
    "from notebook_job.h5_batches import H5Batches",
    # the last TEST_SLICES slices are the test set: also the sample the export checks parity on
    f"h5 = h5py.File('slices.h5', 'r')\nrows = h5['X'].shape[0]\n"
    f"train = H5Batches(h5['X'], h5['y'], batch_size={BATCH}, stop=rows - {TEST_SLICES})\n"
    f"X_test, y_test = h5['X'][rows - {TEST_SLICES}:], h5['y'][rows - {TEST_SLICES}:]",
    "def conv_block(x, filters):\n"
    "    x = keras.layers.Conv2D(filters, 3, padding='same', activation='relu')(x)\n"
    "    return keras.layers.Conv2D(filters, 3, padding='same', activation='relu')(x)\n\n\n"
    f"inputs = keras.Input(({SIZE}, {SIZE}, 1), name='slice')\n"
    "down1 = conv_block(inputs, 16)\n"
    "down2 = conv_block(keras.layers.MaxPooling2D()(down1), 32)\n"
    "bottom = conv_block(keras.layers.MaxPooling2D()(down2), 64)\n"
    "up2 = keras.layers.Conv2DTranspose(32, 2, strides=2)(bottom)\n"
    "up2 = conv_block(keras.layers.Concatenate()([up2, down2]), 32)\n"
    "up1 = keras.layers.Conv2DTranspose(16, 2, strides=2)(up2)\n"
    "up1 = conv_block(keras.layers.Concatenate()([up1, down1]), 16)\n"
    "mask = keras.layers.Conv2D(1, 1, activation='sigmoid', name='mask')(up1)\n"
    "unet = keras.Model(inputs, mask, name='ct_unet')\n"
    "unet.compile(optimizer='adam', loss='binary_crossentropy')\n"
    "print('parameters', unet.count_params())",
    "class StepTimes(keras.callbacks.Callback):\n"
    "    def on_epoch_begin(self, epoch, logs=None):\n"
    "        self.epoch_start = self.step_start = time.perf_counter()\n"
    "        self.steps = []\n\n"
    "    def on_train_batch_end(self, batch, logs=None):\n"
    "        now = time.perf_counter()\n"
    "        self.steps.append(now - self.step_start)\n"
    "        self.step_start = now\n\n"
    "    def on_epoch_end(self, epoch, logs=None):\n"
    "        self.epoch_seconds = time.perf_counter() - self.epoch_start\n\n\n"
    "step_times = StepTimes()\n"
    "history = unet.fit(train.keras_dataset(), epochs=1, verbose=2, callbacks=[step_times])",
    "test_loss = float(unet.evaluate(X_test, y_test, verbose=0))\n"
    "os.makedirs('outputs', exist_ok=True)\n"
    "with open('outputs/unet_timing.json', 'w') as handle:\n"
    "    json.dump({'epoch_seconds': step_times.epoch_seconds, 'steps': len(step_times.steps),\n"
    "               'first_step_seconds': step_times.steps[0],\n"
    "               'median_step_seconds': float(np.median(step_times.steps[1:])),\n"
    "               'train_slices': train.rows, 'parameters': unet.count_params(), 'test_loss': test_loss}, handle)\n"
    "print('epoch', step_times.epoch_seconds, 'test loss', test_loss)",
]


def write_slices(path, slices: int = SLICES, size: int = SIZE) -> None:
    """CT-like slices: a body ellipse, a brighter organ inside it, noise; the organ is the mask."""
    import h5py
    import numpy as np

    rng = np.random.default_rng(0)
    grid = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5  # (2, size, size), -0.5..0.5

    def ellipses(centre, radii):
        offsets = (grid[None] - centre[:, :, None, None]) / radii[:, :, None, None]
        return (offsets ** 2).sum(axis=1) <= 1.0

    body = ellipses(rng.normal(0, 0.03, (slices, 2)), rng.uniform(0.3, 0.45, (slices, 2)))
    organ = ellipses(rng.uniform(-0.15, 0.15, (slices, 2)), rng.uniform(0.05, 0.15, (slices, 2))) & body
    image = 0.3 * body + 0.4 * organ + rng.normal(0, 0.08, body.shape)
    with h5py.File(path, "w") as h5:
        h5.create_dataset("X", data=image[..., None].astype(np.float32), chunks=(BATCH, size, size, 1))
        h5.create_dataset("y", data=organ[..., None].astype(np.float32), chunks=(BATCH, size, size, 1))


def run(context: Context) -> list[Row]:
    folder = context.scratch / "unet"
    folder.mkdir(parents=True, exist_ok=True)
    slices = folder / "slices.h5"
    write_slices(slices)
    notebook = write_notebook(folder / "ct_unet.ipynb", CELLS)
    print(f"[{SECTION}] training one epoch and exporting through the runner", flush=True)
    timed, report = run_runner(notebook, folder / "job", "--input", f"slices={slices}")
    (model,) = [entry for entry in report["models"] if entry["name"] == "unet"]
    timing = json.loads((folder / "job" / "extra_outputs" / "unet_timing.json").read_text())
    cells = {cell["where"]: cell["seconds"] for cell in report["cells"]}
    parity = model.get("parity") or {}
    steady = timing["median_step_seconds"] * timing["steps"]
    data = {"report_model": model, "timing": timing, "cells": cells, "device": report["device"],
            "job_seconds": timed.seconds, "versions": report["versions"]}
    return [
        Row(SECTION, f"ONNX export + check ({model.get('route')})", f"{model['seconds']:.2f} s",
            data=data),
        Row(SECTION, "ONNX parity: max abs diff on the test slices", f"{parity.get('max_abs_diff', float('nan')):.2g} "
            f"({parity.get('rows')} rows, sample {model.get('sample')})", goal="ok within tolerance",
            met=bool(parity.get("ok"))),
        Row(SECTION, f"one epoch, {timing['train_slices']} slices 64x64, batch {BATCH}, "
            f"{timing['parameters']} params, on {report['device']}",
            f"{timing['epoch_seconds']:.2f} s", ratio=f"steady {steady:.2f} s", data=timing),
        Row(SECTION, "  first step (graph tracing) / median step", f"{timing['first_step_seconds']:.2f} s / "
            f"{timing['median_step_seconds'] * 1000:.0f} ms"),
        Row(SECTION, "whole runner job (TF import, 1 epoch, export)", f"{timed.seconds:.1f} s",
            ratio=f"test loss {timing['test_loss']:.3f}"),
    ]
